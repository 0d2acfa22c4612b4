package dev.bluegreen;

import dev.bluegreen.event.GateEvaluated;
import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.SignalReceived;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals sent to a running release (an approval through {@link ReleaseExecution#signal}) and
 * waiting for them through the time source: no polling, a manual clock decides time-outs, and a
 * cancel ends the wait.
 */
class SignalTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final List<ReleaseEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch waiting = new CountDownLatch(1);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).listener(events::add)
            .listener(event -> {
                if (event instanceof GateEvaluated && ((GateEvaluated) event).interim()) {
                    waiting.countDown();
                }
            })
            .releaseIds(() -> "r-1").build();

    /** A gate that waits up to an hour for "approve" or "reject", telling listeners when it starts waiting. */
    private static HealthGate approval() {
        return HealthGate.named("approval", context -> {
            CompletableFuture<Signal> approve = context.signal("approve");
            CompletableFuture<Signal> reject = context.signal("reject");
            Instant until = context.time().now().plus(Duration.ofHours(1));
            context.reportInterim("approval", GateResult.inconclusive("waiting for approve or reject until " + until));
            if (!context.time().awaitUntil(CompletableFuture.anyOf(approve, reject), until)) {
                return GateResult.failed("no decision within 1 h");
            }
            Signal decision = approve.isDone() ? approve.join() : reject.join();
            return approve.isDone() ? GateResult.passed("approved: " + decision)
                    : GateResult.failed("rejected: " + decision);
        });
    }

    /** A plan whose approval waits at most 30 s in real time, so that a broken test fails fast. */
    private ReleasePlan plan() {
        return platform.plan().preSwitchGate(approval()).timeout(StandardStep.PRE_SWITCH_GATES, Duration.ofSeconds(30))
                .build();
    }

    @Test
    void theFirstSignalOfANameIsKeptAndALaterOneOfTheSameNameIsIgnored() {
        Signals signals = Signals.create(time);
        CompletableFuture<Signal> waitingForIt = signals.received("approve");

        Signal first = signals.send("approve", "alice", "dashboards are fine").orElseThrow();
        time.advance(Duration.ofMinutes(1));

        assertTrue(signals.send("approve", "bob", null).isEmpty(), "a second approval changes nothing");
        assertEquals(new Signal("approve", "alice", "dashboards are fine", T0), first);
        assertEquals(first, waitingForIt.join());
        assertEquals(first, signals.received("approve").join(), "a signal received before the wait counts");
        assertEquals(List.of(first), signals.all());
        assertEquals("approve by alice: dashboards are fine", first.toString());
    }

    @Test
    void signalsNameTheBlankValueTheyRefuse() {
        Signals signals = Signals.create(time);
        assertEquals("signal name must not be blank, but was ' '",
                assertThrows(ConfigurationException.class, () -> signals.send(" ", "alice", "")).getMessage());
        assertEquals("sender of signal 'approve' must not be blank, but was null",
                assertThrows(ConfigurationException.class, () -> signals.send("approve", null, "")).getMessage());
        assertEquals("signal name to wait for must not be blank, but was ''",
                assertThrows(ConfigurationException.class, () -> signals.received("")).getMessage());
    }

    @Test
    void aManualClockAwaitEndsWhenTheFutureCompletesWithoutMovingTheClock() throws Exception {
        CompletableFuture<String> decision = new CompletableFuture<>();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> awaited = thread.submit(() -> time.awaitUntil(decision, T0.plus(Duration.ofHours(1))));
            decision.complete("approved");
            assertTrue(awaited.get(10, TimeUnit.SECONDS));
            assertEquals(T0, time.now(), "awaiting does not move a manual clock");
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aManualClockAwaitTimesOutOnlyWhenTheClockIsMovedPastItsLimit() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> awaited = thread.submit(() -> time.awaitUntil(never, T0.plus(Duration.ofMinutes(30))));
            time.advance(Duration.ofMinutes(10));
            assertThrows(java.util.concurrent.TimeoutException.class, () -> awaited.get(50, TimeUnit.MILLISECONDS),
                    "10 of 30 minutes do not end the wait");
            time.sleep(Duration.ofMinutes(25));
            assertFalse(awaited.get(10, TimeUnit.SECONDS), "a sleep that moves the clock past the deadline ends the wait");
        } finally {
            thread.shutdownNow();
        }
        assertFalse(time.awaitUntil(never, time.now()), "a deadline already reached does not wait");
    }

    @Test
    void aSystemClockAwaitReturnsWhenTheFutureIsDoneOrTheLimitHasPassed() throws Exception {
        TimeSource system = TimeSource.system();
        Instant inAnHour = system.now().plus(Duration.ofHours(1));
        assertFalse(system.awaitUntil(new CompletableFuture<>(), system.now().plusMillis(20)));
        assertTrue(system.awaitUntil(CompletableFuture.completedFuture("x"), inAnHour));
        assertTrue(system.awaitUntil(CompletableFuture.failedFuture(new IllegalStateException("no")), inAnHour),
                "a future that failed is done");
    }

    @Test
    void aReleaseWaitsForAnApprovalSentThroughItsExecutionAndRecordsWhoSentIt() throws Exception {
        ReleaseExecution execution = engine.start(plan());
        assertTrue(waiting.await(10, TimeUnit.SECONDS), "the gate started waiting");

        assertTrue(execution.signal("approve", "alice", "dashboards are fine"));
        ReleaseResult result = execution.await();

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("approved: approve by alice: dashboards are fine",
                result.gateEvaluations().get(0).result().reason());
        List<SignalReceived> signals;
        synchronized (events) {
            signals = events.stream().filter(e -> e instanceof SignalReceived).map(e -> (SignalReceived) e)
                    .collect(Collectors.toList());
        }
        assertEquals(1, signals.size());
        assertEquals("[shop/app r-1] signal approve by alice: dashboards are fine", signals.get(0).toString());
        assertFalse(execution.signal("reject", "bob", "too late"), "a release that ended takes no signal");
    }

    @Test
    void aRejectionSentThroughTheExecutionAbortsTheReleaseBeforeTheSwitch() throws Exception {
        ReleaseExecution execution = engine.start(plan());
        assertTrue(waiting.await(10, TimeUnit.SECONDS));

        assertTrue(execution.signal("reject", "bob", "p95 doubled on the canary dashboard"));
        ReleaseResult result = execution.await();

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals("rejected: reject by bob: p95 doubled on the canary dashboard",
                result.gateEvaluations().get(0).result().reason());
        assertFalse(platform.writes().stream().anyMatch(write -> write.startsWith("switch")), platform.writes().toString());
    }

    @Test
    void anApprovalThatNeverComesTimesOutWhenTheClockPassesItsLimit() throws Exception {
        ReleaseExecution execution = engine.start(plan());
        assertTrue(waiting.await(10, TimeUnit.SECONDS));

        time.advance(Duration.ofHours(1));
        ReleaseResult result = execution.await();

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals("no decision within 1 h", result.gateEvaluations().get(0).result().reason());
    }

    @Test
    void cancellingAReleaseEndsAGateThatWaitsForASignal() throws Exception {
        ReleaseExecution execution = engine.start(plan());
        assertTrue(waiting.await(10, TimeUnit.SECONDS));

        assertTrue(execution.cancel());
        ReleaseResult result = execution.await(Duration.ofSeconds(30)).orElseThrow();

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertTrue(result.error().orElseThrow().getMessage().contains("cancelled"), result::summary);
        assertEquals(T0, time.now(), "the wait ended by the cancel, not by the clock");
    }
}
