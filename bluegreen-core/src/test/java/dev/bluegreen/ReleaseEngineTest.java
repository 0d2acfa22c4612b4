package dev.bluegreen;

import dev.bluegreen.FakePlatform.Op;
import dev.bluegreen.event.GateEvaluated;
import dev.bluegreen.event.PhaseChanged;
import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.RolledBack;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.event.TrafficSwitched;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.RouteState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReleaseEngineTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final List<ReleaseEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).listener(events::add)
            .releaseIds(() -> "r-1").build();

    private static HealthGate passing(String name) {
        return HealthGate.named(name, context -> GateResult.passed(name + " ok"));
    }

    private static HealthGate failing(String name) {
        return HealthGate.named(name, context -> GateResult.failed("error rate 7% above 5%").withMeasurement("error_rate", 0.07));
    }

    private List<String> stepNames(ReleaseResult result) {
        return result.timeline().stream().map(StepRecord::name).collect(Collectors.toList());
    }

    private List<Phase> phases() {
        synchronized (events) {
            return events.stream().filter(e -> e instanceof PhaseChanged).map(e -> ((PhaseChanged) e).to())
                    .collect(Collectors.toList());
        }
    }

    @Test
    void aFullReleaseSwitchesToTheIdleColorAndRetiresThePreviousOneAfterRetention() {
        ReleaseResult result = engine.run(platform.plan()
                .preSwitchGate(passing("smoke"))
                .postSwitchGate(HealthGate.observe(passing("errors")).every(Duration.ofMinutes(1)).lasting(Duration.ofMinutes(5)).build())
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "scale-down blue"), platform.writes());
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertEquals(Color.BLUE, result.previousColor().orElseThrow());
        assertEquals(Color.GREEN, result.targetColor().orElseThrow());
        assertEquals(List.of("preflight", "deploy", "await-ready", "pre-switch-gates", "switch", "observe",
                "retire-previous", "clean-up"), stepNames(result));
        assertEquals(StepStatus.SKIPPED, result.step("clean-up").orElseThrow().status());
        assertEquals(List.of(Phase.PREPARING, Phase.SWITCHING, Phase.OBSERVING, Phase.FINISHING, Phase.SUCCEEDED), phases());
        assertEquals(List.of("smoke", "window(errors)"),
                result.gateEvaluations().stream().map(GateEvaluation::gate).collect(Collectors.toList()));
        assertTrue(result.error().isEmpty());
        // 5 minutes of observation plus 10 minutes of retention, driven by the manual clock
        assertEquals(Duration.ofMinutes(15), result.duration());
        assertEquals(Duration.ofMinutes(10), result.step("retire-previous").orElseThrow().duration());
    }

    @Test
    void eventsArriveInOrderWithSwitchAndInterimGateResults() {
        engine.run(platform.plan()
                .postSwitchGate(HealthGate.observe(passing("errors")).every(Duration.ofMinutes(1)).lasting(Duration.ofMinutes(3)).build())
                .build());

        List<ReleaseEvent> seen;
        synchronized (events) {
            seen = List.copyOf(events);
        }
        assertInstanceOf(PhaseChanged.class, seen.get(0));
        assertInstanceOf(StepStarted.class, seen.get(1));
        assertEquals("preflight", ((StepStarted) seen.get(1)).step());
        long switched = seen.stream().filter(e -> e instanceof TrafficSwitched).count();
        assertEquals(1, switched);
        long interim = seen.stream().filter(e -> e instanceof GateEvaluated && ((GateEvaluated) e).interim()).count();
        assertEquals(3, interim, "one interim result per window evaluation");
        assertEquals(Phase.SUCCEEDED, ((PhaseChanged) seen.get(seen.size() - 1)).to());
        int switchIndex = indexOf(seen, TrafficSwitched.class);
        int observeStart = indexOfStep(seen, "observe");
        assertTrue(switchIndex < observeStart, "the switch is announced before observation starts");
    }

    private static int indexOf(List<ReleaseEvent> seen, Class<?> type) {
        for (int i = 0; i < seen.size(); i++) {
            if (type.isInstance(seen.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfStep(List<ReleaseEvent> seen, String step) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) instanceof StepStarted && ((StepStarted) seen.get(i)).step().equals(step)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aFailingPreSwitchGateAbortsWithoutTouchingLiveTrafficAndScalesTheIdleColorDown() {
        ReleaseResult result = engine.run(platform.plan().preSwitchGate(failing("smoke")).build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(Color.BLUE, platform.live());
        assertEquals(List.of("deploy green app:v2 x3", "scale-down green"), platform.writes());
        GateFailedException error = assertInstanceOf(GateFailedException.class, result.error().orElseThrow());
        assertEquals("release r-1 of shop/app: pre-switch gate 'smoke' FAILED: error rate 7% above 5% {error_rate=0.07}",
                error.getMessage());
        assertEquals(List.of(Phase.PREPARING, Phase.ABORTING, Phase.ABORTED), phases());
        assertEquals(StepStatus.FAILED, result.step("pre-switch-gates").orElseThrow().status());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
    }

    @Test
    void theKeepIdlePolicyLeavesTheIdleColorRunningOnAbort() {
        ReleaseResult result = engine.run(platform.plan().preSwitchGate(failing("smoke"))
                .abortPolicy(AbortPolicy.KEEP_IDLE).build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of("deploy green app:v2 x3"), platform.writes());
        StepRecord kept = result.step("discard-candidate").orElseThrow();
        assertEquals(StepStatus.SKIPPED, kept.status());
        assertEquals("abort policy KEEP_IDLE keeps Deployment shop/app-green as it is", kept.detail());
    }

    @Test
    void aFailingPostSwitchGateRollsBackWithOneSwitchBackWrite() {
        ReleaseResult result = engine.run(platform.plan().postSwitchGate(failing("errors")).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "switch green->blue", "scale-down green"),
                platform.writes());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals(List.of(Phase.PREPARING, Phase.SWITCHING, Phase.OBSERVING, Phase.ROLLING_BACK, Phase.ROLLED_BACK), phases());
        RolledBack rolledBack;
        synchronized (events) {
            rolledBack = (RolledBack) events.stream().filter(e -> e instanceof RolledBack).findFirst().orElseThrow();
        }
        assertEquals(Color.BLUE, rolledBack.result().to());
        assertTrue(rolledBack.reason().contains("post-switch gate 'errors' FAILED"), rolledBack.reason());
    }

    @Test
    void aFailedVerificationAfterTheSwitchRollsBack() {
        platform.on(Op.VERIFY, color -> {
            if (color.equals(Color.GREEN)) {
                throw new VerificationException("Service shop/app-service still lists blue pods");
            }
        });

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome());
        assertEquals("Service shop/app-service still lists blue pods", result.error().orElseThrow().getMessage());
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void aConflictFromAnEditThatLeftTheRoutingAloneIsReDecidedOnAFreshReadAndSwitches() {
        platform.conflictOnNextSwitches(1);

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "scale-down blue"), platform.writes());
    }

    @Test
    void aConflictThatKeepsComingAbortsAndLeavesTrafficWhereItWas() {
        platform.conflictOnNextSwitches(5);

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertInstanceOf(SwitchConflictException.class, result.error().orElseThrow());
        assertEquals(Color.BLUE, platform.live());
        assertEquals(List.of(Phase.PREPARING, Phase.SWITCHING, Phase.ABORTING, Phase.ABORTED), phases());
        assertEquals(List.of("deploy green app:v2 x3", "scale-down green"), platform.writes());
    }

    @Test
    void aSwitchBySomeoneElseBetweenReadAndWriteStopsTheReleaseWithoutAnyWriteOfItsOwn() {
        platform.on(Op.SWITCH, color -> {
            platform.on(Op.SWITCH, c -> { });
            platform.foreignSwitch(Color.of("red"));
        });

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException error = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(Color.of("red"), error.seen());
        assertEquals(List.of("deploy green app:v2 x3", "foreign switch ->red"), platform.writes(),
                "neither switched back nor given up: the operator's change stands");
        assertEquals(Color.of("red"), result.liveColor().orElseThrow());
    }

    @Test
    void aConflictWhileSwitchingBackIsRetriedWithAFreshRead() {
        platform.on(Op.SWITCH, color -> {
            if (color.equals(Color.BLUE)) {
                platform.on(Op.SWITCH, c -> { });
                platform.conflictOnNextSwitches(1);
            }
        });

        ReleaseResult result = engine.run(platform.plan().postSwitchGate(failing("errors")).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void rollbackIsRefusedWhenThePreviousColorHasNoReadyBackendsAndTheReleaseFails() {
        platform.on(Op.VERIFY, color -> platform.ready(Color.BLUE, false));

        ReleaseResult result = engine.run(platform.plan().postSwitchGate(failing("errors")).build());

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(Color.GREEN, result.liveColor().orElseThrow(), "traffic stays where there are ready backends");
        assertTrue(result.warnings().get(0).startsWith("switching traffic back to blue failed"), result.warnings().toString());
        assertEquals(StepStatus.FAILED, result.step("rollback").orElseThrow().status());
        assertFalse(platform.writes().contains("scale-down green"), "the color carrying traffic is never scaled down");
    }

    @Test
    void theManualRollbackPolicyLeavesTrafficOnTheNewColorAndFails() {
        ReleaseResult result = engine.run(platform.plan().postSwitchGate(failing("errors"))
                .rollbackPolicy(RollbackPolicy.MANUAL).build());

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertEquals(List.of(Phase.PREPARING, Phase.SWITCHING, Phase.OBSERVING, Phase.FAILED), phases());
    }

    @Test
    void customStepsRunWhereTheyArePlacedAndAreCompensatedInReverseOrderOnRollback() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CustomStep migrate = CustomStep.named("migrate").action(ctx -> log.add("migrate " + ctx.targetColor()))
                .compensation(ctx -> log.add("undo migrate")).build();
        CustomStep flag = CustomStep.named("flag").action(ctx -> log.add("flag on"))
                .compensation(ctx -> log.add("flag off")).build();
        CustomStep notify = CustomStep.of("notify", ctx -> log.add("notify"));

        ReleaseResult result = engine.run(platform.plan()
                .stepBefore(StandardStep.SWITCH, migrate)
                .stepAfter(StandardStep.SWITCH, flag)
                .stepAfter(StandardStep.DEPLOY, notify)
                .postSwitchGate(failing("errors"))
                .build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome());
        assertEquals(List.of("notify", "migrate green", "flag on", "undo migrate", "flag off").size(), log.size());
        assertEquals(List.of("notify", "migrate green", "flag on", "flag off", "undo migrate"), log);
        assertEquals(List.of("preflight", "deploy", "notify", "await-ready", "pre-switch-gates", "migrate", "switch",
                "flag", "observe", "rollback", "compensate:flag", "compensate:migrate", "discard-candidate"), stepNames(result));
    }

    @Test
    void aFailingCustomStepBeforeTheSwitchAbortsAndCompensatesEarlierSteps() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ReleaseResult result = engine.run(platform.plan()
                .stepAfter(StandardStep.DEPLOY, CustomStep.named("migrate").action(ctx -> log.add("migrate"))
                        .compensation(ctx -> log.add("undo migrate")).build())
                .stepBefore(StandardStep.SWITCH, CustomStep.of("flip-flag", ctx -> {
                    throw new IllegalStateException("flag service answered 503");
                }))
                .build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of("migrate", "undo migrate"), log);
        assertEquals("release r-1 of shop/app: step 'flip-flag' failed: IllegalStateException: flag service answered 503",
                result.error().orElseThrow().getMessage());
        assertInstanceOf(IllegalStateException.class, result.error().orElseThrow().getCause());
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void aFailingCompensationMakesTheReleaseFailedAndSaysWhich() {
        ReleaseResult result = engine.run(platform.plan()
                .stepAfter(StandardStep.DEPLOY, CustomStep.named("migrate").action(ctx -> { })
                        .compensation(ctx -> {
                            throw new IllegalStateException("rollback.sql failed");
                        }).build())
                .preSwitchGate(failing("smoke"))
                .build());

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals(List.of("compensation of step 'migrate' failed: release r-1 of shop/app: step "
                + "'compensate:migrate' failed: IllegalStateException: rollback.sql failed"), result.warnings());
    }

    @Test
    void aCustomStepThatOverrunsItsTimeoutIsInterruptedAndTheReleaseAborts() {
        CountDownLatch interrupted = new CountDownLatch(1);
        CustomStep hang = CustomStep.named("hang").timeout(Duration.ofMillis(50)).action(ctx -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }).build();

        ReleaseResult result = engine.run(platform.plan().stepAfter(StandardStep.DEPLOY, hang).build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(0, interrupted.getCount(), "the step's thread was interrupted");
        StepRecord record = result.step("hang").orElseThrow();
        assertEquals(StepStatus.TIMED_OUT, record.status());
        assertEquals("release r-1 of shop/app: step 'hang' did not finish within PT0.05S",
                result.error().orElseThrow().getMessage());
    }

    @Test
    void cleanUpActionsRunWhateverTheOutcomeInReverseOrder() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CustomStep createTemp = CustomStep.of("create-temp", ctx -> {
            ctx.registerCleanUp("delete first", c -> log.add("delete first"));
            ctx.registerCleanUp("delete second", c -> log.add("delete second"));
        });

        ReleaseResult aborted = engine.run(platform.plan().stepAfter(StandardStep.DEPLOY, createTemp)
                .preSwitchGate(failing("smoke")).build());

        assertEquals(Outcome.ABORTED, aborted.outcome());
        assertEquals(List.of("delete second", "delete first"), log);
        assertEquals("2 clean-up actions done", aborted.step("clean-up").orElseThrow().detail());
    }

    @Test
    void aListenerThatThrowsNeverChangesTheOutcome() {
        ReleaseEngine fragile = ReleaseEngine.builder().time(time).listener(event -> {
            throw new IllegalStateException("listener bug");
        }).listener(events::add).build();

        ReleaseResult result = fragile.run(platform.plan().build());

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertFalse(events.isEmpty(), "listeners after the failing one still receive events");
    }

    @Test
    void cancellingWhileWaitingForReadinessAbortsAndLeavesTrafficUntouched() throws Exception {
        CountDownLatch waiting = platform.blockReadiness(new CompletableFuture<>());

        ReleaseExecution execution = engine.start(platform.plan().build());
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        assertTrue(execution.cancel());
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(StepStatus.CANCELLED, result.step("await-ready").orElseThrow().status());
        assertInstanceOf(ReleaseCancelledException.class, result.error().orElseThrow());
        assertEquals("release r-1 of shop/app was cancelled during step 'await-ready'",
                result.error().orElseThrow().getMessage());
        assertEquals(Color.BLUE, platform.live());
        assertEquals(List.of("deploy green app:v2 x3", "scale-down green"), platform.writes());
        assertFalse(execution.cancel(), "a second cancel has nothing to do");
    }

    @Test
    void interruptingTheCallingThreadCancelsTheReleaseAndKeepsTheInterruptFlag() throws Exception {
        CountDownLatch waiting = platform.blockReadiness(new CompletableFuture<>());
        ReleaseResult[] result = new ReleaseResult[1];
        boolean[] flagAfterReturn = new boolean[1];
        Thread caller = new Thread(() -> {
            result[0] = engine.run(platform.plan().build());
            flagAfterReturn[0] = Thread.currentThread().isInterrupted();
        });
        caller.start();
        assertTrue(waiting.await(5, TimeUnit.SECONDS));

        caller.interrupt();
        caller.join(10_000);

        assertEquals(Outcome.ABORTED, result[0].outcome());
        assertTrue(flagAfterReturn[0], "run() restores the interrupt flag");
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void cancellingDuringObservationRollsBack() throws Exception {
        CountDownLatch observing = new CountDownLatch(1);
        HealthGate slow = HealthGate.named("slow", context -> {
            observing.countDown();
            new CountDownLatch(1).await();
            return GateResult.passed("never");
        });

        ReleaseExecution execution = engine.start(platform.plan().postSwitchGate(slow).build());
        assertTrue(observing.await(5, TimeUnit.SECONDS));
        assertEquals(Phase.OBSERVING, execution.phase());
        execution.cancel();
        ReleaseResult result = execution.await();

        assertEquals(Outcome.ROLLED_BACK, result.outcome());
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void cancellingDuringRetentionKeepsTheReleaseSucceededAndSaysThePreviousColorStillRuns() throws Exception {
        CountDownLatch retaining = new CountDownLatch(1);
        TimeSource blockingSleep = new TimeSource() {
            @Override
            public Instant now() {
                return time.now();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                retaining.countDown();
                new CountDownLatch(1).await();
            }
        };
        ReleaseExecution execution = ReleaseEngine.builder().time(blockingSleep).build().start(platform.plan().build());
        assertTrue(retaining.await(5, TimeUnit.SECONDS));
        execution.cancel();
        ReleaseResult result = execution.await();

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertEquals(StepStatus.CANCELLED, result.step("retire-previous").orElseThrow().status());
        assertFalse(platform.writes().contains("scale-down blue"));
        assertTrue(result.warnings().get(0).startsWith("step 'retire-previous' cancelled after the release was committed"),
                result.warnings().toString());
        assertEquals("cancelled after the release was committed; skipped: [clean-up]", result.warnings().get(1));
    }

    @Test
    void cancellingBeforeTheReleaseStartsAbortsWithoutAnyWrite() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        // cancel() races the start; either way nothing may be written
        ReleaseExecution execution = engine.start(platform.plan().stepAfter(StandardStep.PREFLIGHT,
                CustomStep.of("hold", ctx -> hold.await())).build());
        execution.cancel();
        ReleaseResult result = execution.await();

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of(), platform.writes());
    }

    @Test
    void preflightReportsEveryProblemAtOnceAndChangesNothing() {
        platform.on(Op.CHECK_ROUTABLE, color -> {
            throw new PreflightException("x", List.of("Service shop/app-service does not select by label 'version'"));
        });
        platform.on(Op.CHECK_DEPLOYABLE, color -> {
            throw new PreflightException("x", List.of("Deployment shop/app-green does not exist"));
        });

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.ABORTED, result.outcome());
        PreflightException error = assertInstanceOf(PreflightException.class, result.error().orElseThrow());
        assertEquals(List.of("Service shop/app-service does not select by label 'version'",
                "Deployment shop/app-green does not exist"), error.problems());
        assertTrue(error.getMessage().startsWith("preflight of release r-1 of shop/app to app:v2 failed, "
                + "nothing was changed (2 problems):"), error.getMessage());
        assertEquals(List.of(), platform.writes());
        assertFalse(result.step("discard-candidate").isPresent(), "nothing was deployed, so nothing is scaled down");
    }

    @Test
    void aLiveColorOutsideTheEnvironmentsColorsIsAPreflightError() {
        platform.foreignSwitch(Color.of("red"));

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals("preflight of choice of the idle color failed, nothing was changed: "
                + "Service shop/app-service selects color 'red', which is not one of [blue, green]",
                result.error().orElseThrow().getMessage());
    }

    @Test
    void aLiveColorWithoutReplicasNeedsExplicitReplicas() {
        platform.replicas(Color.BLUE, 0);

        ReleaseResult result = engine.run(platform.plan().build());
        assertEquals(Outcome.ABORTED, result.outcome());
        assertTrue(result.error().orElseThrow().getMessage().endsWith("Deployment shop/app-blue asks for 0 replicas, "
                + "so there is no replica count to match; set the plan's replicas explicitly"));

        platform.replicas(Color.BLUE, 0);
        ReleaseResult explicit = engine.run(platform.plan().replicas(2).preSwitchGate(failing("smoke")).build());
        assertEquals("deploy green app:v2 x2", platform.writes().get(platform.writes().size() - 2));
        assertEquals(Outcome.ABORTED, explicit.outcome());
    }

    @Test
    void keepingThePreviousColorSkipsItsRetirement() {
        ReleaseResult result = engine.run(platform.plan().retention(Retention.keepRunning()).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(StepStatus.SKIPPED, result.step("retire-previous").orElseThrow().status());
        assertEquals(3, platform.replicasOf(Color.BLUE));
    }

    @Test
    void aFailureAfterCommitIsAWarningNotARollback() {
        platform.on(Op.SCALE_DOWN, color -> {
            throw new ClusterApiException("patch of Deployment shop/app-blue failed: 500", 500, null);
        });

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(Color.GREEN, platform.live());
        assertEquals(List.of("step 'retire-previous' failed after the release was committed: "
                + "patch of Deployment shop/app-blue failed: 500"), result.warnings());
    }

    @Test
    void aGateThatThrowsIsInconclusiveAndDoesNotPass() {
        ReleaseResult result = engine.run(platform.plan().preSwitchGate(HealthGate.named("smoke", context -> {
            throw new java.io.IOException("connection refused");
        })).build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(GateStatus.INCONCLUSIVE, result.gateEvaluations().get(0).result().status());
        assertEquals("gate 'smoke' threw IOException: connection refused", result.gateEvaluations().get(0).result().reason());
    }

    @Test
    void postSwitchGatesRunSideBySideAndTheFirstFailureStopsTheOthers() {
        CountDownLatch endlessStarted = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        HealthGate endless = HealthGate.named("endless", context -> {
            try {
                endlessStarted.countDown();
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                stopped.countDown();
                throw e;
            }
            return GateResult.passed("never");
        });
        HealthGate failsWhileTheOtherRuns = HealthGate.named("errors", context -> {
            endlessStarted.await();
            return GateResult.failed("error rate 7% above 5%");
        });

        ReleaseResult result = engine.run(platform.plan().postSwitchGate(endless).postSwitchGate(failsWhileTheOtherRuns).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome());
        assertEquals(0, stopped.getCount(), "the other gate was interrupted, and ended before the rollback");
    }

    @Test
    void aReleaseRunsOnlyOnceFromItsPlanButThePlanCanBeRunAgain() {
        ReleasePlan plan = platform.plan().build();
        assertEquals(Outcome.SUCCEEDED, engine.run(plan).outcome());
        // blue was retired; green is live: the same plan now deploys to blue
        platform.replicas(Color.BLUE, 0);
        ReleaseResult second = engine.run(plan.toBuilder().replicas(3).build());
        assertEquals(Outcome.SUCCEEDED, second.outcome(), second::summary);
        assertEquals(Color.BLUE, second.liveColor().orElseThrow());
    }

    @Test
    void theSummaryListsEveryStepWithItsDuration() {
        ReleaseResult result = engine.run(platform.plan().preSwitchGate(failing("smoke")).build());

        String summary = result.summary();
        assertTrue(summary.startsWith("release r-1 of shop/app -> app:v2: ABORTED in 0 ms (previous blue, target green, live now blue)"), summary);
        assertTrue(summary.contains("pre-switch-gates         FAILED"), summary);
        assertTrue(summary.contains("error: release r-1 of shop/app: pre-switch gate 'smoke' FAILED"), summary);
    }

    private static ReleaseListener atStep(String step, Runnable action) {
        return event -> {
            if (event instanceof StepStarted && ((StepStarted) event).step().equals(step)) {
                action.run();
            }
        };
    }

    @Test
    void aSwitchBySomeoneElseRightBeforeTheDeployStopsTheReleaseEvenWhenTheRouteWatchHasNotSeenItYet() {
        platform.laggingWatch();

        ReleaseResult result = engine.run(platform.plan().build(),
                atStep("deploy", () -> platform.foreignSwitch(Color.GREEN)));

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(List.of("foreign switch ->green"), platform.writes(), "green, now live, is not redeployed");
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
    }

    @Test
    void aSwitchBackBySomeoneElseRightBeforeRetirementIsNeverScaledDownEvenWhenTheRouteWatchHasNotSeenItYet() {
        platform.laggingWatch();

        ReleaseResult result = engine.run(platform.plan().build(),
                atStep("retire-previous", () -> platform.foreignSwitch(Color.BLUE)));

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "foreign switch ->blue"), platform.writes(),
                "blue, live again, is not scaled down");
        assertEquals(3, platform.replicasOf(Color.BLUE));
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
    }

    @Test
    void aSwitchBySomeoneElseAfterTheCommitThatNoWatchReportedMakesTheReleaseFailedNotSucceeded() {
        platform.laggingWatch();

        ReleaseResult result = engine.run(platform.plan().build(),
                atStep("clean-up", () -> platform.foreignSwitch(Color.BLUE)));

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException error = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertTrue(error.getMessage().contains("after release r-1 of shop/app was committed"), error.getMessage());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow(), "the result names the color the router selects");
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green", "scale-down blue", "foreign switch ->blue"),
                platform.writes(), "nothing is switched back");
    }

    @Test
    void aCancelArrivingWhileAGateSleepRenewsTheLockNeverInterruptsTheRenewalWrite() throws Exception {
        CompletableFuture<ReleaseExecution> execution = new CompletableFuture<>();
        List<Boolean> interruptedWhileWriting = Collections.synchronizedList(new ArrayList<>());
        ReleaseStore store = new ForwardingStore(platform.store()) {
            @Override
            void renew(LockHandle handle) {
                // The host cancels while the renewal is on the wire.
                execution.join().cancel();
                interruptedWhileWriting.add(Thread.currentThread().isInterrupted());
                handle.renew();
            }
        };
        ReleasePlan plan = platform.plan().store(store)
                .postSwitchGate(HealthGate.observe(passing("errors")).every(Duration.ofMinutes(1)).lasting(Duration.ofMinutes(5)).build())
                .build();

        execution.complete(engine.start(plan));
        ReleaseResult result = execution.get().await();

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertFalse(interruptedWhileWriting.isEmpty(), "the window's sleep renewed the lock");
        assertEquals(List.of(false), interruptedWhileWriting.subList(0, 1), "the renewal write was not interrupted");
    }

    @Test
    void rollingBackACrashedReleaseWhoseSwitchWasSentFencesTheRouterSoThatTheSwitchStillInFlightCanNeverLand() {
        // The crashed release deployed green, recorded that its switch may have been written, sent it, and died
        // while the write was still on the wire, decided on the router as it was then.
        platform.foreignDeploy(Color.GREEN, "app:v2");
        platform.replicas(Color.GREEN, 3).ready(Color.GREEN, true);
        RouteState decidedOn = platform.switcher().read(Deadline.after(Duration.ofSeconds(1)));
        AppId app = AppId.of("shop", "app");
        ReleaseRecord crashed = new ReleaseRecord("r-0", app, "app:v2", "r-0@gone", Phase.SWITCHING, "switch", Color.BLUE,
                Color.GREEN, Map.of(Color.BLUE, new ReleaseRecord.ColorSnapshot("app:v1", 3),
                Color.GREEN, new ReleaseRecord.ColorSnapshot("app:v1", 0)), true, false, List.of(), null, T0, T0);
        platform.store().acquire(app, "r-0@gone", crashed, Deadline.after(Duration.ofSeconds(1)));
        time.advance(Duration.ofMinutes(1));

        ReleaseResult recovered = engine.recover(platform.plan().build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals(0, platform.replicasOf(Color.GREEN), "the candidate was given up");
        assertTrue(platform.writes().contains("fence"), platform.writes().toString());
        // The crashed release's switch arrives now: it was decided on a revision the fence made stale.
        assertThrows(SwitchConflictException.class, () -> platform.switcher().switchTo(Color.GREEN, decidedOn,
                Deadline.after(Duration.ofSeconds(1))));
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void rollingBackACrashedCommittedReleaseFencesThePreviousColorSoThatARetirementStillInFlightCanNeverLand() {
        // The crashed release switched to green, was committed, and died while its scale-down of blue, decided
        // on blue as it was then, was still on the wire.
        platform.foreignDeploy(Color.GREEN, "app:v2");
        platform.replicas(Color.GREEN, 3).ready(Color.GREEN, true);
        platform.foreignSwitch(Color.GREEN);
        EnvironmentState blueAsDecided = platform.environments().read(Color.BLUE, Deadline.after(Duration.ofSeconds(1)));
        AppId app = AppId.of("shop", "app");
        ReleaseRecord crashed = new ReleaseRecord("r-0", app, "app:v2", "r-0@gone", Phase.FINISHING, "retire-previous",
                Color.BLUE, Color.GREEN, Map.of(Color.BLUE, new ReleaseRecord.ColorSnapshot("app:v1", 3),
                Color.GREEN, new ReleaseRecord.ColorSnapshot("app:v1", 0)), true, true, List.of(), null, T0, T0);
        platform.store().acquire(app, "r-0@gone", crashed, Deadline.after(Duration.ofSeconds(1)));
        time.advance(Duration.ofMinutes(1));

        ReleaseResult recovered = engine.recover(platform.plan().build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals(Color.BLUE, platform.live());
        assertTrue(platform.writes().contains("fence blue"), platform.writes().toString());
        assertFalse(platform.lateScale(Color.BLUE, 0, blueAsDecided.revision()),
                "the scale-down still on the wire is refused: " + platform.writes());
        assertEquals(3, platform.replicasOf(Color.BLUE));
    }

    @Test
    void rollingForwardACrashedRollbackFencesTheRouterAndTheNewColorSoThatItsWritesStillInFlightCanNeverLand() {
        // The crashed release switched to green, its observation failed, and it died while rolling back: its
        // switch back to blue and its giving up of green, both decided on the state as it was then, on the wire.
        platform.foreignDeploy(Color.GREEN, "app:v2");
        platform.replicas(Color.GREEN, 3).ready(Color.GREEN, true);
        platform.foreignSwitch(Color.GREEN);
        RouteState routeAsDecided = platform.switcher().read(Deadline.after(Duration.ofSeconds(1)));
        EnvironmentState greenAsDecided = platform.environments().read(Color.GREEN, Deadline.after(Duration.ofSeconds(1)));
        AppId app = AppId.of("shop", "app");
        ReleaseRecord crashed = new ReleaseRecord("r-0", app, "app:v2", "r-0@gone", Phase.ROLLING_BACK, "rollback",
                Color.BLUE, Color.GREEN, Map.of(Color.BLUE, new ReleaseRecord.ColorSnapshot("app:v1", 3),
                Color.GREEN, new ReleaseRecord.ColorSnapshot("app:v1", 0)), true, false, List.of(), null, T0, T0);
        platform.store().acquire(app, "r-0@gone", crashed, Deadline.after(Duration.ofSeconds(1)));
        time.advance(Duration.ofMinutes(1));

        ReleaseResult recovered = engine.recover(platform.plan().build(), RecoveryPolicy.ROLL_FORWARD);

        assertEquals(Outcome.SUCCEEDED, recovered.outcome(), recovered::summary);
        assertEquals(0, platform.replicasOf(Color.BLUE), "blue was retired");
        assertTrue(platform.writes().containsAll(List.of("fence", "fence green")), platform.writes().toString());
        assertThrows(SwitchConflictException.class, () -> platform.switcher().switchTo(Color.BLUE, routeAsDecided,
                Deadline.after(Duration.ofSeconds(1))), "the switch back still on the wire is refused");
        assertFalse(platform.lateScale(Color.GREEN, 0, greenAsDecided.revision()),
                "the giving up of green still on the wire is refused: " + platform.writes());
        assertEquals(Color.GREEN, platform.live());
        assertEquals(3, platform.replicasOf(Color.GREEN));
    }

    @Test
    void theRouterIsReadRightBeforeThePreviousColorIsRetiredSoASwitchBackDuringTheRetirementsReadsIsSeen() {
        platform.on(Op.READ, color -> {
            if (color.equals(Color.BLUE) && platform.live().equals(Color.GREEN) && platform.replicasOf(Color.GREEN) > 0) {
                platform.foreignSwitch(Color.BLUE);
            }
        });

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertFalse(platform.writes().contains("scale-down blue"), platform.writes().toString());
        assertEquals(3, platform.replicasOf(Color.BLUE));
    }
}
