package dev.bluegreen.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.LockLostException;
import dev.bluegreen.ReleaseCancelledException;
import dev.bluegreen.RouteChangedException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Why a release is stopping, if it is: cancelled (by the host), lock lost (another release may
 * act now) or route changed (someone else switched the router). Each step's {@link StepDeadline}
 * subscribes and ends its waits when a cause that concerns it arrives: recovery steps ignore a
 * cancel and a route change, no step ignores a lost lock.
 */
final class RunControl {
    private final AtomicReference<ReleaseCancelledException> cancelled = new AtomicReference<>();
    private final AtomicReference<LockLostException> lockLost = new AtomicReference<>();
    private final AtomicReference<RouteChangedException> routeChanged = new AtomicReference<>();
    private final List<StepDeadline> deadlines = new CopyOnWriteArrayList<>();

    boolean cancel(ReleaseCancelledException cause) {
        boolean first = cancelled.compareAndSet(null, cause);
        if (first) {
            notifyDeadlines();
        }
        return first;
    }

    void lockLost(LockLostException cause) {
        if (lockLost.compareAndSet(null, cause)) {
            notifyDeadlines();
        }
    }

    void routeChanged(RouteChangedException cause) {
        if (routeChanged.compareAndSet(null, cause)) {
            notifyDeadlines();
        }
    }

    ReleaseCancelledException cancelled() {
        return cancelled.get();
    }

    LockLostException lockLost() {
        return lockLost.get();
    }

    RouteChangedException routeChanged() {
        return routeChanged.get();
    }

    /**
     * @param cancellable whether a cancel stops the asker
     * @param guarded     whether a route change stops the asker
     * @return the cause that stops a step of that kind, or null
     */
    BlueGreenException stopCause(boolean cancellable, boolean guarded) {
        if (lockLost.get() != null) {
            return lockLost.get();
        }
        if (guarded && routeChanged.get() != null) {
            return routeChanged.get();
        }
        if (cancellable && cancelled.get() != null) {
            return cancelled.get();
        }
        return null;
    }

    void subscribe(StepDeadline deadline) {
        deadlines.add(deadline);
        deadline.onStopSignal();
    }

    void unsubscribe(StepDeadline deadline) {
        deadlines.remove(deadline);
    }

    private void notifyDeadlines() {
        for (StepDeadline deadline : deadlines) {
            deadline.onStopSignal();
        }
    }
}
