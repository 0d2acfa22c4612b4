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
    private volatile long lastRenewNanos = System.nanoTime();
    private volatile Instant lastRenewed;
    private volatile ScheduledFuture<?> task;

    private LockKeeper(LockHandle handle, TimeSource time, RunControl control, AppId app) {
        this.handle = handle;
        this.time = time;
        this.control = control;
        this.app = app;
        this.lastRenewed = time.now();
    }

    static LockKeeper start(LockHandle handle, ScheduledExecutorService scheduler, TimeSource time, RunControl control,
                            AppId app) {
        LockKeeper keeper = new LockKeeper(handle, time, control, app);
        long period = handle.timing().retryPeriod().toNanos();
        keeper.task = scheduler.scheduleWithFixedDelay(keeper::renew, period, period, TimeUnit.NANOSECONDS);
        return keeper;
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
            lastRenewNanos = System.nanoTime();
            lastRenewed = time.now();
        } catch (LockLostException e) {
            LOG.warn("release lock of {} lost: {}", app, e.getMessage());
            control.lockLost(e);
        } catch (RuntimeException e) {
            Duration since = Duration.ofNanos(System.nanoTime() - lastRenewNanos);
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
