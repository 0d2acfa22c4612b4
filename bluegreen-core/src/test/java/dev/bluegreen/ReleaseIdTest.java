package dev.bluegreen;

import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.Deadline;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release id ties everything of one release together: result, events, log lines, lock and record. */
class ReleaseIdTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AppId APP = AppId.of("shop", "app");
    private static final String MDC_KEY = "bluegreen.release";

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final List<ReleaseEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> mdc = new CopyOnWriteArrayList<>();

    private HealthGate mdcReading(String name) {
        return HealthGate.named(name, context -> {
            mdc.add(name + " " + MDC.get(MDC_KEY) + " " + context.releaseId());
            return GateResult.passed("ok");
        });
    }

    @Test
    void theReleaseIdIsInTheResultEveryEventTheLogContextOfListenersStepsAndGatesTheLockAndTheRecord() {
        List<String> lockAndRecord = new CopyOnWriteArrayList<>();
        ReleaseEngine engine = ReleaseEngine.builder().time(time).host("host-a").releaseIds(() -> "r-7f3a")
                .listener(event -> {
                    events.add(event);
                    mdc.add("listener " + MDC.get(MDC_KEY));
                    if (event instanceof StepStarted && ((StepStarted) event).step().equals("await-ready")) {
                        ReleaseStatus status = platform.store().read(APP, Deadline.after(Duration.ofSeconds(1)));
                        lockAndRecord.add(status.lock().orElseThrow().holder());
                        lockAndRecord.add(status.record().orElseThrow().releaseId());
                        lockAndRecord.add(status.record().orElseThrow().holder());
                    }
                }).build();

        ReleaseResult result = engine.run(platform.plan()
                .stepAfter(StandardStep.DEPLOY, CustomStep.of("notify", ctx ->
                        mdc.add("notify " + MDC.get(MDC_KEY) + " " + ctx.releaseId())))
                .preSwitchGate(mdcReading("smoke"))
                .postSwitchGate(mdcReading("errors"))
                .postSwitchGate(mdcReading("latency"))
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("r-7f3a", result.releaseId());
        assertFalse(events.isEmpty());
        assertEquals(Set.of("r-7f3a"), events.stream().map(ReleaseEvent::releaseId).collect(Collectors.toSet()));
        assertEquals(Set.of("listener r-7f3a", "notify r-7f3a r-7f3a", "smoke r-7f3a r-7f3a", "errors r-7f3a r-7f3a",
                "latency r-7f3a r-7f3a"), Set.copyOf(mdc), "steps, gates on any thread and listeners log with the id");
        assertEquals(List.of("r-7f3a@host-a", "r-7f3a", "r-7f3a@host-a"), lockAndRecord);
        assertEquals("r-7f3a", platform.store().read(APP, Deadline.after(Duration.ofSeconds(1))).record().orElseThrow()
                .releaseId());
        assertTrue(result.summary().startsWith("release r-7f3a of shop/app"), result.summary());
        assertEquals(null, MDC.get(MDC_KEY), "the caller's log context is left as it was");
    }

    @Test
    void listenersGivenToOneReleaseReceiveOnlyThatReleasesEvents() throws Exception {
        AtomicInteger ids = new AtomicInteger();
        ReleaseEngine engine = ReleaseEngine.builder().time(time).listener(events::add)
                .releaseIds(() -> "r-" + ids.incrementAndGet()).build();
        FakePlatform other = new FakePlatform(time);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CountDownLatch firstWaits = platform.blockReadiness(ready);
        CountDownLatch secondWaits = other.blockReadiness(ready);
        List<ReleaseEvent> firstOnly = new CopyOnWriteArrayList<>();
        List<ReleaseEvent> secondOnly = new CopyOnWriteArrayList<>();

        ReleaseExecution first = engine.start(platform.plan().build(), firstOnly::add);
        ReleaseExecution second = engine.start(other.plan().app("other").build(), secondOnly::add);
        assertTrue(firstWaits.await(5, TimeUnit.SECONDS));
        assertTrue(secondWaits.await(5, TimeUnit.SECONDS));
        ready.complete(null);
        assertEquals(Outcome.SUCCEEDED, first.await(Duration.ofSeconds(10)).orElseThrow().outcome());
        assertEquals(Outcome.SUCCEEDED, second.await(Duration.ofSeconds(10)).orElseThrow().outcome());

        assertNotEquals(first.releaseId(), second.releaseId());
        assertEquals(Set.of(first.releaseId()), firstOnly.stream().map(ReleaseEvent::releaseId).collect(Collectors.toSet()));
        assertEquals(Set.of(second.releaseId()), secondOnly.stream().map(ReleaseEvent::releaseId).collect(Collectors.toSet()));
        assertEquals(Set.of("app"), firstOnly.stream().map(ReleaseEvent::app).collect(Collectors.toSet()));
        assertEquals(Set.of("other"), secondOnly.stream().map(ReleaseEvent::app).collect(Collectors.toSet()));
        assertEquals(events.stream().filter(e -> e.releaseId().equals(first.releaseId())).collect(Collectors.toList()),
                firstOnly, "the same events, in the same order, as the engine's listener saw of that release");
        assertEquals(events.stream().filter(e -> e.releaseId().equals(second.releaseId())).collect(Collectors.toList()),
                secondOnly);
    }

    @Test
    void gatesReceiveTheTypedCandidateBeforeAndAfterTheSwitch() {
        List<GateContext> contexts = Collections.synchronizedList(new ArrayList<>());
        HealthGate capture = HealthGate.named("capture", context -> {
            contexts.add(context);
            return GateResult.passed("ok");
        });
        ReleaseEngine engine = ReleaseEngine.builder().time(time).releaseIds(() -> "r-1").build();

        ReleaseResult result = engine.run(platform.plan().preSwitchGate(capture).postSwitchGate(capture).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(2, contexts.size());
        Candidate expected = new Candidate(Color.GREEN, "app:v2", "generation 2", "Deployment shop/app-green",
                "http://app-green.shop.test");
        for (GateContext context : contexts) {
            assertEquals(expected, context.candidate());
            assertEquals(Color.GREEN, context.candidate().color());
            assertEquals("app:v2", context.version());
            assertEquals("http://app-green.shop.test", context.candidate().reachAt());
            assertEquals("Deployment shop/app-green", context.candidate().object());
            assertEquals(Color.BLUE, context.previous().orElseThrow());
            assertEquals(APP, context.appId());
            assertEquals("r-1", context.releaseId());
        }
        assertEquals(List.of(GateStage.PRE_SWITCH, GateStage.POST_SWITCH),
                contexts.stream().map(GateContext::stage).collect(Collectors.toList()));
    }

    @Test
    void aReleaseThatRecoversAnUnfinishedOneFirstKeepsItsOwnIdInTheLogContextAfterwards() {
        // a release whose process died after preflight: its lock ran out, its record stays unfinished
        ReleaseRecord unfinished = new ReleaseRecord("r-crashed", APP, "app:v2", "r-crashed@host-a", Phase.PREPARING,
                "await-ready", Color.BLUE, Color.GREEN, Map.of(Color.BLUE, new ReleaseRecord.ColorSnapshot("app:v1", 3),
                Color.GREEN, new ReleaseRecord.ColorSnapshot("app:v1", 0)), false, false, List.of(), null, T0, T0);
        platform.store().acquire(APP, "r-crashed@host-a", unfinished, Deadline.after(Duration.ofSeconds(1)));
        time.advance(Duration.ofSeconds(16));
        ReleaseEngine engine = ReleaseEngine.builder().time(time).listener(events::add).releaseIds(() -> "r-next").build();

        ReleaseResult result = engine.run(platform.plan().version("app:v3").recovery(RecoveryPolicy.ROLL_BACK)
                .preSwitchGate(mdcReading("smoke")).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("r-crashed", result.recovered().orElseThrow().releaseId());
        assertEquals(List.of("smoke r-next r-next"), mdc, "the recovery's own id does not linger in the log context");
        assertEquals(Set.of("r-crashed", "r-next"), events.stream().map(ReleaseEvent::releaseId)
                .collect(Collectors.toSet()), "the recovery's events carry the id of the release it recovered");
    }
}
