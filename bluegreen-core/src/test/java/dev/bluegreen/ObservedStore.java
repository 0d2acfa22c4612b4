package dev.bluegreen;

import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.ReleaseStore;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A release store around another that counts the lock's renewals (a permit per renewal, so a
 * test waits for them instead of sleeping), records every record written through a lock, and
 * can make renewals fail, as an unreachable API server would.
 */
final class ObservedStore implements ReleaseStore {
    private final ReleaseStore delegate;
    /** One permit per successful renewal. */
    final Semaphore renewals = new Semaphore(0);
    /** Every record written through a lock of this store, with its writer. */
    final List<ReleaseRecord> written = new CopyOnWriteArrayList<>();
    private final Object renewing = new Object();
    private String renewalFailure;

    ObservedStore(ReleaseStore delegate) {
        this.delegate = delegate;
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
    public ReleaseStatus read(AppId app, Deadline deadline) {
        return delegate.read(app, deadline);
    }

    @Override
    public LockHandle acquire(AppId app, String holder, ReleaseRecord firstRecord, Deadline deadline) {
        LockHandle handle = delegate.acquire(app, holder, firstRecord, deadline);
        written.add(firstRecord);
        return new LockHandle() {
            @Override
            public String holder() {
                return handle.holder();
            }

            @Override
            public Instant acquiredAt() {
                return handle.acquiredAt();
            }

            @Override
            public LockTiming timing() {
                return handle.timing();
            }

            @Override
            public void renew() {
                synchronized (renewing) {
                    if (renewalFailure != null) {
                        throw new ClusterApiException(renewalFailure, 503, null);
                    }
                    handle.renew();
                }
                renewals.release();
            }

            @Override
            public void write(ReleaseRecord record) {
                handle.write(record);
                written.add(record);
            }

            @Override
            public void release(ReleaseRecord finalRecord) {
                handle.release(finalRecord);
                written.add(finalRecord);
            }
        };
    }
}
