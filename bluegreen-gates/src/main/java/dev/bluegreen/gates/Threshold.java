package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.gates.internal.Args;
import dev.bluegreen.gates.internal.Text;

import java.util.Objects;

/**
 * A condition on a measured number: below, at most, above, at least or between limits. NaN never
 * satisfies one (gates report NaN as inconclusive before asking); infinities compare as the
 * largest and smallest numbers. Immutable.
 *
 * <pre>{@code
 * Threshold.below(0.05)           // error ratio under 5%
 * Threshold.atLeast(10)           // at least 10 requests per second
 * Threshold.between(0.1, 0.5)     // both limits included
 * }</pre>
 */
public final class Threshold {
    /** The comparisons a threshold makes. */
    private enum Kind { BELOW, AT_MOST, ABOVE, AT_LEAST, BETWEEN }

    private final Kind kind;
    private final double low;
    private final double high;

    private Threshold(Kind kind, double low, double high) {
        this.kind = kind;
        this.low = low;
        this.high = high;
    }

    /**
     * @param limit a finite number
     * @return values strictly below {@code limit}
     */
    public static Threshold below(double limit) {
        return new Threshold(Kind.BELOW, Double.NEGATIVE_INFINITY, Args.finite("threshold limit", limit));
    }

    /**
     * @param limit a finite number
     * @return values below or equal to {@code limit}
     */
    public static Threshold atMost(double limit) {
        return new Threshold(Kind.AT_MOST, Double.NEGATIVE_INFINITY, Args.finite("threshold limit", limit));
    }

    /**
     * @param limit a finite number
     * @return values strictly above {@code limit}
     */
    public static Threshold above(double limit) {
        return new Threshold(Kind.ABOVE, Args.finite("threshold limit", limit), Double.POSITIVE_INFINITY);
    }

    /**
     * @param limit a finite number
     * @return values above or equal to {@code limit}
     */
    public static Threshold atLeast(double limit) {
        return new Threshold(Kind.AT_LEAST, Args.finite("threshold limit", limit), Double.POSITIVE_INFINITY);
    }

    /**
     * @param min a finite number
     * @param max a finite number, not below {@code min}
     * @return values from {@code min} to {@code max}, both included
     * @throws ConfigurationException when a limit is not finite or {@code min} is above {@code max}
     */
    public static Threshold between(double min, double max) {
        Args.finite("threshold minimum", min);
        Args.finite("threshold maximum", max);
        if (min > max) {
            throw new ConfigurationException("threshold minimum " + Text.number(min) + " is above its maximum "
                    + Text.number(max) + "; expected min <= max");
        }
        return new Threshold(Kind.BETWEEN, min, max);
    }

    /**
     * @param value the measured value
     * @return whether it satisfies this threshold; false for NaN
     */
    public boolean test(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        switch (kind) {
            case BELOW:
                return value < high;
            case AT_MOST:
                return value <= high;
            case ABOVE:
                return value > low;
            case AT_LEAST:
                return value >= low;
            default:
                return value >= low && value <= high;
        }
    }

    /**
     * @return e.g. {@code below 0.05}, {@code at least 10}, {@code between 0.1 and 0.5}
     */
    @Override
    public String toString() {
        switch (kind) {
            case BELOW:
                return "below " + Text.number(high);
            case AT_MOST:
                return "at most " + Text.number(high);
            case ABOVE:
                return "above " + Text.number(low);
            case AT_LEAST:
                return "at least " + Text.number(low);
            default:
                return "between " + Text.number(low) + " and " + Text.number(high);
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Threshold)) {
            return false;
        }
        Threshold that = (Threshold) other;
        return kind == that.kind && Double.compare(low, that.low) == 0 && Double.compare(high, that.high) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, low, high);
    }
}
