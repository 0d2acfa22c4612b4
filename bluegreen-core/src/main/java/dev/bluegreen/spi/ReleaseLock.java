package dev.bluegreen.spi;

import dev.bluegreen.AppId;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleaseRecord;

/**
 * At most one release of an app at a time, across threads, processes and machines (invariant
 * I4). The Kubernetes implementation is a coordination.k8s.io/v1 Lease per app, taken by
 * compare-and-swap.
 */
public interface ReleaseLock {

    /**
     * Takes the app's lock, unless a holder that is not gone holds it.
     *
     * @param app         the app; never null
     * @param holder      the new holder's identity, e.g. {@code r-6f1c2a@build-host-7}; never blank
     * @param firstRecord the record to keep with the lock from now on; written in the same write
     * @param deadline    bounds the calls; never null
     * @return the held lock
     * @throws ReleaseLockedException when another holder holds it, naming it and since when; nothing was written
     */
    LockHandle acquire(AppId app, String holder, ReleaseRecord firstRecord, Deadline deadline);
}
