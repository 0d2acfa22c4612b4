package dev.bluegreen;

import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.ReleaseStore;

import java.time.Instant;

/**
 * A release store that forwards to another, for tests that intercept what goes through the lock:
 * override {@link #renew}, {@link #write} or {@link #release} (each receives the real handle).
 */
class ForwardingStore implements ReleaseStore {
    private final ReleaseStore delegate;

    ForwardingStore(ReleaseStore delegate) {
        this.delegate = delegate;
    }

    void renew(LockHandle handle) {
        handle.renew();
    }

    void write(LockHandle handle, ReleaseRecord record) {
        handle.write(record);
    }

    void release(LockHandle handle, ReleaseRecord finalRecord) {
        handle.release(finalRecord);
    }

    void acquired(ReleaseRecord firstRecord) {
    }

    @Override
    public ReleaseStatus read(AppId app, Deadline deadline) {
        return delegate.read(app, deadline);
    }

    @Override
    public LockHandle acquire(AppId app, String holder, ReleaseRecord firstRecord, Deadline deadline) {
        LockHandle handle = delegate.acquire(app, holder, firstRecord, deadline);
        acquired(firstRecord);
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
                ForwardingStore.this.renew(handle);
            }

            @Override
            public void write(ReleaseRecord record) {
                ForwardingStore.this.write(handle, record);
            }

            @Override
            public void release(ReleaseRecord finalRecord) {
                ForwardingStore.this.release(handle, finalRecord);
            }
        };
    }
}
