package dev.bluegreen;

import dev.bluegreen.FakePlatform.Op;
import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.RolledBack;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.event.TrafficSwitched;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancelling a release, or interrupting the thread that runs it, at every step: waits end at
 * once, writes in flight are never interrupted, and the release then ends as its phase demands
 * (abort before the switch, rollback after it, a warning once committed).
 */
class InterruptsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final List<ReleaseEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch retaining = new CountDownLatch(1);
    private volatile boolean blockRetention;
    /** The engine's time: the manual clock, whose 10-minute retention waits until interrupted when asked to. */
    private final TimeSource clock = new TimeSource() {
        @Override
        public Instant now() {
            return time.now();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            if (blockRetention && duration.equals(Duration.ofMinutes(10))) {
                retaining.countDown();
                new CountDownLatch(1).await();
            }
            time.sleep(duration);
        }
    };
    private final ReleaseEngine engine = ReleaseEngine.builder().time(clock).listener(events::add)
            .releaseIds(() -> "r-1").build();

    /** How the release is stopped. */
    enum Stop { CANCEL, INTERRUPT }

    /** A release under way, stopped by cancelling it or by interrupting the thread that called run(). */
    private final class Running {
        private final Stop how;
        private ReleaseExecution execution;
        private Thread caller;
        private final CompletableFuture<ReleaseResult> result = new CompletableFuture<>();
        private volatile boolean flagAfterRun;

        Running(Stop how, ReleasePlan plan) {
            this.how = how;
            if (how == Stop.CANCEL) {
                execution = engine.start(plan);
            } else {
                caller = new Thread(() -> {
                    ReleaseResult ended = engine.run(plan);
                    flagAfterRun = Thread.currentThread().isInterrupted();
                    result.complete(ended);
                }, "release-caller");
                caller.start();
            }
        }

        void stop() {
            if (how == Stop.CANCEL) {
                assertTrue(execution.cancel(), "the first cancel takes effect");
            } else {
                caller.interrupt();
            }
        }

        ReleaseResult await() throws Exception {
            ReleaseResult ended = how == Stop.CANCEL ? execution.await(Duration.ofSeconds(10)).orElseThrow()
                    : result.get(10, TimeUnit.SECONDS);
            if (how == Stop.INTERRUPT) {
                assertTrue(flagAfterRun, "run() restores the interrupt flag of its caller");
            } else {
                assertFalse(execution.cancel(), "a cancel after the end has nothing to do");
            }
            return ended;
        }
    }

    /** A gate that signals it runs, then waits until it is interrupted. */
    private static HealthGate waiting(String name, CountDownLatch running) {
        return HealthGate.named(name, context -> {
            running.countDown();
            new CountDownLatch(1).await();
            return GateResult.passed("never");
        });
    }

    static Stream<Arguments> busySteps() {
        List<Arguments> all = new ArrayList<>();
        for (String step : List.of("preflight", "deploy", "await-ready", "pre-switch-gates", "switch", "observe",
                "retire-previous", "clean-up")) {
            for (Stop how : Stop.values()) {
                all.add(Arguments.of(step, how));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} during {0}")
    @MethodSource("busySteps")
    void stoppingAReleaseDuringAStepEndsItAsItsPhaseDemandsWithoutInterruptingAWrite(String step, Stop how)
            throws Exception {
        ReleasePlan.Builder plan = platform.plan();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        CountDownLatch cleanUpMayEnd = new CountDownLatch(1);
        switch (step) {
            case "preflight":
                busy = platform.pauseUntilStopped(Op.LIVE, Color.BLUE);
                break;
            case "deploy":
                busy = platform.pauseUntilStopped(Op.DEPLOY, Color.GREEN);
                break;
            case "await-ready":
                busy = platform.blockReadiness(new CompletableFuture<>());
                break;
            case "pre-switch-gates":
                plan.preSwitchGate(waiting("smoke", busy));
                break;
            case "switch":
                busy = platform.pauseUntilStopped(Op.SWITCH, Color.GREEN);
                break;
            case "observe":
                plan.postSwitchGate(waiting("errors", busy));
                break;
            case "retire-previous":
                blockRetention = true;
                busy = retaining;
                break;
            case "clean-up":
                CountDownLatch cleaning = busy;
                plan.stepAfter(StandardStep.DEPLOY, CustomStep.of("create-temp", ctx ->
                        ctx.registerCleanUp("delete temp", c -> {
                            cleaning.countDown();
                            cleanUpMayEnd.await();
                            cleanedUp.countDown();
                        })));
                break;
            default:
                throw new IllegalArgumentException(step);
        }
        Running running = new Running(how, plan.build());
        assertTrue(busy.await(5, TimeUnit.SECONDS), "the release is busy in step " + step);

        running.stop();
        cleanUpMayEnd.countDown();
        ReleaseResult result = running.await();

        List<String> switched = List.of("deploy green app:v2 x3", "switch blue->green");
        switch (step) {
            case "preflight":
                assertStopped(result, Outcome.ABORTED, "before step 'deploy'", List.of());
                break;
            case "deploy":
                assertStopped(result, Outcome.ABORTED, "before step 'await-ready'",
                        List.of("deploy green app:v2 x3", "scale-down green"));
                break;
            case "await-ready":
            case "pre-switch-gates":
                assertStopped(result, Outcome.ABORTED, "during step '" + step + "'",
                        List.of("deploy green app:v2 x3", "scale-down green"));
                assertEquals(StepStatus.CANCELLED, result.step(step).orElseThrow().status());
                break;
            case "switch":
                assertStopped(result, Outcome.ROLLED_BACK, "before step 'observe'", List.of("deploy green app:v2 x3",
                        "switch blue->green", "switch green->blue", "scale-down green"));
                assertEquals(StepStatus.SUCCEEDED, result.step("switch").orElseThrow().status(),
                        "the switch write completed");
                break;
            case "observe":
                assertStopped(result, Outcome.ROLLED_BACK, "during step 'observe'", List.of("deploy green app:v2 x3",
                        "switch blue->green", "switch green->blue", "scale-down green"));
                break;
            case "retire-previous":
                assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
                assertEquals(switched, platform.writes(), "the previous color was not retired");
                assertEquals(StepStatus.CANCELLED, result.step("retire-previous").orElseThrow().status());
                assertEquals(List.of("step 'retire-previous' cancelled after the release was committed: release r-1 of "
                        + "shop/app was cancelled during step 'retire-previous'",
                        "cancelled after the release was committed; skipped: [clean-up]"), result.warnings());
                assertEquals(Color.GREEN, result.liveColor().orElseThrow());
                break;
            case "clean-up":
                assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
                assertEquals(0, cleanedUp.getCount(), "clean-up is not cut short by a cancel: it ran to its end");
                assertEquals(StepStatus.SUCCEEDED, result.step("clean-up").orElseThrow().status());
                assertEquals("1 clean-up action done", result.step("clean-up").orElseThrow().detail());
                assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "scale-down blue"), platform.writes());
                break;
            default:
                throw new IllegalArgumentException(step);
        }
        if (List.of("preflight", "deploy", "switch").contains(step)) {
            assertEquals(List.of(Op.valueOf(step.equals("preflight") ? "LIVE" : step.toUpperCase())
                    + " saw ReleaseCancelledException, not interrupted"), platform.stopsSeen(),
                    "the call in flight saw the stop through its deadline and was never interrupted");
        }
    }

    private void assertStopped(ReleaseResult result, Outcome outcome, String where, List<String> writes) {
        assertEquals(outcome, result.outcome(), result::summary);
        ReleaseCancelledException error = assertInstanceOf(ReleaseCancelledException.class, result.error().orElseThrow());
        assertEquals("release r-1 of shop/app was cancelled " + where, error.getMessage());
        assertEquals(writes, platform.writes());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow(), "traffic is on blue at the end");
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void aCancelDuringTheSwitchWriteLetsTheWriteCompleteThenRollsBackAndTheResultSaysSo() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        List<String> duringWrite = Collections.synchronizedList(new ArrayList<>());
        platform.on(Op.SWITCH, color -> {
            if (color.equals(Color.GREEN)) {
                writing.countDown();
                cancelled.await(); // throws if the write's thread is interrupted: the write would not happen
                duringWrite.add("interrupted=" + Thread.currentThread().isInterrupted());
            }
        });
        ReleaseExecution execution = engine.start(platform.plan().build());
        assertTrue(writing.await(5, TimeUnit.SECONDS));

        assertTrue(execution.cancel());
        cancelled.countDown();
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(List.of("interrupted=false"), duringWrite, "the write's thread was never interrupted");
        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "switch green->blue", "scale-down green"),
                platform.writes(), "the write completed, then traffic went back to blue and green was given up");
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals(0, platform.replicasOf(Color.GREEN));
        assertEquals("release r-1 of shop/app was cancelled before step 'observe'",
                result.error().orElseThrow().getMessage());
        assertEquals(List.of("preflight", "deploy", "await-ready", "pre-switch-gates", "switch", "rollback",
                "discard-candidate"), result.timeline().stream().map(StepRecord::name).collect(Collectors.toList()));
        assertEquals(StepStatus.SUCCEEDED, result.step("switch").orElseThrow().status());
        synchronized (events) {
            assertEquals(1, events.stream().filter(e -> e instanceof TrafficSwitched).count());
            RolledBack back = (RolledBack) events.stream().filter(e -> e instanceof RolledBack).findFirst().orElseThrow();
            assertEquals(Color.BLUE, back.result().to());
            assertEquals("release r-1 of shop/app was cancelled before step 'observe'", back.reason());
        }
    }

    @Test
    void aCancelThatArrivesAsAStepStartsKeepsTheStepFromDoingAnything() throws Exception {
        CompletableFuture<ReleaseExecution> started = new CompletableFuture<>();
        ReleaseEngine cancelsAtDeploy = ReleaseEngine.builder().time(clock).releaseIds(() -> "r-1").listener(event -> {
            if (event instanceof StepStarted && ((StepStarted) event).step().equals("deploy")) {
                started.join().cancel();
            }
        }).build();
        started.complete(cancelsAtDeploy.start(platform.plan().build()));

        ReleaseResult result = started.get().await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(StepStatus.CANCELLED, result.step("deploy").orElseThrow().status());
        assertEquals("release r-1 of shop/app was cancelled during step 'deploy'", result.error().orElseThrow().getMessage());
        assertEquals(List.of(), platform.writes(), "nothing was deployed, so nothing had to be given up");
    }
}
