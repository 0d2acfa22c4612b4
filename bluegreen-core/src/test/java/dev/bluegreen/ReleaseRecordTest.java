package dev.bluegreen;

import dev.bluegreen.FakePlatform.Op;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release record: written before each step that changes something, readable through status(), final with the outcome. */
class ReleaseRecordTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AppId APP = AppId.of("shop", "app");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);
    private final Map<String, ReleaseRecord> seen = new ConcurrentHashMap<>();
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).host("host-a").releaseIds(() -> "r-1")
            .listener(event -> {
                ReleaseRecord record = stored();
                if (event instanceof StepStarted && record != null) {
                    seen.put(((StepStarted) event).step(), record);
                }
            }).build();

    private ReleaseRecord stored() {
        return platform.store().read(APP, Deadline.after(Duration.ofSeconds(1))).record().orElse(null);
    }

    @Test
    void theRecordIsWrittenBeforeEachStepThatChangesSomething() {
        platform.on(Op.SWITCH, color -> seen.put("switch write to " + color, stored()));
        CustomStep migrate = CustomStep.named("migrate").action(ctx -> seen.put("migrate action", stored()))
                .compensation(ctx -> { }).build();

        ReleaseResult result = engine.run(platform.plan().stepBefore(StandardStep.SWITCH, migrate).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertNull(seen.get("preflight"), "nothing is recorded before preflight took the lock");

        ReleaseRecord deploy = seen.get("deploy");
        assertEquals("r-1", deploy.releaseId());
        assertEquals("r-1@host-a", deploy.holder());
        assertEquals(APP, deploy.app());
        assertEquals("app:v2", deploy.version());
        assertEquals(Phase.PREPARING, deploy.phase());
        assertEquals("deploy", deploy.step());
        assertEquals(Color.BLUE, deploy.from());
        assertEquals(Color.GREEN, deploy.to());
        assertEquals(Map.of(Color.BLUE, new ReleaseRecord.ColorSnapshot("app:v1", 3),
                Color.GREEN, new ReleaseRecord.ColorSnapshot("app:v1", 0)), deploy.before(),
                "what each color ran before, so a recovery can restore it");
        assertFalse(deploy.switchSent());
        assertFalse(deploy.committed());
        assertNull(deploy.outcome());
        assertEquals(T0, deploy.startedAt());

        assertEquals("await-ready", seen.get("await-ready").step(), "the record names the step that runs");
        assertEquals("migrate", seen.get("migrate action").step(), "a custom step is recorded before it runs");
        assertEquals(List.of(), seen.get("migrate action").completedSteps());

        ReleaseRecord atSwitch = seen.get("switch write to green");
        assertEquals(Phase.SWITCHING, atSwitch.phase());
        assertEquals("switch", atSwitch.step());
        assertTrue(atSwitch.switchSent(), "the record says the switch may be written before it is");
        assertEquals(List.of("migrate"), atSwitch.completedSteps(), "its compensation is known to a recovery");
        assertFalse(seen.get("switch").switchSent(), "not yet when the switch step starts");

        ReleaseRecord observe = seen.get("observe");
        assertEquals(Phase.OBSERVING, observe.phase());
        assertTrue(observe.switchSent());
        assertFalse(observe.committed());

        ReleaseRecord retire = seen.get("retire-previous");
        assertEquals(Phase.FINISHING, retire.phase());
        assertEquals("retire-previous", retire.step());
        assertTrue(retire.committed(), "committed once observation passed, before the previous color is retired");
        assertEquals(Phase.FINISHING, seen.get("clean-up").phase());
        assertEquals("clean-up", seen.get("clean-up").step());

        ReleaseRecord last = stored();
        assertTrue(last.finished());
        assertEquals(Phase.SUCCEEDED, last.phase());
        assertEquals(Outcome.SUCCEEDED, last.outcome());
        assertEquals("end", last.step());
        assertEquals(result.finishedAt(), last.updatedAt());
    }

    @Test
    void statusReturnsTheLatestRecordAndTheLockWhileTheReleaseRunsAndAfterIt() throws Exception {
        ReleasePlan plan = platform.plan().build();
        ReleaseStatus never = engine.status(plan);
        assertTrue(never.record().isEmpty());
        assertTrue(never.lock().isEmpty());
        assertFalse(never.running());
        assertEquals("shop/app: never released", never.toString());

        CompletableFuture<Void> ready = new CompletableFuture<>();
        CountDownLatch waiting = platform.blockReadiness(ready);
        ReleaseExecution execution = engine.start(plan);
        assertTrue(waiting.await(5, TimeUnit.SECONDS));

        ReleaseStatus running = engine.status(plan);
        assertTrue(running.running());
        assertFalse(running.abandoned());
        ReleaseRecord record = running.record().orElseThrow();
        assertEquals("r-1", record.releaseId());
        assertEquals(Phase.PREPARING, record.phase());
        assertEquals("await-ready", record.step());
        LockState lock = running.lock().orElseThrow();
        assertEquals("r-1@host-a", lock.holder());
        assertEquals(T0, lock.acquiredAt());
        assertFalse(lock.released());
        assertEquals("shop/app: release r-1 of shop/app to app:v2 by r-1@host-a: PREPARING at step await-ready, "
                + "blue -> green, before {blue=app:v1 x3, green=app:v1 x0}, updated 2026-01-01T00:00:00Z; running, "
                + "lock held by r-1@host-a since 2026-01-01T00:00:00Z, renewed 2026-01-01T00:00:00Z", running.toString());

        ready.complete(null);
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);

        ReleaseStatus after = engine.status(plan);
        assertFalse(after.running());
        assertFalse(after.abandoned());
        assertEquals(Outcome.SUCCEEDED, after.record().orElseThrow().outcome());
        assertTrue(after.lock().orElseThrow().released());
        assertEquals("r-1@host-a", after.lock().orElseThrow().holder());
    }

    @ParameterizedTest
    @EnumSource(value = Outcome.class, names = {"ABORTED", "ROLLED_BACK", "FAILED"})
    void theFinalRecordCarriesTheOutcome(Outcome outcome) {
        ReleasePlan.Builder plan = platform.plan();
        HealthGate failing = HealthGate.named("errors", context -> GateResult.failed("error rate 7% above 5%"));
        if (outcome == Outcome.ABORTED) {
            plan.preSwitchGate(failing);
        } else {
            plan.postSwitchGate(failing);
        }
        if (outcome == Outcome.FAILED) {
            plan.rollbackPolicy(RollbackPolicy.MANUAL);
        }

        ReleaseResult result = engine.run(plan.build());

        assertEquals(outcome, result.outcome(), result::summary);
        ReleaseRecord last = stored();
        assertEquals(outcome, last.outcome());
        assertTrue(last.finished());
        assertEquals("r-1", last.releaseId());
        assertEquals(Color.BLUE, last.from());
        assertEquals(Color.GREEN, last.to());
        assertEquals(outcome != Outcome.ABORTED, last.switchSent());
        assertFalse(last.committed());
    }
}
