package dev.bluegreen.gates;

import dev.bluegreen.Color;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.event.GateEvaluated;
import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.SignalReceived;
import dev.bluegreen.gates.TestServer.Response;
import dev.bluegreen.memory.InMemoryPlatform;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gates inside a real release (the core engine on an in-memory platform, a manual clock):
 * an approval sent through the running release, and retries that release listeners see.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatesInAReleaseTest {
    private final ManualTimeSource time = TimeSource.manual(Contexts.T0);
    private final InMemoryPlatform platform = InMemoryPlatform.builder().app("shop", "myapp")
            .live(Color.BLUE, "myapp:v1", 2).time(time).build();
    private final List<ReleaseEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch waitingForApproval = new CountDownLatch(1);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).releaseIds(() -> "r-7")
            .listener(events::add)
            .listener(event -> {
                if (event instanceof GateEvaluated && ((GateEvaluated) event).evaluation().result().reason()
                        .startsWith("waiting until")) {
                    waitingForApproval.countDown();
                }
            })
            .build();
    private TestServer server;

    /** A release of myapp:v2 on the in-memory platform (blue live running myapp:v1, green idle). */
    private ReleasePlan.Builder plan() {
        return platform.plan().version("myapp:v2").replicas(2)
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1)))
                .timeout(StandardStep.PRE_SWITCH_GATES, Duration.ofSeconds(30))
                .timeout(StandardStep.OBSERVE, Duration.ofSeconds(30));
    }

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private List<GateEvaluated> gateEvents(boolean interim) {
        synchronized (events) {
            return events.stream().filter(event -> event instanceof GateEvaluated).map(event -> (GateEvaluated) event)
                    .filter(event -> event.interim() == interim).collect(Collectors.toList());
        }
    }

    @Test
    void aReleaseWaitsForItsApprovalAndGoesLiveOnceApprovedThroughTheRunningRelease() throws Exception {
        ReleaseExecution release = engine.start(plan()
                .preSwitchGate(ApprovalGate.builder("manual-judgement").timeout(Duration.ofMinutes(20)).build()).build());
        assertTrue(waitingForApproval.await(10, TimeUnit.SECONDS), "the approval gate said it is waiting");
        assertEquals(Color.BLUE, platform.live(), "nothing is switched while it waits");

        assertTrue(release.signal("approve", "alice", "canary dashboards look fine"));
        ReleaseResult result = release.await(Duration.ofSeconds(30)).orElseThrow();

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(Color.GREEN, platform.live());
        GateEvaluation approval = result.gateEvaluations().get(0);
        assertEquals("approved by alice via signal 'approve': canary dashboards look fine", approval.result().reason());
        synchronized (events) {
            assertEquals(1, events.stream().filter(event -> event instanceof SignalReceived).count());
        }
    }

    @Test
    void aRejectionThroughTheRunningReleaseAbortsItAndATimeoutDoesToo() throws Exception {
        ReleaseExecution rejected = engine.start(plan()
                .preSwitchGate(ApprovalGate.builder("manual-judgement").build()).build());
        assertTrue(waitingForApproval.await(10, TimeUnit.SECONDS));
        assertTrue(rejected.signal("reject", "bob", "error budget is spent"));
        ReleaseResult result = rejected.await(Duration.ofSeconds(30)).orElseThrow();
        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals("rejected by bob via signal 'reject': error budget is spent",
                result.gateEvaluations().get(0).result().reason());
        assertEquals(Color.BLUE, platform.live());

        CountDownLatch waiting = new CountDownLatch(1);
        ReleaseExecution forgotten = engine.start(plan()
                .preSwitchGate(ApprovalGate.builder("manual-judgement").timeout(Duration.ofMinutes(20)).build()).build(),
                event -> {
                    if (event instanceof GateEvaluated && ((GateEvaluated) event).interim()) {
                        waiting.countDown();
                    }
                });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        time.advance(Duration.ofMinutes(20));
        ReleaseResult timedOut = forgotten.await(Duration.ofSeconds(30)).orElseThrow();
        assertEquals(Outcome.ABORTED, timedOut.outcome(), timedOut::summary);
        assertTrue(timedOut.gateEvaluations().get(0).result().reason().startsWith("no decision on release "),
                timedOut::summary);
    }

    @Test
    void retriesOfAGateShowInTheReleasesEventsAndItsResult() throws Exception {
        server.onSequence("/health", Response.of(503, "warming up").with("Retry-After", "5"), Response.of(200, "ok"));
        HttpGate health = HttpGate.builder("health").url(server.url("/health"))
                .policies(GatePolicies.builder().retry(RetryConfig.custom().maxAttempts(3)
                        .intervalFunction(IntervalFunction.of(Duration.ofSeconds(1))).build()).build())
                .build();

        ReleaseResult result = engine.run(plan().preSwitchGate(health).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        List<GateEvaluated> retries = gateEvents(true);
        assertEquals(1, retries.size(), retries::toString);
        assertEquals("[shop/myapp r-7] gate health [PRE_SWITCH] INCONCLUSIVE: attempt 1 of 3 failed (GET "
                + server.url("/health") + " answered 503); retrying in 5 s as its Retry-After asks "
                + "{attempt=1, retry_in_ms=5000} (interim)", retries.get(0).toString());
        GateEvaluation passed = result.gateEvaluations().get(0);
        assertEquals(2, passed.result().measurements().get("attempts"));
    }
}
