package dev.bluegreen;

import dev.bluegreen.FakePlatform.Op;
import dev.bluegreen.spi.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant I4, second half: a release whose process died is never ignored. The next release
 * refuses to run over it; recovery rolls it back exactly as its record says, or finishes it when
 * its new color is healthy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrashRecoveryTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AppId APP = AppId.of("shop", "app");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final ScheduledExecutorService crashedScheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "crashed-engine-scheduler");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private Crash crash;
    private ReleaseExecution crashed;

    /** A new engine, as a new process would build it. */
    private ReleaseEngine engine() {
        return ReleaseEngine.builder().time(time).host("host-b").releaseIds(() -> "r-next").build();
    }

    private CustomStep migrate() {
        return CustomStep.named("migrate").action(ctx -> log.add("migrate " + ctx.targetColor()))
                .compensation(ctx -> log.add("undo migrate")).build();
    }

    private static HealthGate passing(String name) {
        return HealthGate.named(name, context -> GateResult.passed(name + " ok"));
    }

    private static HealthGate failing(String name) {
        return HealthGate.named(name, context -> GateResult.failed("error rate 7% above 5%"));
    }

    private ReleasePlan.Builder plan() {
        return platform.plan().stepBefore(StandardStep.SWITCH, migrate()).preSwitchGate(passing("smoke"))
                .postSwitchGate(passing("errors"));
    }

    /**
     * Starts a release that dies as {@code crash} says: its thread stops for good, its engine's
     * scheduler is shut down so nobody renews its lock, and the clock moves past the lease.
     */
    private void crash(Crash how, ReleasePlan plan) throws InterruptedException {
        crash(how, plan, true);
    }

    private void crash(Crash how, ReleasePlan plan, boolean leaseRunsOut) throws InterruptedException {
        crash = how;
        ReleaseEngine doomed = ReleaseEngine.builder().time(time).host("host-a").releaseIds(() -> "r-crashed")
                .scheduler(crashedScheduler).listener(how).build();
        crashed = doomed.start(plan);
        assertTrue(how.awaitCrash(), "the release reached its crash point");
        crashedScheduler.shutdownNow();
        assertTrue(crashedScheduler.awaitTermination(10, TimeUnit.SECONDS), "no renewal is under way any more");
        if (leaseRunsOut) {
            time.advance(Duration.ofSeconds(16));
        }
    }

    private void crashAt(String step, ReleasePlan plan) throws InterruptedException {
        crash(new Crash(step), plan);
    }

    /** The crashed thread goes on after every test: it must not write anything, whatever it does. */
    @AfterEach
    void wakeTheCrashedRelease() throws Exception {
        if (crash != null) {
            List<String> writes = platform.writes();
            crash.wake();
            assertTrue(crashed.await(Duration.ofSeconds(10)).isPresent(), "the crashed release ended once woken");
            assertEquals(writes, platform.writes(), "the woken release wrote nothing");
        }
        crashedScheduler.shutdownNow();
    }

    private ReleaseRecord record() {
        return platform.store().read(APP, Deadline.after(Duration.ofSeconds(1))).record().orElseThrow();
    }

    /**
     * Where the process dies, the plan it ran, what its record says then, and what it had done:
     * deployed the candidate, completed the custom step 'migrate', switched, retired blue.
     */
    static Stream<Arguments> crashPoints() {
        return Stream.of(
                Arguments.of("deploy", "", Phase.PREPARING, false, false, false, false),
                Arguments.of("await-ready", "", Phase.PREPARING, true, false, false, false),
                Arguments.of("pre-switch-gates", "", Phase.PREPARING, true, false, false, false),
                Arguments.of("migrate", "", Phase.PREPARING, true, false, false, false),
                Arguments.of("switch", "", Phase.SWITCHING, true, true, false, false),
                Arguments.of("observe", "", Phase.OBSERVING, true, true, true, false),
                Arguments.of("retire-previous", "", Phase.FINISHING, true, true, true, false),
                Arguments.of("clean-up", "", Phase.FINISHING, true, true, true, true),
                Arguments.of("rollback", "failing post-switch gate", Phase.ROLLING_BACK, true, true, true, false),
                Arguments.of("discard-candidate", "failing pre-switch gate", Phase.ABORTING, true, false, false, false));
    }

    /** An abort is recorded as one step before its compensations and the discard. */
    private static String recordedStep(String crashedAt) {
        return crashedAt.equals("discard-candidate") ? "abort" : crashedAt;
    }

    private ReleasePlan planFor(String variant) {
        if (variant.equals("failing post-switch gate")) {
            return platform.plan().stepBefore(StandardStep.SWITCH, migrate()).postSwitchGate(failing("errors")).build();
        }
        if (variant.equals("failing pre-switch gate")) {
            return platform.plan().stepBefore(StandardStep.SWITCH, migrate()).preSwitchGate(failing("smoke")).build();
        }
        return plan().build();
    }

    @ParameterizedTest(name = "crash at {0}")
    @MethodSource("crashPoints")
    void theNextReleaseRefusesToRunOverACrashedOneNamingItAndHowToRecoverAndChangesNothing(
            String step, String variant, Phase phase, boolean deployed, boolean migrated, boolean switched,
            boolean retired) throws Exception {
        ReleasePlan plan = planFor(variant);
        crashAt(step, plan);
        List<String> writes = platform.writes();
        ReleaseRecord unfinished = record();
        assertEquals(recordedStep(step), unfinished.step());
        assertEquals(phase, unfinished.phase());

        ReleaseResult next = engine().run(plan.toBuilder().version("app:v3").build());

        assertEquals(Outcome.ABORTED, next.outcome(), next::summary);
        UnfinishedReleaseException refused = assertInstanceOf(UnfinishedReleaseException.class, next.error().orElseThrow());
        assertEquals("r-crashed", refused.record().releaseId());
        String message = refused.getMessage();
        assertTrue(message.startsWith("release r-next of shop/app to app:v3 did not start: the last release r-crashed "
                + "never finished and its holder r-crashed@host-a is gone"), message);
        assertTrue(message.contains("it stopped at step '" + unfinished.step() + "' in phase " + phase), message);
        assertTrue(message.contains("blue is its rollback target"), message);
        assertTrue(message.endsWith(". Nothing was changed. Recover it with ReleaseEngine.recover(plan, "
                + "RecoveryPolicy.ROLL_BACK) (or ROLL_FORWARD to finish it if its new color is healthy), or set the "
                + "plan's recovery policy"), message);
        assertEquals(writes, platform.writes(), "the refused release wrote nothing");
        assertEquals(unfinished, record(), "and left the record as it was");
        assertTrue(engine().status(plan).abandoned());
    }

    @ParameterizedTest(name = "crash at {0}")
    @MethodSource("crashPoints")
    void rollingBackACrashedReleaseRestoresRoutingAndThePreviousColorAsItsRecordSaysAndGivesUpTheCandidate(
            String step, String variant, Phase phase, boolean deployed, boolean migrated, boolean switched,
            boolean retired) throws Exception {
        ReleasePlan plan = planFor(variant);
        crashAt(step, plan);
        assertEquals(switched ? Color.GREEN : Color.BLUE, platform.live());
        assertEquals(retired ? 0 : 3, platform.replicasOf(Color.BLUE));
        int writesBefore = platform.writes().size();
        log.clear();

        ReleaseResult recovered = engine().recover(plan, RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals("r-crashed", recovered.releaseId());
        assertEquals("release r-crashed of shop/app was rolled back by recovery: its process was lost at step '"
                + recordedStep(step) + "' in phase " + phase, recovered.error().orElseThrow().getMessage());
        assertEquals(Color.BLUE, recovered.liveColor().orElseThrow());
        assertEquals(Color.BLUE, platform.live());
        assertEquals("app:v1", platform.versionOf(Color.BLUE));
        assertEquals(3, platform.replicasOf(Color.BLUE), "the previous color has the replicas it had before");
        assertTrue(platform.readyOf(Color.BLUE));
        assertEquals(deployed ? "app:v2" : "app:v1", platform.versionOf(Color.GREEN));
        assertEquals(0, platform.replicasOf(Color.GREEN), "the candidate was given up (or never got replicas)");
        assertEquals(migrated ? List.of("undo migrate") : List.of(), log, "completed custom steps are compensated");
        List<String> recoveryWrites = changes(platform.writes().subList(writesBefore, platform.writes().size()));
        List<String> expected = new ArrayList<>();
        if (retired) {
            expected.add("restore blue x3");
        }
        if (switched) {
            expected.add("switch green->blue");
        }
        if (deployed) {
            expected.add("scale-down green");
        }
        assertEquals(expected, recoveryWrites);
        assertEquals(deployed ? StepStatus.SUCCEEDED : StepStatus.SKIPPED,
                recovered.step("discard-candidate").orElseThrow().status());
        assertTrue(recovered.warnings().isEmpty(), recovered.warnings().toString());

        ReleaseStatus status = engine().status(plan);
        assertEquals(Outcome.ROLLED_BACK, status.record().orElseThrow().outcome());
        assertFalse(status.running());
        assertFalse(status.abandoned());
        ReleaseResult next = engine().run(platform.plan().version("app:v3").build());
        assertEquals(Outcome.SUCCEEDED, next.outcome(), next::summary);
    }

    @Test
    void aCrashDuringRetirementAfterThePreviousColorWasScaledDownIsRolledBackByBringingItsReplicasBackBeforeSwitching()
            throws Exception {
        Crash afterRetire = new Crash(null);
        // the router is read right after the retire write: blue is already scaled down when the process dies
        platform.on(Op.LIVE, color -> {
            if (platform.replicasOf(Color.BLUE) == 0) {
                afterRetire.here();
            }
        });
        List<String> atSwitchBack = Collections.synchronizedList(new ArrayList<>());
        platform.on(Op.SWITCH, color -> {
            if (color.equals(Color.BLUE)) {
                atSwitchBack.add("blue has " + platform.replicasOf(Color.BLUE) + " replicas, ready "
                        + platform.readyOf(Color.BLUE));
            }
        });
        crash(afterRetire, plan().build());
        assertEquals(0, platform.replicasOf(Color.BLUE));
        assertEquals(Phase.FINISHING, record().phase());
        assertTrue(record().committed());
        int writesBefore = platform.writes().size();

        ReleaseResult recovered = engine().recover(plan().build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals(List.of("fence blue", "restore blue x3", "switch green->blue", "scale-down green"),
                platform.writes().subList(writesBefore, platform.writes().size()),
                "the previous color is fenced first, so a retirement still in flight can no longer land");
        assertEquals(List.of("blue has 3 replicas, ready true"), atSwitchBack, "traffic went back only to a ready color");
        assertEquals(List.of("recover", "restore-previous", "rollback", "compensate:migrate", "discard-candidate"),
                recovered.timeline().stream().map(StepRecord::name).collect(Collectors.toList()));
        assertEquals("Deployment shop/app-blue runs app:v1, 3 of 3 available (restored to 3 replicas)",
                recovered.step("restore-previous").orElseThrow().detail());
    }

    @Test
    void aCrashDuringTheSwitchWriteIsFencedBeforeTheRecoveryTrustsTheRouter() throws Exception {
        Crash duringSwitch = new Crash(null);
        platform.on(Op.SWITCH, color -> {
            if (color.equals(Color.GREEN)) {
                duringSwitch.here();
            }
        });
        crash(duringSwitch, plan().build());
        assertTrue(record().switchSent(), "the record says the switch may have been written");
        assertEquals(Color.BLUE, platform.live());
        int writesBefore = platform.writes().size();

        ReleaseResult recovered = engine().recover(plan().build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals(List.of("fence", "scale-down green"), platform.writes().subList(writesBefore, platform.writes().size()),
                "a switch still in flight from the dead process can no longer be applied once the router is fenced");
        assertEquals(Color.BLUE, recovered.liveColor().orElseThrow());
        assertEquals(List.of("undo migrate"), log.subList(log.indexOf("migrate green") + 1, log.size()));
    }

    @Test
    void rollingForwardFinishesACrashedReleaseWhoseNewColorIsLiveAndHealthy() throws Exception {
        crashAt("observe", plan().build());
        int writesBefore = platform.writes().size();

        ReleaseResult recovered = engine().recover(plan().build(), RecoveryPolicy.ROLL_FORWARD);

        assertEquals(Outcome.SUCCEEDED, recovered.outcome(), recovered::summary);
        assertEquals("r-crashed", recovered.releaseId());
        assertEquals(Color.GREEN, recovered.liveColor().orElseThrow());
        assertEquals(List.of("scale-down blue"), changes(platform.writes().subList(writesBefore, platform.writes().size())));
        assertEquals(StepStatus.SKIPPED, recovered.step("switch").orElseThrow().status());
        assertEquals("Service shop/app-service already routes to green, which runs app:v2 and is ready; nothing written",
                recovered.step("switch").orElseThrow().detail());
        assertEquals(List.of("errors"), recovered.gateEvaluations().stream().map(GateEvaluation::gate)
                .collect(Collectors.toList()), "observed with the plan's post-switch gates");
        assertEquals(Outcome.SUCCEEDED, record().outcome());
    }

    @Test
    void rollingForwardACrashedReleaseThatHadNotSwitchedRunsItsPreSwitchGatesThenSwitches() throws Exception {
        crashAt("switch", plan().build());
        int writesBefore = platform.writes().size();

        ReleaseResult recovered = engine().recover(plan().build(), RecoveryPolicy.ROLL_FORWARD);

        assertEquals(Outcome.SUCCEEDED, recovered.outcome(), recovered::summary);
        assertEquals(List.of("switch blue->green", "scale-down blue"),
                changes(platform.writes().subList(writesBefore, platform.writes().size())));
        assertEquals(List.of("smoke", "errors"), recovered.gateEvaluations().stream().map(GateEvaluation::gate)
                .collect(Collectors.toList()), "the smoke tests run again before any traffic goes to green");
    }

    @Test
    void rollingForwardACrashedReleaseWhoseSmokeTestsNowFailAbortsWithoutTouchingTrafficAndGivesUpTheNewColor()
            throws Exception {
        crashAt("switch", plan().build());
        int writesBefore = platform.writes().size();

        ReleaseResult recovered = engine().recover(plan().preSwitchGate(failing("smoke-again")).build(),
                RecoveryPolicy.ROLL_FORWARD);

        assertEquals(Outcome.ABORTED, recovered.outcome(), recovered::summary);
        assertInstanceOf(GateFailedException.class, recovered.error().orElseThrow());
        assertEquals(List.of("scale-down green"), changes(platform.writes().subList(writesBefore, platform.writes().size())));
        assertEquals(Color.BLUE, recovered.liveColor().orElseThrow());
        assertEquals(List.of("migrate green", "undo migrate"), log, "the crashed release's completed step is compensated");
        assertEquals(Outcome.ABORTED, record().outcome());
    }

    @Test
    void rollingForwardIsRefusedWithNothingChangedWhenTheNewColorIsNotHealthy() throws Exception {
        crashAt("await-ready", plan().build());
        List<String> writes = platform.writes();
        ReleaseRecord unfinished = record();

        ReleaseResult refused = engine().recover(plan().build(), RecoveryPolicy.ROLL_FORWARD);

        assertEquals(Outcome.ABORTED, refused.outcome(), refused::summary);
        assertEquals("preflight of roll forward of " + unfinished + " failed, nothing was changed: its new color green "
                + "is not healthy: Deployment shop/app-green runs app:v2, 0 of 3 available (rollout in progress); expected "
                + "it to run app:v2 with every replica available. Roll it back instead",
                refused.error().orElseThrow().getMessage());
        assertEquals(writes, platform.writes());
        assertEquals(unfinished, record(), "the record still shows the crashed release, to roll back");
        assertTrue(engine().status(plan().build()).abandoned());
    }

    @Test
    void aPlanWithRecoveryRollBackRecoversTheCrashedReleaseFirstThenRuns() throws Exception {
        crashAt("observe", plan().build());
        int writesBefore = platform.writes().size();

        ReleaseResult result = engine().run(plan().version("app:v3").recovery(RecoveryPolicy.ROLL_BACK).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("r-next", result.releaseId());
        ReleaseResult recovered = result.recovered().orElseThrow();
        assertEquals("r-crashed", recovered.releaseId());
        assertEquals(Outcome.ROLLED_BACK, recovered.outcome());
        assertEquals(List.of("switch green->blue", "scale-down green", "deploy green app:v3 x3", "switch blue->green",
                "scale-down blue"), platform.writes().subList(writesBefore, platform.writes().size()));
        assertTrue(result.summary().startsWith("recovered first: release r-crashed of shop/app -> app:v2: ROLLED_BACK"),
                result.summary());
        assertEquals("r-next", record().releaseId());
    }

    @Test
    void theColorARecoveryWouldRollBackToIsNeverDeployedOverWhenTheRecoveryFails() throws Exception {
        Crash afterRetire = new Crash(null);
        // the router is read right after the retire write: blue is already scaled down when the process dies
        platform.on(Op.LIVE, color -> {
            if (platform.replicasOf(Color.BLUE) == 0) {
                afterRetire.here();
            }
        });
        crash(afterRetire, plan().build());
        platform.on(Op.RESTORE, color -> {
            throw new ClusterApiException("patch of Deployment shop/app-blue failed: 500", 500, null);
        });
        int writesBefore = platform.writes().size();

        ReleaseResult result = engine().run(plan().version("app:v3").recovery(RecoveryPolicy.ROLL_BACK).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(Outcome.FAILED, result.recovered().orElseThrow().outcome());
        UnfinishedReleaseException error = assertInstanceOf(UnfinishedReleaseException.class, result.error().orElseThrow());
        assertTrue(error.getMessage().startsWith("release r-next of shop/app did not start: recovering the unfinished "
                + "release r-crashed per policy ROLL_BACK ended FAILED: "), error.getMessage());
        assertEquals(List.of(), changes(platform.writes().subList(writesBefore, platform.writes().size())),
                "blue, the last good version, was not deployed over");
        assertEquals("app:v1", platform.versionOf(Color.BLUE));
        assertEquals(Color.GREEN, platform.live());

        ReleaseResult again = engine().run(plan().version("app:v3").build());
        UnfinishedReleaseException stillRefused = assertInstanceOf(UnfinishedReleaseException.class,
                again.error().orElseThrow());
        assertTrue(stillRefused.getMessage().contains("ended FAILED leaving traffic on green (app:v2) while blue still "
                + "holds the last good version app:v1 x3; this release would deploy over it"), stillRefused.getMessage());
        assertEquals(List.of(), changes(platform.writes().subList(writesBefore, platform.writes().size())));
    }

    @Test
    void aPlanWithRecoveryRollForwardDoesNotStartWhenTheCrashedReleaseCannotBeFinished() throws Exception {
        crashAt("await-ready", plan().build());
        List<String> writes = platform.writes();

        ReleaseResult result = engine().run(plan().version("app:v3").recovery(RecoveryPolicy.ROLL_FORWARD).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(Outcome.ABORTED, result.recovered().orElseThrow().outcome());
        assertInstanceOf(UnfinishedReleaseException.class, result.error().orElseThrow());
        assertEquals(writes, platform.writes());
    }

    @Test
    void rollingBackWithAPlanThatLacksACompletedCustomStepSaysItsCompensationDidNotRun() throws Exception {
        crashAt("observe", plan().build());

        ReleaseResult recovered = engine().recover(platform.plan().build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals(List.of("custom step 'migrate' completed in release r-crashed, but this plan has no step of that "
                + "name: its compensation, if it has one, did not run; undo it by hand"), recovered.warnings());
        assertEquals(List.of("migrate green"), log);
    }

    @Test
    void aReleaseThatDiedBeforeTakingTheLockLeavesNothingToRecover() throws Exception {
        crashAt("preflight", plan().build());

        ReleaseResult nothing = engine().recover(plan().build(), RecoveryPolicy.ROLL_BACK);
        assertEquals(Outcome.ABORTED, nothing.outcome());
        assertEquals("nothing to recover: shop/app has no release record; nothing was changed",
                nothing.error().orElseThrow().getMessage());

        ReleaseResult next = engine().run(plan().build());
        assertEquals(Outcome.SUCCEEDED, next.outcome(), next::summary);
    }

    @Test
    void aCrashedReleaseWhoseLeaseHasNotRunOutYetCountsAsRunningAndIsNotRecoveredYet() throws Exception {
        crash(new Crash("observe"), plan().build(), false);
        List<String> writes = platform.writes();

        ReleaseResult early = engine().recover(plan().build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ABORTED, early.outcome());
        ReleaseLockedException locked = assertInstanceOf(ReleaseLockedException.class, early.error().orElseThrow());
        assertEquals("recovery of shop/app did not start: a release is running, the release lock is held by "
                + "r-crashed@host-a since 2026-01-01T00:00:00Z; nothing was changed", locked.getMessage());
        assertInstanceOf(ReleaseLockedException.class, engine().run(plan().version("app:v3").build()).error().orElseThrow());
        assertEquals(writes, platform.writes());

        time.advance(Duration.ofSeconds(16));
        ReleaseStatus status = engine().status(plan().build());
        assertTrue(status.abandoned(), status::toString);
        assertTrue(status.toString().endsWith("; ABANDONED (its holder is gone): recover it"), status.toString());
        assertEquals(Outcome.ROLLED_BACK, engine().recover(plan().build(), RecoveryPolicy.ROLL_BACK).outcome());
    }

    /**
     * @return the writes that change what runs or where traffic goes: fences (a conditioned write of
     *         the SDK's own marker, so that a write of the crashed process still in flight cannot land)
     *         are left out
     */
    private static List<String> changes(List<String> writes) {
        return writes.stream().filter(w -> !w.startsWith("fence")).collect(Collectors.toList());
    }
}
