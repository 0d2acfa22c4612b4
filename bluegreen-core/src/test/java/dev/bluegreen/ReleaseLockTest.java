package dev.bluegreen;

import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockState;
import dev.bluegreen.spi.LockTiming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

/** Invariant I4: one release per app at a time, kept by a lock that is renewed, given up, and lost safely. */
class ReleaseLockTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AppId APP = AppId.of("shop", "app");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);

    private ReleaseEngine engine(String releaseId) {
        return ReleaseEngine.builder().time(time).host("host-a").releaseIds(() -> releaseId).build();
    }

    private static HealthGate failing(String name) {
        return HealthGate.named(name, context -> GateResult.failed("error rate 7% above 5%"));
    }

    private static ReleaseRecord intruderRecord(Instant at) {
        return new ReleaseRecord("r-intruder", APP, "app:v9", "intruder@elsewhere", Phase.PREPARING, "deploy",
                Color.BLUE, Color.GREEN, Map.of(), false, false, List.of(), null, at, at);
    }

    private static long writtenBy(String holder, ObservedStore store) {
        return store.written.stream().filter(record -> record.holder().equals(holder)).count();
    }

    @Test
    void aSecondReleaseOfTheSameAppWhileOneRunsFailsFastNamingTheHolderAndSinceWhenAndChangesNothing() throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CountDownLatch waiting = platform.blockReadiness(ready);
        ReleaseExecution first = engine("r-first").start(platform.plan().build());
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        List<String> writesBefore = platform.writes();
        ReleaseStatus before = platform.store().read(APP, Deadline.after(Duration.ofSeconds(1)));

        ReleaseResult second = engine("r-second").run(platform.plan().version("app:v3").build());

        assertEquals(Outcome.ABORTED, second.outcome(), second::summary);
        ReleaseLockedException locked = assertInstanceOf(ReleaseLockedException.class, second.error().orElseThrow());
        assertEquals("r-first@host-a", locked.holder());
        assertEquals(T0, locked.since());
        assertEquals(APP, locked.app());
        assertTrue(locked.getMessage().startsWith("release r-second of shop/app did not start: another release of "
                + "shop/app is running, the release lock is held by r-first@host-a since 2026-01-01T00:00:00Z"),
                locked.getMessage());
        assertTrue(locked.getMessage().contains("its record: release r-first of shop/app to app:v2 by r-first@host-a"),
                locked.getMessage());
        assertTrue(locked.getMessage().endsWith("; nothing was changed"), locked.getMessage());
        assertEquals(List.of("preflight"), second.timeline().stream().map(StepRecord::name).collect(Collectors.toList()),
                "nothing but preflight ran");
        assertEquals(writesBefore, platform.writes(), "the second release wrote nothing to the platform");
        ReleaseStatus after = platform.store().read(APP, Deadline.after(Duration.ofSeconds(1)));
        assertEquals(before.record(), after.record(), "nor to the store: the first release's record stands");
        assertEquals("r-first@host-a", after.lock().orElseThrow().holder());

        ready.complete(null);
        ReleaseResult firstResult = first.await(Duration.ofSeconds(10)).orElseThrow();
        assertEquals(Outcome.SUCCEEDED, firstResult.outcome(), firstResult::summary);
    }

    /** Each outcome, reached with a fresh platform. */
    private ReleaseResult endWith(Outcome outcome, FakePlatform on) {
        ReleasePlan.Builder plan = on.plan();
        switch (outcome) {
            case SUCCEEDED:
                break;
            case ABORTED:
                plan.preSwitchGate(failing("smoke"));
                break;
            case ROLLED_BACK:
                plan.postSwitchGate(failing("errors"));
                break;
            case FAILED:
                // a compensation that fails while aborting: traffic stays on blue, the release FAILED
                plan.preSwitchGate(failing("smoke")).stepAfter(StandardStep.DEPLOY, CustomStep.named("migrate")
                        .action(ctx -> { }).compensation(ctx -> {
                            throw new IllegalStateException("rollback.sql failed");
                        }).build());
                break;
            default:
                throw new IllegalArgumentException(outcome.toString());
        }
        return engine("r-first").run(plan.build());
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void theLockIsGivenUpWhateverTheOutcomeSoTheNextReleaseRuns(Outcome outcome) {
        ReleaseResult first = endWith(outcome, platform);
        assertEquals(outcome, first.outcome(), first::summary);

        ReleaseStatus status = engine("r-status").status(platform.plan().build());
        LockState lock = status.lock().orElseThrow();
        assertEquals("r-first@host-a", lock.holder());
        assertTrue(lock.released(), "the lock was given up: " + lock);
        assertFalse(status.running());
        assertFalse(status.abandoned());
        assertEquals(outcome, status.record().orElseThrow().outcome());

        ReleaseResult next = engine("r-next").run(platform.plan().version("app:v3").replicas(3).build());
        assertEquals(Outcome.SUCCEEDED, next.outcome(), next::summary);
        assertEquals("app:v3", platform.versionOf(next.liveColor().orElseThrow()));
    }

    @Test
    void theLockIsRenewedInRealTimeWhileTheReleaseWaitsSoItOutlivesItsLeaseAndStaysExclusive() throws Exception {
        LockTiming timing = new LockTiming(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(20));
        ObservedStore store = ObservedStore.inMemory(TimeSource.system(), timing);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CountDownLatch waiting = platform.blockReadiness(ready);
        ReleaseExecution first = engine("r-first").start(platform.plan().store(store).build());
        assertTrue(waiting.await(5, TimeUnit.SECONDS));

        // 60 renewals at least 20 ms apart span more than the 1 s lease: without them the lock would have expired
        assertTrue(store.renewals.tryAcquire(60, 20, TimeUnit.SECONDS), "the lock was renewed 60 times");
        ReleaseStatus status = store.read(APP, Deadline.after(Duration.ofSeconds(1)));
        LockState lock = status.lock().orElseThrow();
        assertTrue(status.running(), status::toString);
        assertTrue(lock.renewedAt().isAfter(lock.acquiredAt().plus(timing.leaseDuration())), lock::toString);
        ReleaseResult second = engine("r-second").run(platform.plan().store(store).version("app:v3").build());
        assertInstanceOf(ReleaseLockedException.class, second.error().orElseThrow());

        ready.complete(null);
        assertEquals(Outcome.SUCCEEDED, first.await(Duration.ofSeconds(10)).orElseThrow().outcome());
    }

    @Test
    void theLockIsRenewedAfterEachLongWaitOfAManualClockSoAnHourLongObservationKeepsIt() {
        ReleaseEngine engine = engine("r-first");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        ReleasePlan[] plan = new ReleasePlan[1];
        HealthGate probe = HealthGate.named("probe", context -> {
            ReleaseStatus status = engine.status(plan[0]);
            LockState lock = status.lock().orElseThrow();
            seen.add(context.time().now() + " running=" + status.running() + " renewed=" + lock.renewedAt());
            return GateResult.passed("ok");
        });
        plan[0] = platform.plan().timeout(StandardStep.OBSERVE, Duration.ofHours(2))
                .postSwitchGate(HealthGate.observe(probe).every(Duration.ofMinutes(10)).lasting(Duration.ofHours(1)).build())
                .build();

        ReleaseResult result = engine.run(plan[0]);

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(6, seen.size(), seen::toString);
        for (int i = 0; i < seen.size(); i++) {
            Instant at = T0.plus(Duration.ofMinutes(10L * (i + 1)));
            assertEquals(at + " running=true renewed=" + at, seen.get(i), "renewed after each 10-minute wait");
        }
    }

    @Test
    void aReleaseWhoseLockIsTakenOverAfterItExpiredStopsAtItsNextWaitWithoutAnotherWrite() throws Exception {
        ObservedStore store = ObservedStore.inMemory(time,
                new LockTiming(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofMillis(10)));
        CompletableFuture<Void> never = new CompletableFuture<>();
        CountDownLatch waiting = platform.blockReadiness(never);
        ReleaseExecution execution = engine("r-1").start(platform.plan().store(store).build());
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        long recordsWritten = writtenBy("r-1@host-a", store);

        // the holder cannot renew for a while (a network partition), its lease runs out, and someone takes over
        store.failRenewals("renewal paused by the test");
        time.advance(Duration.ofSeconds(16));
        store.acquire(APP, "intruder@elsewhere", intruderRecord(time.now()), Deadline.after(Duration.ofSeconds(1)));
        store.failRenewals(null);
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        LockLostException lost = assertInstanceOf(LockLostException.class, result.error().orElseThrow());
        assertEquals("the release lock of shop/app is no longer held by r-1@host-a: held by intruder@elsewhere since "
                + "2026-01-01T00:00:16Z, renewed 2026-01-01T00:00:16Z", lost.getMessage());
        assertEquals(APP, lost.app());
        assertEquals(StepStatus.FAILED, result.step("await-ready").orElseThrow().status());
        assertTrue(result.warnings().get(0).startsWith("the release lock was lost: another release may be acting, so "
                + "this one wrote nothing more"), result.warnings().toString());
        assertEquals(List.of("deploy green app:v2 x3"), platform.writes(), "the candidate was not given up");
        assertFalse(result.step("discard-candidate").isPresent());
        assertEquals(recordsWritten, writtenBy("r-1@host-a", store), "no record was written after the lock was lost");
        ReleaseStatus status = store.read(APP, Deadline.after(Duration.ofSeconds(1)));
        assertEquals("intruder@elsewhere", status.lock().orElseThrow().holder());
        assertFalse(status.lock().orElseThrow().released(), "the lock that was lost is not given up by the loser");
        assertEquals("r-intruder", status.record().orElseThrow().releaseId());
        assertEquals(Color.GREEN, result.targetColor().orElseThrow());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow(), "the live color was read again at the end");
    }

    @Test
    void aReleaseThatFindsItsLockTakenOverWhenItWouldRollBackDoesNotSwitchBackOrGiveUpItsCandidate() {
        ObservedStore store = ObservedStore.inMemory(time, LockTiming.DEFAULT);
        HealthGate failsAfterTakeover = HealthGate.named("errors", context -> {
            // between two renewals, the lease runs out (the clock jumps) and someone takes the lock over
            store.failRenewals("renewal paused by the test");
            time.advance(Duration.ofSeconds(16));
            store.acquire(APP, "intruder@elsewhere", intruderRecord(time.now()), Deadline.after(Duration.ofSeconds(1)));
            store.failRenewals(null);
            return GateResult.failed("error rate 7% above 5%");
        });

        ReleaseResult result = engine("r-1").run(platform.plan().store(store).postSwitchGate(failsAfterTakeover).build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        LockLostException lost = assertInstanceOf(LockLostException.class, result.error().orElseThrow());
        assertTrue(lost.getMessage().startsWith("the release lock of shop/app is no longer held by r-1@host-a: held by "
                + "intruder@elsewhere"), lost.getMessage());
        assertInstanceOf(GateFailedException.class, lost.getSuppressed()[0], "why it wanted to roll back");
        assertEquals(List.of("deploy green app:v2 x3", "switch blue->green"), platform.writes(),
                "neither switched back nor gave up its candidate: another release may be acting");
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertTrue(result.warnings().stream().anyMatch(w -> w.startsWith("the release lock was lost")),
                result.warnings().toString());
        assertEquals("r-intruder", store.read(APP, Deadline.after(Duration.ofSeconds(1))).record().orElseThrow().releaseId());
    }

    @Test
    void aReleaseThatFindsItsLockTakenOverWhenItWouldAbortDoesNotGiveUpItsCandidate() {
        ObservedStore store = ObservedStore.inMemory(time, LockTiming.DEFAULT);
        HealthGate failsAfterTakeover = HealthGate.named("smoke", context -> {
            store.failRenewals("renewal paused by the test");
            time.advance(Duration.ofSeconds(16));
            store.acquire(APP, "intruder@elsewhere", intruderRecord(time.now()), Deadline.after(Duration.ofSeconds(1)));
            store.failRenewals(null);
            return GateResult.failed("smoke test answered 500");
        });

        ReleaseResult result = engine("r-1").run(platform.plan().store(store).preSwitchGate(failsAfterTakeover).build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertInstanceOf(LockLostException.class, result.error().orElseThrow());
        assertEquals(List.of("deploy green app:v2 x3"), platform.writes(), "the candidate was not given up");
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
    }

    @Test
    void aReleaseWhoseRenewalsKeepFailingPastTheRenewDeadlineGivesUpAtItsNextWaitAndWritesNothingMore() throws Exception {
        ObservedStore store = ObservedStore.inMemory(TimeSource.system(),
                new LockTiming(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofMillis(20)));
        CountDownLatch waiting = platform.blockReadiness(new CompletableFuture<>());
        ReleaseExecution execution = engine("r-1").start(platform.plan().store(store).build());
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        int recordsWritten = store.written.size();

        store.failRenewals("etcd unavailable");
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        LockLostException lost = assertInstanceOf(LockLostException.class, result.error().orElseThrow());
        assertTrue(lost.getMessage().matches("the release lock of shop/app held by r-1@host-a could not be renewed for "
                + "\\d+ ms, past the renew deadline of PT0\\.2S: etcd unavailable"), lost.getMessage());
        assertInstanceOf(ClusterApiException.class, lost.getCause());
        assertEquals(List.of("deploy green app:v2 x3"), platform.writes(), "the candidate was not given up");
        assertEquals(recordsWritten, store.written.size(), "no record was written, not even the final one");
        ReleaseStatus status = store.read(AppId.of("shop", "app"), Deadline.after(Duration.ofSeconds(1)));
        assertFalse(status.lock().orElseThrow().released(), "a holder that lost its lock does not give it up");
        assertFalse(status.record().orElseThrow().finished(), "its record shows an unfinished release, to recover");
    }

    @Test
    void aReleaseThatLosesItsLockWhileCompensatingRunsNoFurtherCompensationAndGivesUpNothing() throws Exception {
        ObservedStore store = ObservedStore.inMemory(TimeSource.system(),
                new LockTiming(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofMillis(20)));
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch compensating = new CountDownLatch(1);
        CustomStep migrate = CustomStep.named("migrate").action(ctx -> log.add("migrate"))
                .compensation(ctx -> log.add("undo migrate")).build();
        CustomStep flag = CustomStep.named("flag").action(ctx -> log.add("flag on")).compensation(ctx -> {
            compensating.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                log.add("flag off interrupted");
                throw e;
            }
        }).build();
        ReleaseExecution execution = engine("r-1").start(platform.plan().store(store)
                .stepAfter(StandardStep.DEPLOY, migrate).stepAfter(StandardStep.DEPLOY, flag)
                .preSwitchGate(failing("smoke")).build());
        assertTrue(compensating.await(5, TimeUnit.SECONDS));

        store.failRenewals("etcd unavailable");
        ReleaseResult result = execution.await(Duration.ofSeconds(10)).orElseThrow();

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        LockLostException lost = assertInstanceOf(LockLostException.class, result.error().orElseThrow());
        assertInstanceOf(GateFailedException.class, lost.getSuppressed()[0], "why it was aborting");
        assertEquals(List.of("migrate", "flag on", "flag off interrupted"), log, "'migrate' was not compensated");
        assertTrue(result.warnings().contains("the release lock was lost, so these compensations did not run: [migrate]"),
                result.warnings().toString());
        assertEquals(List.of("deploy green app:v2 x3"), platform.writes(), "the candidate was not given up");
        assertFalse(result.step("discard-candidate").isPresent());
    }

    @Test
    void aHolderStillHoldsTheLockForOtherHoldersUntilItsLeaseRunsOut() {
        ObservedStore store = ObservedStore.inMemory(time, LockTiming.DEFAULT);
        store.acquire(APP, "r-gone@host-b", intruderRecord(T0), Deadline.after(Duration.ofSeconds(1)));

        time.advance(Duration.ofSeconds(14));
        ReleaseLockedException locked = assertThrows(ReleaseLockedException.class, () -> store.acquire(APP,
                "r-next@host-a", intruderRecord(time.now()), Deadline.after(Duration.ofSeconds(1))));
        assertEquals("another release of shop/app is running: the release lock is held by r-gone@host-b since "
                + "2026-01-01T00:00:00Z (renewed 2026-01-01T00:00:00Z, valid until 2026-01-01T00:00:15Z); nothing was "
                + "changed", locked.getMessage());

        time.advance(Duration.ofSeconds(2));
        store.acquire(APP, "r-next@host-a", intruderRecord(time.now()), Deadline.after(Duration.ofSeconds(1)));
        assertEquals("r-next@host-a", store.read(APP, Deadline.after(Duration.ofSeconds(1))).lock().orElseThrow().holder());
    }
}
