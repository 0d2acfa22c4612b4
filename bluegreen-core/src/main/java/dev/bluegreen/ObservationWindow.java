package dev.bluegreen;

import java.time.Duration;

/**
 * A gate evaluated repeatedly, with the analysis semantics of Argo Rollouts' AnalysisRuns: after an
 * {@link #initialDelay()}, once at the end of every {@link #interval()}, {@link #evaluations()}
 * times ({@code duration / interval}, or an explicit count). It fails as soon as more than
 * {@link #failureLimit()} evaluations failed, is inconclusive as soon as more than
 * {@link #inconclusiveLimit()} were inconclusive, and fails as soon as more than
 * {@link #consecutiveErrorLimit()} evaluations in a row threw (an error is never a pass). After the
 * last evaluation it passes, unless every evaluation threw (then it is inconclusive: nothing was
 * measured). The result keeps every evaluation with its time as its {@linkplain GateResult#parts()
 * parts}. Created with {@link HealthGate#observe(HealthGate)}:
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
    /** Default number of evaluations in a row that may throw before the window fails: 4, as in Argo Rollouts. */
    int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
    /** Default wait before the first interval starts: none. */
    Duration DEFAULT_INITIAL_DELAY = Duration.ZERO;

    /**
     * @return the wait before the first interval starts
     */
    Duration initialDelay();

    /**
     * @return the number of evaluations in a row that may throw before the window fails
     */
    int consecutiveErrorLimit();

    /**
     * @return the time between evaluations
     */
    Duration interval();

    /**
     * @return how long the window lasts, the initial delay included
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
         * @param duration length of the window; positive; default {@link #DEFAULT_DURATION}; the
         *                 window makes {@code duration / interval} evaluations. Not together with {@link #count(int)}.
         * @return this builder
         */
        Builder lasting(Duration duration);

        /**
         * @param count how many evaluations to make, one per interval; at least 1; not together
         *              with {@link #lasting(Duration)}
         * @return this builder
         */
        Builder count(int count);

        /**
         * @param delay wait before the first interval starts, e.g. for metrics to fill; zero or
         *              positive; default {@link #DEFAULT_INITIAL_DELAY}
         * @return this builder
         */
        Builder initialDelay(Duration delay);

        /**
         * @param limit evaluations in a row that may throw before the window fails; zero or more;
         *              default {@link #DEFAULT_CONSECUTIVE_ERROR_LIMIT}
         * @return this builder
         */
        Builder consecutiveErrorLimit(int limit);

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
         * @throws ConfigurationException when the interval is longer than the duration, or both a
         *                                duration and a count were set
         */
        ObservationWindow build();
    }
}
