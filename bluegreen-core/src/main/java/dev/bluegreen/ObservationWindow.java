package dev.bluegreen;

import java.time.Duration;

/**
 * A gate evaluated repeatedly: once at the end of every {@link #interval()} until
 * {@link #duration()} has passed, that is {@code duration / interval} evaluations. It fails as soon
 * as more than {@link #failureLimit()} evaluations failed, is inconclusive as soon as more than
 * {@link #inconclusiveLimit()} were inconclusive, and passes after the last evaluation otherwise.
 * Created with {@link HealthGate#observe(HealthGate)}:
 *
 * <pre>{@code
 * HealthGate errorRate = HealthGate.observe(errorRateBelowOnePercent)
 *         .every(Duration.ofSeconds(30))
 *         .lasting(Duration.ofMinutes(5))
 *         .failureLimit(1)
 *         .build();
 * }</pre>
 */
public interface ObservationWindow extends HealthGate {

    /** Default time between evaluations: 30 seconds. */
    Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    /** Default length of the window: 5 minutes. */
    Duration DEFAULT_DURATION = Duration.ofMinutes(5);
    /** Default number of failed evaluations tolerated: none. */
    int DEFAULT_FAILURE_LIMIT = 0;
    /** Default number of inconclusive evaluations tolerated: none. */
    int DEFAULT_INCONCLUSIVE_LIMIT = 0;

    /**
     * @return the time between evaluations
     */
    Duration interval();

    /**
     * @return how long the window lasts
     */
    Duration duration();

    /**
     * @return how many evaluations the window makes when nothing stops it early
     */
    int evaluations();

    /**
     * @return the number of failed evaluations tolerated
     */
    int failureLimit();

    /**
     * @return the number of inconclusive evaluations tolerated
     */
    int inconclusiveLimit();

    /** Builds an {@link ObservationWindow}. Each setter validates its value. Not thread-safe. */
    interface Builder {

        /**
         * @param name the window's name; never blank; default "window(&lt;gate name&gt;)"
         * @return this builder
         */
        Builder name(String name);

        /**
         * @param interval time between evaluations; positive; default {@link #DEFAULT_INTERVAL}
         * @return this builder
         */
        Builder every(Duration interval);

        /**
         * @param duration length of the window; positive; default {@link #DEFAULT_DURATION}
         * @return this builder
         */
        Builder lasting(Duration duration);

        /**
         * @param limit failed evaluations tolerated; zero or more; default 0
         * @return this builder
         */
        Builder failureLimit(int limit);

        /**
         * @param limit inconclusive evaluations tolerated; zero or more; default 0
         * @return this builder
         */
        Builder inconclusiveLimit(int limit);

        /**
         * @return the window
         * @throws ConfigurationException when the interval is longer than the duration
         */
        ObservationWindow build();
    }
}
