package dev.bluegreen;

import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.RouteChanged;
import dev.bluegreen.event.StepStarted;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants I1 and I2 against edits the engine did not make: a switch, a scale or a deploy by
 * someone else stands; the release stops or leaves the object alone, and says so.
 */
class ForeignEditTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final List<ReleaseEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).listener(events::add)
            .releaseIds(() -> "r-1").build();

    /** A gate that signals it runs, then waits until it is interrupted. */
    private static HealthGate waiting(String name, CountDownLatch running, CountDownLatch interrupted) {
        return HealthGate.named(name, context -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return GateResult.passed("never");
        });
    }

    private List<RouteChanged> routeChanges() {
        synchronized (events) {
            return events.stream().filter(e -> e instanceof RouteChanged).map(e -> (RouteChanged) e)
                    .collect(Collectors.toList());
        }
    }

    @Test
    void aSwitchBySomeoneElseDuringObservationStandsTheReleaseFailsWithoutRetiringOrSwitchingBack() throws Exception {
        CountDownLatch observing = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        ReleaseExecution execution = engine.start(platform.plan().postSwitchGate(waiting("errors", observing, interrupted))
                .build());
        assertTrue(observing.await(5, TimeUnit.SECONDS));

        platform.foreignSwitch(Color.BLUE);
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException error = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(Color.GREEN, error.expected());
        assertEquals(Color.BLUE, error.seen());
        assertEquals("Service shop/app-service", error.target());
        assertEquals("Service shop/app-service was changed by someone else while release r-1 of shop/app was in phase "
                + "OBSERVING: it now selects blue, but the release expected [green]; the release stops without switching, "
                + "retiring or rolling back anything", error.getMessage());
        assertEquals(0, interrupted.getCount(), "the observing gate was stopped");
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "foreign switch ->blue"), platform.writes(),
                "no switch back, no retirement, no discard: their change stands");
        assertEquals(Color.BLUE, result.liveColor().orElseThrow(), "what they chose, read again at the end");
        assertEquals(3, platform.replicasOf(Color.BLUE));
        assertEquals(3, platform.replicasOf(Color.GREEN));
        assertTrue(result.warnings().get(0).startsWith("Service shop/app-service was changed by someone else: nothing was "
                + "switched back, retired or given up, so their change stands; last seen: "), result.warnings().toString());
        assertEquals(1, routeChanges().size());
        assertEquals(Color.GREEN, routeChanges().get(0).expected());
        assertEquals(Color.BLUE, routeChanges().get(0).seen().live());
        assertFalse(result.step("rollback").isPresent());
        assertFalse(result.step("retire-previous").isPresent());
    }

    @Test
    void aSlowListenerNeverHoldsUpTheAdaptersWatchThreadWhichOnlySignalsTheRelease() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        CountDownLatch listenerMayReturn = new CountDownLatch(1);
        ReleaseEngine slowListener = ReleaseEngine.builder().time(time).releaseIds(() -> "r-1").listener(events::add)
                .listener(event -> {
                    if (event instanceof StepStarted && ((StepStarted) event).step().equals("observe")) {
                        listening.countDown();
                        try {
                            listenerMayReturn.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build();
        ReleaseExecution execution = slowListener.start(platform.plan().build());
        assertTrue(listening.await(5, TimeUnit.SECONDS));

        // the operator's switch is delivered to the release's watch on the caller's thread, as an informer would
        CompletableFuture<Void> delivered = CompletableFuture.runAsync(() -> platform.foreignSwitch(Color.BLUE));
        try {
            delivered.get(5, TimeUnit.SECONDS);
            assertTrue(routeChanges().isEmpty(), "the event is emitted by the release, not on the watch thread");
        } finally {
            listenerMayReturn.countDown();
        }
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(1, routeChanges().size());
        assertEquals(Color.BLUE, routeChanges().get(0).seen().live());
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "foreign switch ->blue"), platform.writes());
    }

    @Test
    void aSwitchBySomeoneElseDuringRetentionKeepsThePreviousColorAndFailsTheRelease() throws Exception {
        CountDownLatch retaining = new CountDownLatch(1);
        TimeSource blockingRetention = new TimeSource() {
            @Override
            public Instant now() {
                return time.now();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                if (duration.equals(Duration.ofMinutes(10))) {
                    retaining.countDown();
                    new CountDownLatch(1).await();
                }
                time.sleep(duration);
            }
        };
        ReleaseExecution execution = ReleaseEngine.builder().time(blockingRetention).releaseIds(() -> "r-1").build()
                .start(platform.plan().build());
        assertTrue(retaining.await(5, TimeUnit.SECONDS));

        platform.foreignSwitch(Color.BLUE);
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException error = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(Color.BLUE, error.seen());
        assertTrue(error.getMessage().contains("while release r-1 of shop/app was in phase FINISHING"), error.getMessage());
        assertEquals(StepStatus.FAILED, result.step("retire-previous").orElseThrow().status());
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "foreign switch ->blue"), platform.writes());
        assertEquals(3, platform.replicasOf(Color.BLUE), "the previous color, live again, was not retired");
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
    }

    @Test
    void aSwitchBySomeoneElseToTheCandidateWhileItBecomesReadyFailsTheReleaseAndKeepsTheCandidate() throws Exception {
        CountDownLatch waiting = platform.blockReadiness(new CompletableFuture<>());
        ReleaseExecution execution = engine.start(platform.plan().build());
        assertTrue(waiting.await(5, TimeUnit.SECONDS));

        platform.foreignSwitch(Color.GREEN);
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException error = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(Color.BLUE, error.expected());
        assertEquals(Color.GREEN, error.seen());
        assertTrue(error.getMessage().contains("in phase PREPARING: it now selects green, but the release expected [blue]"),
                error.getMessage());
        assertEquals(StepStatus.FAILED, result.step("await-ready").orElseThrow().status());
        assertFalse(result.step("discard-candidate").isPresent(), "the candidate carries traffic: it is not given up");
        assertEquals(List.of("deploy green app:v2 x3", "foreign switch ->green"), platform.writes());
        assertEquals(3, platform.replicasOf(Color.GREEN));
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
    }

    @Test
    void aScaleOfThePreviousColorBySomeoneElseDuringObservationKeepsItFromBeingRetiredWithAWarning() {
        HealthGate scalesBlue = HealthGate.named("errors", context -> {
            platform.foreignScale(Color.BLUE, 5);
            return GateResult.passed("error rate 0.1%");
        });

        ReleaseResult result = engine.run(platform.plan().postSwitchGate(scalesBlue).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("Deployment shop/app-blue was not retired: someone else changed it since the release read it "
                + "(generation 1 -> 2, now Deployment shop/app-blue runs app:v1, 5 of 5 available); retire it by hand "
                + "when that is right"), result.warnings());
        assertEquals(StepStatus.SKIPPED, result.step("retire-previous").orElseThrow().status());
        assertEquals(5, platform.replicasOf(Color.BLUE));
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "foreign scale blue x5"), platform.writes());
    }

    @Test
    void aDeployBySomeoneElseToTheCandidateBeforeAnAbortKeepsItFromBeingGivenUpWithAWarning() {
        HealthGate deploysOverGreen = HealthGate.named("smoke", context -> {
            platform.foreignDeploy(Color.GREEN, "app:v9");
            return GateResult.failed("smoke test answered 500");
        });

        ReleaseResult result = engine.run(platform.plan().preSwitchGate(deploysOverGreen).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("Deployment shop/app-green was not given up: someone else changed it since the release "
                + "decided to deploy to it (generation 1 -> 3, Deployment shop/app-green runs app:v9, 3 of 3 available); "
                + "it is left as it is"), result.warnings());
        assertEquals(StepStatus.SKIPPED, result.step("discard-candidate").orElseThrow().status());
        assertEquals(List.of("deploy green app:v2 x3", "foreign deploy green app:v9"), platform.writes());
        assertEquals(3, platform.replicasOf(Color.GREEN));
    }

    @Test
    void aSwitchToTheCandidateBySomeoneElseIsAcceptedWithoutAWriteWhenTheCandidateServesTheVersionAndIsReady() {
        platform.withDeafWatch();
        HealthGate switchesForUs = HealthGate.named("smoke", context -> {
            platform.foreignSwitch(Color.GREEN);
            return GateResult.passed("200 OK");
        });

        ReleaseResult result = engine.run(platform.plan().preSwitchGate(switchesForUs).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        StepRecord switchStep = result.step("switch").orElseThrow();
        assertEquals(StepStatus.SKIPPED, switchStep.status());
        assertEquals("Service shop/app-service already routes to green, which runs app:v2 and is ready; nothing written",
                switchStep.detail());
        assertEquals(List.of("deploy green app:v2 x3", "foreign switch ->green", "scale-down blue"), platform.writes());
    }

    @Test
    void aSwitchToTheCandidateBySomeoneElseWhileItIsNotReadyIsNoNoOpSwitchAndTheReleaseFails() {
        platform.withDeafWatch();
        HealthGate switchesTooEarly = HealthGate.named("smoke", context -> {
            platform.foreignSwitch(Color.GREEN);
            platform.ready(Color.GREEN, false);
            return GateResult.passed("200 OK");
        });

        ReleaseResult result = engine.run(platform.plan().preSwitchGate(switchesTooEarly).build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException error = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals("Service shop/app-service already routes to green, but Deployment shop/app-green runs app:v2, 0 of 3 "
                + "available (rollout in progress) and the release expected it to run app:v2 with every replica "
                + "available; someone else switched it, so the release stops here", error.getMessage());
        assertEquals(StepStatus.FAILED, result.step("switch").orElseThrow().status());
        assertEquals(List.of("deploy green app:v2 x3", "foreign switch ->green"), platform.writes());
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
    }

    @Test
    void aSwitchToTheCandidateBySomeoneElseSeenByTheWatchStopsTheReleaseBeforeItsSwitch() {
        HealthGate switchesForUs = HealthGate.named("smoke", context -> {
            platform.foreignSwitch(Color.GREEN);
            return GateResult.passed("200 OK");
        });

        ReleaseResult result = engine.run(platform.plan().preSwitchGate(switchesForUs).build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertFalse(result.step("switch").isPresent());
        assertEquals(List.of("deploy green app:v2 x3", "foreign switch ->green"), platform.writes());
    }
}
