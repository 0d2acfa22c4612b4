package dev.bluegreen.spi;

import dev.bluegreen.TimeSource;
import dev.bluegreen.internal.InMemoryReleaseStore;

/**
 * A lock and a journal kept together, so the record of a release is written with the lock that
 * guards it. The Kubernetes adapter keeps both on one Lease per app.
 */
public interface ReleaseStore extends ReleaseLock, ReleaseJournal {

    /**
     * @param time   the time source that judges whether a holder is gone; never null
     * @param timing how the lock is held; never null
     * @return a store in this JVM's memory: it excludes releases of one app across the engines
     *         and threads that share it, not across processes
     */
    static ReleaseStore inMemory(TimeSource time, LockTiming timing) {
        return new InMemoryReleaseStore(time, timing);
    }

    /**
     * @return the store every plan without a store of its own uses: one per JVM, on system time,
     *         with {@link LockTiming#DEFAULT}
     */
    static ReleaseStore jvmWide() {
        return InMemoryReleaseStore.JVM_WIDE;
    }
}
