package dev.bluegreen.internal;

import dev.bluegreen.AppId;
import dev.bluegreen.LockLostException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.LockHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a release's lock renewed every retry period on the engine's scheduler, and after each
 * sleep of the release (a manual time source jumps). A renewal that fails for longer than the
 * renew deadline, or finds someone else holding the lock, marks the lock lost: the release stops
 * at its next safe point.
 */
final class LockKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LockKeeper.class);

    private final LockHandle handle;
    private final TimeSource time;
    private final RunControl control;
    private final AppId app;
    private final java.util.function.LongSupplier nanos;
    private volatile long lastRenewNanos;
    private volatile Instant lastRenewed;
    private volatile ScheduledFuture<?> task;

    LockKeeper(LockHandle handle, TimeSource time, RunControl control, AppId app, java.util.function.LongSupplier nanos) {
        this.nanos = nanos;
        this.lastRenewNanos = nanos.getAsLong();
        this.handle = handle;
        this.time = time;
        this.control = control;
        this.app = app;
        this.lastRenewed = time.now();
    }

    static LockKeeper start(LockHandle handle, ScheduledExecutorService scheduler, TimeSource time, RunControl control,
                            AppId app) {
        LockKeeper keeper = new LockKeeper(handle, time, control, app, System::nanoTime);
        long period = handle.timing().retryPeriod().toNanos();
        keeper.task = scheduler.scheduleWithFixedDelay(keeper::renew, period, period, TimeUnit.NANOSECONDS);
        return keeper;
    }

    /** Notes a successful write through the lock, which renewed it. */
    void renewed() {
        lastRenewNanos = nanos.getAsLong();
        lastRenewed = time.now();
    }

    /**
     * @throws LockLostException when the lock was not renewed within its renew deadline (the
     *                           holder may have been paused, and another release may hold it now)
     */
    void requireFresh() {
        Duration since = Duration.ofNanos(nanos.getAsLong() - lastRenewNanos);
        if (since.compareTo(handle.timing().renewDeadline()) >= 0) {
            LockLostException stale = new LockLostException(app, "the release lock of " + app + " held by "
                    + handle.holder() + " was last renewed " + since.toMillis() + " ms ago, past the renew deadline of "
                    + handle.timing().renewDeadline() + "; another release may hold it now, so nothing more is written",
                    null);
            control.lockLost(stale);
            throw stale;
        }
    }

    /** Renews now when the time source moved a retry period since the last renewal. */
    void renewIfDue() {
        if (Duration.between(lastRenewed, time.now()).compareTo(handle.timing().retryPeriod()) >= 0) {
            renew();
        }
    }

    private synchronized void renew() {
        if (control.lockLost() != null) {
            return;
        }
        try {
            handle.renew();
            lastRenewNanos = nanos.getAsLong();
            lastRenewed = time.now();
        } catch (LockLostException e) {
            LOG.warn("release lock of {} lost: {}", app, e.getMessage());
            control.lockLost(e);
        } catch (RuntimeException e) {
            Duration since = Duration.ofNanos(nanos.getAsLong() - lastRenewNanos);
            if (since.compareTo(handle.timing().renewDeadline()) >= 0) {
                control.lockLost(new LockLostException(app, "the release lock of " + app + " held by " + handle.holder()
                        + " could not be renewed for " + since.toMillis() + " ms, past the renew deadline of "
                        + handle.timing().renewDeadline() + ": " + e.getMessage(), e));
            } else {
                LOG.warn("renewing the release lock of {} failed, retrying: {}", app, e.getMessage());
            }
        }
    }

    void stop() {
        ScheduledFuture<?> current = task;
        if (current != null) {
            current.cancel(false);
        }
    }
}
