package dev.bluegreen;

import dev.bluegreen.internal.Checks;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What happens to the previous color once a release is committed: scaled down after a period
 * (during which switching back is one write), or left running for an operator to retire later.
 */
public final class Retention {

    /** The default: keep the previous color for 30 seconds, then scale it down. */
    public static final Retention DEFAULT = new Retention(Duration.ofSeconds(30));

    private static final Retention KEEP = new Retention(null);

    private final Duration scaleDownAfter;

    private Retention(Duration scaleDownAfter) {
        this.scaleDownAfter = scaleDownAfter;
    }

    /**
     * @param period how long to keep the previous color running; zero or positive. The release
     *               call waits this long (through the engine's {@link TimeSource}).
     * @return a retention that scales the previous color down after {@code period}
     */
    public static Retention scaleDownAfter(Duration period) {
        return new Retention(Checks.notNegative("retention period", period));
    }

    /**
     * @return a retention that leaves the previous color running
     */
    public static Retention keepRunning() {
        return KEEP;
    }

    /**
     * @return the period after which the previous color is scaled down, or empty when it is kept running
     */
    public Optional<Duration> scaleDownAfter() {
        return Optional.ofNullable(scaleDownAfter);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Retention && Objects.equals(((Retention) other).scaleDownAfter, scaleDownAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(scaleDownAfter);
    }

    @Override
    public String toString() {
        return scaleDownAfter == null ? "keep previous color running" : "scale previous color down after " + scaleDownAfter;
    }
}
