package dev.bluegreen.fabric8;

import dev.bluegreen.TimeSource;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.LockTiming;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;

/**
 * How the Kubernetes adapter behaves, apart from names ({@link BlueGreenConventions}): how it
 * retries reads, how it holds the release lock, and whose clock judges a lock's expiry. Immutable.
 *
 * <p>Retries do not multiply with the client's own: fabric8 retries 5xx and 429 answers and
 * failed connections (refused, or closed before the answer) itself ({@code requestRetryBackoffLimit},
 * 10 by default), so the adapter retries a read only for what the client does not retry: a request
 * that timed out, and a 409 on a read. When the client's own retries are switched off
 * ({@code requestRetryBackoffLimit} 0), the adapter retries failed connections, 5xx and 429 on
 * reads too. Writes are never blindly retried by the adapter: after an unknown outcome it re-reads
 * and re-decides, and a write the client sent twice is recognised as its own. Every retry stays
 * within the step's deadline.
 *
 * <p>Preflight also checks the guide's best practices ({@link #bestPractices()}): by default a finding is a
 * warning in the result; {@link BestPracticeChecks#REFUSE} makes it refuse the release before any write.
 */
public final class KubernetesOptions {
    /**
     * The default read retry: 5 attempts, exponential backoff from 100 ms doubling each time with
     * 50% jitter.
     */
    public static final RetryConfig DEFAULT_READ_RETRY = RetryConfig.custom()
            .maxAttempts(5)
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.5))
            .build();

    private static final KubernetesOptions DEFAULTS = builder().build();

    private final RetryConfig readRetry;
    private final LockTiming lockTiming;
    private final TimeSource time;
    private final BestPracticeChecks bestPractices;

    private KubernetesOptions(Builder builder) {
        this.bestPractices = builder.bestPractices;
        this.readRetry = builder.readRetry;
        this.lockTiming = builder.lockTiming;
        this.time = builder.time;
    }

    /**
     * @return the defaults: {@link #DEFAULT_READ_RETRY}, {@link LockTiming#DEFAULT}, system time
     */
    public static KubernetesOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @return a builder starting from the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return how reads are retried: attempts and the backoff between them */
    public RetryConfig readRetry() {
        return readRetry;
    }

    /** @return how the release lock is held */
    public LockTiming lockTiming() {
        return lockTiming;
    }

    /** @return the clock that stamps the Lease and judges whether its holder is gone */
    public TimeSource time() {
        return time;
    }

    /** @return what preflight does with the guide's best practices (readiness probes, requests, quota room) */
    public BestPracticeChecks bestPractices() {
        return bestPractices;
    }

    @Override
    public String toString() {
        return "KubernetesOptions[readRetry=" + readRetry.getMaxAttempts() + " attempts, " + lockTiming + ", " + time
                + ", best practices " + bestPractices + "]";
    }

    /** Builds {@link KubernetesOptions}. Not thread-safe. */
    public static final class Builder {
        private RetryConfig readRetry = DEFAULT_READ_RETRY;
        private LockTiming lockTiming = LockTiming.DEFAULT;
        private TimeSource time = TimeSource.system();
        private BestPracticeChecks bestPractices = BestPracticeChecks.WARN;

        private Builder() {
        }

        /**
         * @param checks whether preflight checks the new color for readiness probes, resource requests and room in
         *               the namespace's ResourceQuota, and whether a finding is a warning or a refusal; default
         *               {@link BestPracticeChecks#WARN}
         * @return this builder
         */
        public Builder bestPractices(BestPracticeChecks checks) {
            this.bestPractices = Checks.nonNull("best practice checks", checks);
            return this;
        }

        /**
         * @param retry attempts and backoff (its {@code maxAttempts} and interval function are
         *              used; its exception predicates are not: what is retried is fixed, see the
         *              class comment); default {@link #DEFAULT_READ_RETRY}
         * @return this builder
         */
        public Builder readRetry(RetryConfig retry) {
            this.readRetry = Checks.nonNull("read retry", retry);
            return this;
        }

        /**
         * @param timing how the release lock is held; default {@link LockTiming#DEFAULT}
         * @return this builder
         */
        public Builder lockTiming(LockTiming timing) {
            this.lockTiming = Checks.nonNull("lock timing", timing);
            return this;
        }

        /**
         * @param time the clock that stamps the Lease and judges whether its holder is gone; use
         *             the engine's time source in tests that drive time by hand; default system time
         * @return this builder
         */
        public Builder time(TimeSource time) {
            this.time = Checks.nonNull("time source", time);
            return this;
        }

        /**
         * @return the options
         */
        public KubernetesOptions build() {
            return new KubernetesOptions(this);
        }
    }
}
