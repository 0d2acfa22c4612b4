package dev.bluegreen;

import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.ReleaseStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Store failures and colliding release ids must not break the invariants. */
class EngineHardeningTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final FakePlatform platform = new FakePlatform(time);

    /** A store whose record write at commit fails once, as an API server might. */
    private ReleaseStore failingAtCommit() {
        return new ForwardingStore(platform.store()) {
            @Override
            void write(LockHandle handle, ReleaseRecord record) {
                if (record.committed() && record.phase() == Phase.FINISHING && !record.step().equals("end")) {
                    throw new ClusterApiException("patch of Lease shop/app-bluegreen failed with HTTP 503", 503, null);
                }
                handle.write(record);
            }
        };
    }

    @Test
    void aRecordThatCannotBeWrittenAtCommitIsAWarningAndTheReleaseGoesOn() {
        ReleaseResult result = ReleaseEngine.builder().time(time).build()
                .run(platform.plan().store(failingAtCommit()).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertTrue(result.warnings().contains("the release record could not be written (FINISHING): patch of Lease "
                + "shop/app-bluegreen failed with HTTP 503"), result.warnings().toString());
        assertEquals(Color.GREEN, platform.live());
        assertEquals(0, platform.replicasOf(Color.BLUE), "retired as usual");
    }

    @Test
    void twoReleasesGivenTheSameIdStillExcludeEachOther() throws Exception {
        CountDownLatch waiting = platform.blockReadiness(new CompletableFuture<>());
        ReleaseEngine first = ReleaseEngine.builder().time(time).releaseIds(() -> "build-42").build();
        ReleaseEngine second = ReleaseEngine.builder().time(time).releaseIds(() -> "build-42").build();
        ReleaseExecution running = first.start(platform.plan().build());
        assertTrue(waiting.await(10, TimeUnit.SECONDS));

        ReleaseResult refused = second.run(platform.plan().build());

        assertEquals(Outcome.ABORTED, refused.outcome());
        ReleaseLockedException locked = assertInstanceOf(ReleaseLockedException.class, refused.error().orElseThrow());
        assertTrue(locked.holder().startsWith("build-42@"), locked.holder());
        running.cancel();
        assertEquals(Outcome.ABORTED, running.await(Duration.ofSeconds(10)).orElseThrow().outcome());
    }
}
