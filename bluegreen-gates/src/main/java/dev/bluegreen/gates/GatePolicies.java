package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.gates.internal.Args;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

import java.time.Duration;
import java.util.Optional;

/**
 * How the HTTP, Prometheus and webhook gates make their calls: how often and after what pause a
 * failed call is tried again, how long one attempt may take, and when to stop calling a target
 * that keeps failing. The policy types are resilience4j's, as in the Kubernetes adapter's
 * {@code KubernetesOptions}, so a host configures both the same way. Immutable.
 *
 * <p>Each call of a gate runs as follows:
 * <ol>
 *   <li>the <b>circuit breaker</b> is asked first: when it is open, no request is sent and the
 *       result says so ("short-circuited");</li>
 *   <li>one <b>attempt</b> sends the request and reads the answer within the <b>time limit</b>
 *       ({@link #timeLimit()}, applied both as the request's own timeout and as resilience4j's
 *       {@code TimeLimiter} around the exchange, the body included); an attempt that runs out is
 *       cancelled;</li>
 *   <li>the attempt is recorded by the breaker: a failed connection, a timed-out attempt, a 5xx or
 *       a 429 answer count as failures (as {@link GateCallException}s), any other answer as a
 *       success;</li>
 *   <li>a failed connection, a timed-out attempt and the answers 429, 502, 503 and 504 are
 *       <b>retried</b> until {@link RetryConfig#getMaxAttempts()} attempts were made. The pause
 *       before the next attempt is what a 429 or 503 answer's {@code Retry-After} header asks (in
 *       seconds or as an HTTP date), or else the retry config's interval function (by default an
 *       exponential backoff with jitter). An answer that asks for more than
 *       {@link #maxRetryAfter()} is not retried. Only the config's attempts and interval function
 *       are used: what is retried is fixed, as above.</li>
 * </ol>
 * Pauses are taken on the gate context's time source ({@code GateContext.time()}), so a manual
 * clock skips them in tests and a release that stops interrupts them. Every retry is published as
 * an interim result ({@code GateContext.reportInterim}), which release listeners receive as an
 * interim {@code GateEvaluated} event; the final result counts the {@code attempts}.
 *
 * <pre>{@code
 * GatePolicies policies = GatePolicies.builder()
 *         .retry(RetryConfig.custom().maxAttempts(5)
 *                 .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofSeconds(1), 2.0, 0.5))
 *                 .build())
 *         .timeLimit(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 */
public final class GatePolicies {
    /** Default retry: 3 attempts, exponential backoff from 500 ms doubling each time, 50% jitter, at most 10 s. */
    public static final RetryConfig DEFAULT_RETRY = RetryConfig.custom()
            .maxAttempts(3)
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(500), 2.0, 0.5,
                    Duration.ofSeconds(10)))
            .build();
    /** Default time limit of one attempt: 10 seconds, the running exchange cancelled when it runs out. */
    public static final TimeLimiterConfig DEFAULT_TIME_LIMIT = TimeLimiterConfig.custom()
            .timeoutDuration(Duration.ofSeconds(10))
            .cancelRunningFuture(true)
            .build();
    /**
     * Default circuit breaker, one per gate: opens when at least half of the last 10 attempts (at
     * least 5 of them recorded) failed, stays open 30 seconds, then lets 2 trial attempts through.
     */
    public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER = CircuitBreakerConfig.custom()
            .slidingWindow(10, 5, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(2)
            .build();
    /** Default longest {@code Retry-After} that is honoured: 60 seconds; an answer asking for more is not retried. */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private static final GatePolicies DEFAULTS = builder().build();
    private static final GatePolicies NONE = builder().retry(RetryConfig.custom().maxAttempts(1).build())
            .noCircuitBreaker().build();

    private final RetryConfig retry;
    private final TimeLimiterConfig timeLimit;
    private final CircuitBreakerConfig circuitBreaker;
    private final CircuitBreaker sharedCircuitBreaker;
    private final Duration maxRetryAfter;

    private GatePolicies(Builder builder) {
        this.retry = builder.retry;
        this.timeLimit = builder.timeLimit;
        this.circuitBreaker = builder.circuitBreaker;
        this.sharedCircuitBreaker = builder.sharedCircuitBreaker;
        this.maxRetryAfter = builder.maxRetryAfter;
    }

    /**
     * @return {@link #DEFAULT_RETRY}, {@link #DEFAULT_TIME_LIMIT}, a {@link #DEFAULT_CIRCUIT_BREAKER}
     *         per gate and {@link #DEFAULT_MAX_RETRY_AFTER}
     */
    public static GatePolicies defaults() {
        return DEFAULTS;
    }

    /**
     * @return one attempt per call, no circuit breaker, the default time limit: for gates whose
     *         caller decides on retries itself (an observation window around the gate)
     */
    public static GatePolicies none() {
        return NONE;
    }

    /**
     * @return a builder starting from the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return a builder starting from these policies; building it never changes this object
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.retry = retry;
        builder.timeLimit = timeLimit;
        builder.circuitBreaker = circuitBreaker;
        builder.sharedCircuitBreaker = sharedCircuitBreaker;
        builder.maxRetryAfter = maxRetryAfter;
        return builder;
    }

    /**
     * @return attempts and backoff: its {@code maxAttempts} and interval function are used
     */
    public RetryConfig retry() {
        return retry;
    }

    /**
     * @return the time limit of one attempt
     */
    public TimeLimiterConfig timeLimit() {
        return timeLimit;
    }

    /**
     * @return the config each gate builds its own circuit breaker from; empty when there is none
     *         or when a {@linkplain #sharedCircuitBreaker() shared one} is used
     */
    public Optional<CircuitBreakerConfig> circuitBreaker() {
        return Optional.ofNullable(circuitBreaker);
    }

    /**
     * @return the one circuit breaker every gate built with these policies uses, e.g. for several
     *         queries to the same Prometheus server; empty when each gate has its own or none
     */
    public Optional<CircuitBreaker> sharedCircuitBreaker() {
        return Optional.ofNullable(sharedCircuitBreaker);
    }

    /**
     * @return the longest {@code Retry-After} honoured
     */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /**
     * @return e.g. {@code GatePolicies[3 attempts, time limit PT10S, circuit breaker per gate, max Retry-After PT1M]}
     */
    @Override
    public String toString() {
        return "GatePolicies[" + retry.getMaxAttempts() + (retry.getMaxAttempts() == 1 ? " attempt" : " attempts")
                + ", time limit " + timeLimit.getTimeoutDuration() + ", "
                + (sharedCircuitBreaker != null ? "shared circuit breaker '" + sharedCircuitBreaker.getName() + "'"
                : circuitBreaker != null ? "circuit breaker per gate" : "no circuit breaker")
                + ", max Retry-After " + maxRetryAfter + "]";
    }

    /** Builds {@link GatePolicies}. Each setter validates its value. Not thread-safe; building copies the settings. */
    public static final class Builder {
        private RetryConfig retry = DEFAULT_RETRY;
        private TimeLimiterConfig timeLimit = DEFAULT_TIME_LIMIT;
        private CircuitBreakerConfig circuitBreaker = DEFAULT_CIRCUIT_BREAKER;
        private CircuitBreaker sharedCircuitBreaker;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;

        private Builder() {
        }

        /**
         * @param retry attempts and backoff; its {@code maxAttempts} and interval function are used
         *              (the interval function receives the attempt number and either the failure
         *              or the HTTP status as an {@code Integer}); its predicates are not: what is
         *              retried is fixed, see the class comment; never null; default {@link #DEFAULT_RETRY}
         * @return this builder
         */
        public Builder retry(RetryConfig retry) {
            this.retry = Args.nonNull("retry config", retry);
            return this;
        }

        /**
         * @param timeLimit the time limit of one attempt; never null; default {@link #DEFAULT_TIME_LIMIT}
         * @return this builder
         */
        public Builder timeLimit(TimeLimiterConfig timeLimit) {
            this.timeLimit = Args.nonNull("time limit config", timeLimit);
            return this;
        }

        /**
         * @param timeLimit the time limit of one attempt; positive
         * @return this builder
         */
        public Builder timeLimit(Duration timeLimit) {
            Args.positive("time limit", timeLimit);
            this.timeLimit = TimeLimiterConfig.custom().timeoutDuration(timeLimit).cancelRunningFuture(true).build();
            return this;
        }

        /**
         * @param config each gate gets its own circuit breaker from this config, named after the
         *               gate; its exception predicates must keep recording {@link GateCallException}
         *               (the default records every exception); never null; default
         *               {@link #DEFAULT_CIRCUIT_BREAKER}
         * @return this builder
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            this.circuitBreaker = Args.nonNull("circuit breaker config", config);
            this.sharedCircuitBreaker = null;
            return this;
        }

        /**
         * @param breaker one circuit breaker for every gate built with these policies, e.g. all
         *                queries to one Prometheus server, so that they stop together when it
         *                flaps; never null
         * @return this builder
         */
        public Builder sharedCircuitBreaker(CircuitBreaker breaker) {
            this.sharedCircuitBreaker = Args.nonNull("shared circuit breaker", breaker);
            this.circuitBreaker = null;
            return this;
        }

        /**
         * No circuit breaker: every call is attempted.
         *
         * @return this builder
         */
        public Builder noCircuitBreaker() {
            this.circuitBreaker = null;
            this.sharedCircuitBreaker = null;
            return this;
        }

        /**
         * @param max the longest {@code Retry-After} honoured; zero or positive; an answer asking
         *            for more is not retried; default {@link #DEFAULT_MAX_RETRY_AFTER}
         * @return this builder
         */
        public Builder maxRetryAfter(Duration max) {
            this.maxRetryAfter = Args.notNegative("max Retry-After", max);
            return this;
        }

        /**
         * @return the policies
         * @throws ConfigurationException when the time limit is not positive
         */
        public GatePolicies build() {
            Duration limit = timeLimit.getTimeoutDuration();
            if (limit == null || limit.isZero() || limit.isNegative()) {
                throw new ConfigurationException("time limit must be a positive duration, but was " + limit);
            }
            return new GatePolicies(this);
        }
    }
}
