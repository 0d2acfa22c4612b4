package dev.bluegreen.fabric8;

import dev.bluegreen.Retention;
import dev.bluegreen.internal.Checks;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What an automated release does with the previous color once the new one is committed: keep it running (switching
 * back stays one write), scale it to zero after a delay, or delete its Deployment after a delay (scaled to zero
 * first; the next release creates it again from the live color's spec). The release call waits the delay through
 * the engine's time source. The previous color is never scaled down or deleted while the router selects it.
 * Immutable.
 */
public final class PreviousColorRetention {
    private static final PreviousColorRetention KEEP = new PreviousColorRetention(null, false);

    private final Duration delay;
    private final boolean delete;

    private PreviousColorRetention(Duration delay, boolean delete) {
        this.delay = delay;
        this.delete = delete;
    }

    /** @return keep the previous color running, as the guide advises for 1 to 7 days */
    public static PreviousColorRetention keep() {
        return KEEP;
    }

    /**
     * @param delay how long to keep it running first; zero or positive
     * @return scale the previous color's Deployment to zero replicas after {@code delay}
     */
    public static PreviousColorRetention scaleToZeroAfter(Duration delay) {
        return new PreviousColorRetention(Checks.notNegative("retention delay", delay), false);
    }

    /**
     * @param delay how long to keep it running first; zero or positive
     * @return scale the previous color's Deployment to zero after {@code delay}, then delete it
     */
    public static PreviousColorRetention deleteAfter(Duration delay) {
        return new PreviousColorRetention(Checks.notNegative("retention delay", delay), true);
    }

    /** @return the delay before the previous color is scaled down (and deleted), or empty when it is kept */
    public Optional<Duration> delay() {
        return Optional.ofNullable(delay);
    }

    /** @return whether the previous color's Deployment is deleted after it was scaled to zero */
    public boolean deletes() {
        return delete;
    }

    /** @return the core's retention: what the engine's retire step does */
    public Retention retention() {
        return delay == null ? Retention.keepRunning() : Retention.scaleDownAfter(delay);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PreviousColorRetention that && Objects.equals(delay, that.delay) && delete == that.delete;
    }

    @Override
    public int hashCode() {
        return Objects.hash(delay, delete);
    }

    @Override
    public String toString() {
        return delay == null ? "keep the previous color running"
                : (delete ? "delete the previous color after " : "scale the previous color to zero after ") + delay;
    }
}
