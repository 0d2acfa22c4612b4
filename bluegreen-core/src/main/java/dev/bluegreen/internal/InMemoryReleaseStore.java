package dev.bluegreen.internal;

import dev.bluegreen.AppId;
import dev.bluegreen.LockLostException;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.LockState;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.ReleaseStore;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ReleaseStore} in memory, with the same rules as the Kubernetes Lease store: a holder
 * that has not renewed within the lease duration is gone and may be taken over; only the holder
 * writes the record.
 */
public final class InMemoryReleaseStore implements ReleaseStore {
    /** The store of plans that name none. */
    public static final InMemoryReleaseStore JVM_WIDE = new InMemoryReleaseStore(TimeSource.system(), LockTiming.DEFAULT);

    private final TimeSource time;
    private final LockTiming timing;
    private final Map<AppId, Entry> entries = new HashMap<>();

    /**
     * @param time   judges whether a holder is gone
     * @param timing how locks are held
     */
    public InMemoryReleaseStore(TimeSource time, LockTiming timing) {
        this.time = Checks.nonNull("time source", time);
        this.timing = Checks.nonNull("lock timing", timing);
    }

    private static final class Entry {
        LockState lock;
        ReleaseRecord record;
    }

    @Override
    public synchronized ReleaseStatus read(AppId app, Deadline deadline) {
        Entry entry = entries.get(app);
        return new ReleaseStatus(app, Optional.ofNullable(entry == null ? null : entry.record),
                Optional.ofNullable(entry == null ? null : entry.lock), time.now());
    }

    @Override
    public synchronized LockHandle acquire(AppId app, String holder, ReleaseRecord firstRecord, Deadline deadline) {
        Checks.nonBlank("holder", holder);
        Entry entry = entries.computeIfAbsent(app, a -> new Entry());
        Instant now = time.now();
        if (entry.lock != null && entry.lock.heldAt(now)) {
            throw new ReleaseLockedException(app, entry.lock.holder(), entry.lock.acquiredAt(), "another release of " + app
                    + " is running: the release lock is held by " + entry.lock.holder() + " since "
                    + entry.lock.acquiredAt() + " (renewed " + entry.lock.renewedAt() + ", valid until "
                    + entry.lock.expiresAt() + "); nothing was changed");
        }
        entry.lock = new LockState(holder, now, now, timing.leaseDuration(), false);
        entry.record = firstRecord;
        return new Handle(app, holder, now);
    }

    @Override
    public String toString() {
        return "InMemoryReleaseStore[" + timing + "]";
    }

    /** A lock held in this store. */
    private final class Handle implements LockHandle {
        private final AppId app;
        private final String holder;
        private final Instant acquiredAt;

        Handle(AppId app, String holder, Instant acquiredAt) {
            this.app = app;
            this.holder = holder;
            this.acquiredAt = acquiredAt;
        }

        @Override
        public String holder() {
            return holder;
        }

        @Override
        public Instant acquiredAt() {
            return acquiredAt;
        }

        @Override
        public LockTiming timing() {
            return timing;
        }

        @Override
        public void renew() {
            synchronized (InMemoryReleaseStore.this) {
                Entry entry = held();
                entry.lock = new LockState(holder, acquiredAt, time.now(), timing.leaseDuration(), false);
            }
        }

        @Override
        public void write(ReleaseRecord record) {
            synchronized (InMemoryReleaseStore.this) {
                Entry entry = held();
                entry.record = record;
                entry.lock = new LockState(holder, acquiredAt, time.now(), timing.leaseDuration(), false);
            }
        }

        @Override
        public void release(ReleaseRecord finalRecord) {
            synchronized (InMemoryReleaseStore.this) {
                Entry entry = entries.get(app);
                if (entry == null || entry.lock == null || !entry.lock.holder().equals(holder)) {
                    return;
                }
                entry.record = finalRecord;
                entry.lock = new LockState(holder, acquiredAt, time.now(), timing.leaseDuration(), true);
            }
        }

        private Entry held() {
            Entry entry = entries.get(app);
            if (entry == null || entry.lock == null || !entry.lock.holder().equals(holder) || entry.lock.released()) {
                throw new LockLostException(app, "the release lock of " + app + " is no longer held by " + holder
                        + (entry == null || entry.lock == null ? "" : ": " + entry.lock), null);
            }
            return entry;
        }

        @Override
        public String toString() {
            return "lock of " + app + " held by " + holder;
        }
    }
}
