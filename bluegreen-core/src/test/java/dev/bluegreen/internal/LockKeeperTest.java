package dev.bluegreen.internal;

import dev.bluegreen.AppId;
import dev.bluegreen.LockLostException;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.LockTiming;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LockKeeperTest {
    private static final AppId APP = AppId.of("shop", "app");
    private static final LockTiming TIMING = new LockTiming(Duration.ofSeconds(15), Duration.ofSeconds(10),
            Duration.ofSeconds(2));

    private static LockHandle handle() {
        return new LockHandle() {
            @Override
            public String holder() {
                return "r-1@host";
            }

            @Override
            public Instant acquiredAt() {
                return Instant.EPOCH;
            }

            @Override
            public LockTiming timing() {
                return TIMING;
            }

            @Override
            public void renew() {
            }

            @Override
            public void write(ReleaseRecord record) {
            }

            @Override
            public void release(ReleaseRecord finalRecord) {
            }
        };
    }

    @Test
    void aHolderThatWasPausedPastTheRenewDeadlineLearnsItLostTheLockBeforeItWrites() {
        AtomicLong nanos = new AtomicLong();
        RunControl control = new RunControl();
        LockKeeper keeper = new LockKeeper(handle(), TimeSource.system(), control, APP, nanos::get);

        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        keeper.requireFresh();

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        LockLostException stale = assertThrows(LockLostException.class, keeper::requireFresh);
        assertEquals("the release lock of shop/app held by r-1@host was last renewed 11000 ms ago, past the renew "
                + "deadline of PT10S; another release may hold it now, so nothing more is written", stale.getMessage());
        assertSame(stale, control.lockLost(), "the whole release stops, not just this write");
    }

    @Test
    void aWriteThroughTheLockCountsAsARenewal() {
        AtomicLong nanos = new AtomicLong();
        LockKeeper keeper = new LockKeeper(handle(), TimeSource.system(), new RunControl(), APP, nanos::get);

        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        keeper.renewed();
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());

        keeper.requireFresh();
    }
}
