package dev.bluegreen;

import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.ReleaseStore;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A release store around another that counts the lock's renewals (a permit per renewal, so a
 * test waits for them instead of sleeping), records every record written through a lock, and
 * can make renewals fail, as an unreachable API server would.
 */
final class ObservedStore extends ForwardingStore {
    /** One permit per successful renewal. */
    final Semaphore renewals = new Semaphore(0);
    /** Every record written through a lock of this store, with its writer. */
    final List<ReleaseRecord> written = new CopyOnWriteArrayList<>();
    private final Object renewing = new Object();
    private String renewalFailure;

    ObservedStore(ReleaseStore delegate) {
        super(delegate);
    }

    static ObservedStore inMemory(TimeSource time, LockTiming timing) {
        return new ObservedStore(ReleaseStore.inMemory(time, timing));
    }

    /**
     * @param failure the message renewals fail with from now on, or null to let them through
     *                again; returns once no renewal that started before is still under way
     */
    void failRenewals(String failure) {
        synchronized (renewing) {
            renewalFailure = failure;
        }
    }

    @Override
    void acquired(ReleaseRecord firstRecord) {
        written.add(firstRecord);
    }

    @Override
    void renew(LockHandle handle) {
        synchronized (renewing) {
            if (renewalFailure != null) {
                throw new ClusterApiException(renewalFailure, 503, null);
            }
            handle.renew();
        }
        renewals.release();
    }

    @Override
    void write(LockHandle handle, ReleaseRecord record) {
        handle.write(record);
        written.add(record);
    }

    @Override
    void release(LockHandle handle, ReleaseRecord finalRecord) {
        handle.release(finalRecord);
        written.add(finalRecord);
    }
}
