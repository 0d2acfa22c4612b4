package dev.bluegreen.spi;

import dev.bluegreen.AppId;
import dev.bluegreen.ReleaseStatus;

/**
 * Where an app's release record is kept, so a release that crashed is never forgotten: the record
 * is written (through the {@link LockHandle}) when each step starts and again before each write
 * that changes something (the switch, an abort, a rollback), and read by the next release, by
 * recovery and by status queries.
 */
public interface ReleaseJournal {

    /**
     * Reads the app's latest release record and the state of its lock.
     *
     * @param app      the app; never null
     * @param deadline bounds the calls; never null
     * @return the status; empty parts when the app was never released with this store
     */
    ReleaseStatus read(AppId app, Deadline deadline);
}
