package dev.bluegreen.spi;

import dev.bluegreen.LockLostException;
import dev.bluegreen.ReleaseRecord;

import java.time.Instant;

/**
 * A held release lock. The release record is written through it, so only the holder writes the
 * record, and every write also renews the lock. Thread-safe: the engine renews from its
 * scheduler while the release writes its record.
 */
public interface LockHandle {

    /**
     * @return the holder's identity, e.g. {@code r-6f1c2a@build-host-7}
     */
    String holder();

    /**
     * @return when the lock was acquired
     */
    Instant acquiredAt();

    /**
     * @return the timing this lock is held with
     */
    LockTiming timing();

    /**
     * Renews the lock.
     *
     * @throws LockLostException when someone else holds it now
     * @throws RuntimeException  when the renewal could not be made (the engine retries until
     *                           {@link LockTiming#renewDeadline()})
     */
    void renew();

    /**
     * Persists the release record (and renews the lock) before returning.
     *
     * @param record the record; never null
     * @throws LockLostException when someone else holds the lock now; nothing was written
     */
    void write(ReleaseRecord record);

    /**
     * Writes the final record and gives the lock up. Idempotent.
     *
     * @param finalRecord the record of the ended release; never null
     */
    void release(ReleaseRecord finalRecord);
}
