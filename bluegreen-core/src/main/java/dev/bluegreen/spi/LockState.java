package dev.bluegreen.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * Who holds an app's release lock, as last written in the store.
 *
 * @param holder        the holder's identity; never null
 * @param acquiredAt    when it was acquired; never null
 * @param renewedAt     when it was last renewed; never null
 * @param leaseDuration how long it stays valid after a renewal; never null
 * @param released      whether the holder gave it up
 */
public record LockState(String holder, Instant acquiredAt, Instant renewedAt, Duration leaseDuration, boolean released) {

    /**
     * @return when the lock stops being valid unless renewed
     */
    public Instant expiresAt() {
        return renewedAt.plus(leaseDuration);
    }

    /**
     * @param now the current time
     * @return whether a holder holds it at {@code now}: not released and renewed within the lease duration
     */
    public boolean heldAt(Instant now) {
        return !released && now.isBefore(expiresAt());
    }

    /**
     * @return e.g. {@code held by r-6f1c2a@host since 2026-11-30T10:00:00Z, renewed 2026-11-30T10:00:04Z}
     */
    @Override
    public String toString() {
        return (released ? "released by " : "held by ") + holder + " since " + acquiredAt + ", renewed " + renewedAt;
    }
}
