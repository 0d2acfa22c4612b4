package dev.bluegreen.testkit.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulated cluster's time: it starts at the real time of the cluster's start and runs
 * {@link #scale()} times faster than real time, so that the durations written in objects (probe periods,
 * grace periods, back-offs, progress deadlines, {@code minReadySeconds}) keep their real values while a test
 * waits only a fraction of them. Every timestamp the simulated controllers and API server write comes from
 * this clock.
 */
public final class SimClock extends Clock {

    private final Instant origin;
    private final long originNanos;
    private final double scale;

    /**
     * Starts simulated time now.
     *
     * @param scale simulated seconds per real second; positive
     */
    public SimClock(double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, but was " + scale);
        }
        this.origin = Instant.now();
        this.originNanos = System.nanoTime();
        this.scale = scale;
    }

    /**
     * Returns how many simulated seconds pass per real second.
     *
     * @return the scale, e.g. 1000
     */
    public double scale() {
        return scale;
    }

    @Override
    public Instant instant() {
        long realNanos = System.nanoTime() - originNanos;
        return origin.plusNanos((long) (realNanos * scale));
    }

    /**
     * Converts a simulated duration into the real time it takes.
     *
     * @param simulated a simulated duration; negative counts as zero
     * @return the real duration, never negative
     */
    public Duration toReal(Duration simulated) {
        if (simulated.isNegative() || simulated.isZero()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil(simulated.toNanos() / scale));
    }

    /**
     * Converts a real duration into the simulated time that passes meanwhile.
     *
     * @param real a real duration
     * @return the simulated duration
     */
    public Duration toSimulated(Duration real) {
        return Duration.ofNanos((long) (real.toNanos() * scale));
    }

    /**
     * Returns the real time from now until a simulated instant.
     *
     * @param when a simulated instant
     * @return zero if it has passed
     */
    public Duration realDelayUntil(Instant when) {
        return toReal(Duration.between(instant(), when));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the simulated clock is always in UTC");
    }

    @Override
    public String toString() {
        return "SimClock[scale=" + scale + ", now=" + instant() + "]";
    }
}
