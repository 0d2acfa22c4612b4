package dev.bluegreen;

import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.Deadline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine on a platform whose colors are revisions it names at deploy time and whose own
 * controller scales them (Argo Rollouts): the core assumes neither label colors nor that it scales.
 */
class RevisionPlatformTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Color REV_1 = Color.of("rev-1");
    private static final Color REV_2 = Color.of("rev-2");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final RevisionPlatform platform = new RevisionPlatform(time);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).releaseIds(() -> "r-1").build();

    private static HealthGate failing(String name) {
        return HealthGate.named(name, context -> GateResult.failed("error rate 7% above 5%"));
    }

    private List<String> steps(ReleaseResult result) {
        return result.timeline().stream().map(StepRecord::name).collect(Collectors.toList());
    }

    private void assertTheEngineScaledNothing() {
        assertEquals(List.of(), platform.scalesAskedOfTheEngine());
        assertEquals(3, platform.replicasOf("rev-1"), "only the Rollout controller scales revisions");
        assertEquals(3, platform.replicasOf("rev-2"));
    }

    @Test
    void aReleasePromotesANewRevisionNamedAtDeployTimeAndLeavesTheOldOneToTheController() {
        List<Candidate> seenByGates = Collections.synchronizedList(new ArrayList<>());
        HealthGate smoke = HealthGate.named("smoke", context -> {
            seenByGates.add(context.candidate());
            return GateResult.passed("200 OK");
        });

        ReleaseResult result = engine.run(platform.plan().preSwitchGate(smoke).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("set image app:v2: new revision rev-2 x3", "promote rev-2",
                "rev-1 left to the Rollout controller, which scales it down after its scale-down delay"),
                platform.operations());
        assertEquals(REV_1, result.previousColor().orElseThrow());
        assertEquals(REV_2, result.targetColor().orElseThrow(), "the candidate's color is the revision deploy named");
        assertEquals(REV_2, result.liveColor().orElseThrow());
        assertEquals(List.of(new Candidate(REV_2, "app:v2", "pod-template-hash 5d8f2", "ReplicaSet shop/app-rev-2",
                "Service shop/app-preview")), seenByGates);
        assertEquals("app:v2", result.colors().get(REV_2).version());
        assertEquals(List.of("preflight", "deploy", "await-ready", "pre-switch-gates", "switch", "observe",
                "retire-previous", "clean-up"), steps(result));
        assertTheEngineScaledNothing();
    }

    @Test
    void theReleaseRecordNamesTheRevisionOnceDeployHasNamedIt() {
        ReleasePlan plan = platform.plan().build();
        List<Color> recordedTargets = Collections.synchronizedList(new ArrayList<>());
        ReleaseEngine recording = ReleaseEngine.builder().time(time).releaseIds(() -> "r-1").listener(event -> {
            if (event instanceof dev.bluegreen.event.StepStarted) {
                plan.store().read(plan.appId(), Deadline.after(Duration.ofSeconds(1))).record()
                        .ifPresent(record -> recordedTargets.add(record.to()));
            }
        }).build();

        ReleaseResult result = recording.run(plan);

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(null, recordedTargets.get(0), "at deploy the revision is not known yet");
        assertEquals(REV_2, recordedTargets.get(1), "from await-ready on, the record names it");
        assertEquals(REV_2, plan.store().read(plan.appId(), Deadline.after(Duration.ofSeconds(1))).record()
                .orElseThrow().to());
    }

    @Test
    void aFailingPreSwitchGateAbortsAndLeavesTheNewRevisionToTheController() {
        ReleaseResult result = engine.run(platform.plan().preSwitchGate(failing("smoke")).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("set image app:v2: new revision rev-2 x3",
                "rev-2 left to the Rollout controller, which scales aborted revisions down"), platform.operations());
        assertEquals(REV_1, result.liveColor().orElseThrow());
        assertEquals(REV_1, platform.stable());
        assertTheEngineScaledNothing();
    }

    @Test
    void aFailingPostSwitchGateUndoesTheCompletedPromotion() {
        ReleaseResult result = engine.run(platform.plan().postSwitchGate(failing("errors")).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(List.of("set image app:v2: new revision rev-2 x3", "promote rev-2", "undo to rev-1",
                "rev-2 left to the Rollout controller, which scales aborted revisions down"), platform.operations());
        assertEquals(REV_1, result.liveColor().orElseThrow());
        assertTrue(result.step("rollback").orElseThrow().detail().startsWith("Rollout shop/app: rev-2 -> rev-1"),
                result.step("rollback").orElseThrow().detail());
        assertTheEngineScaledNothing();
    }

    @Test
    void aPromotionThatCannotBeVerifiedIsAbortedBeforeItCompletes() {
        platform.failVerification("the active Service still selects rev-1 pods");

        ReleaseResult result = engine.run(platform.plan().build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(List.of("set image app:v2: new revision rev-2 x3", "promote rev-2", "abort rev-2, back to rev-1",
                "rev-2 left to the Rollout controller, which scales aborted revisions down"), platform.operations());
        assertEquals("Rollout shop/app: the active Service still selects rev-1 pods",
                result.error().orElseThrow().getMessage());
        assertEquals(REV_1, result.liveColor().orElseThrow());
        assertTheEngineScaledNothing();
    }
}
