package dev.bluegreen;

import dev.bluegreen.spi.LockState;

import java.time.Instant;
import java.util.Optional;

/**
 * An app's release state as kept in its store: the latest release record and who holds the lock.
 * Returned by {@link ReleaseEngine#status(ReleasePlan)}.
 *
 * @param app    the app; never null
 * @param record the latest release record, empty when the app was never released with this store
 * @param lock   the lock as last written, empty when never taken
 * @param readAt when it was read; never null
 */
public record ReleaseStatus(AppId app, Optional<ReleaseRecord> record, Optional<LockState> lock, Instant readAt) {

    /**
     * @return whether a holder holds the lock now (a release is running)
     */
    public boolean running() {
        return lock.isPresent() && lock.get().heldAt(readAt);
    }

    /**
     * @return whether the latest release never finished and nobody holds the lock: it crashed,
     *         and must be recovered before the next release
     */
    public boolean abandoned() {
        return record.isPresent() && !record.get().finished() && !running();
    }

    /**
     * @return a readable report: the record, and the lock
     */
    @Override
    public String toString() {
        if (record.isEmpty()) {
            return app + ": never released" + lock.map(l -> "; lock " + l).orElse("");
        }
        return app + ": " + record.get() + (running() ? "; running, lock " + lock.get()
                : abandoned() ? "; ABANDONED (its holder is gone): recover it" : "");
    }
}
