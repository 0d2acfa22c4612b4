package dev.bluegreen;

import dev.bluegreen.internal.Checks;
import dev.bluegreen.internal.DefaultReleaseEngine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link ReleasePlan}s: moves each release through its {@link Phase}s, runs its steps with
 * their timeouts, aborts or rolls back on failure, and reports events to listeners. One engine
 * may run many releases at once; it holds no per-release state.
 *
 * <pre>{@code
 * ReleaseEngine engine = ReleaseEngine.builder()
 *         .listener(event -> log.info("{}", event))
 *         .build();
 * ReleaseResult result = engine.run(plan);
 * }</pre>
 */
public interface ReleaseEngine {

    /** Extra time a step that was given a deadline gets to report before it is interrupted: 2 seconds. */
    Duration DEFAULT_TIMEOUT_GRACE = Duration.ofSeconds(2);
    /** How many times a switch back is tried when the routing object changed in between: 3. */
    int DEFAULT_ROLLBACK_ATTEMPTS = 3;

    /**
     * @return an engine with the system time source and no listeners
     */
    static ReleaseEngine create() {
        return builder().build();
    }

    /**
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Runs a release on the calling thread until it ends. Interrupting the thread cancels the
     * release (see {@link ReleaseExecution#cancel()}); the interrupt flag is set again on return.
     *
     * @param plan the release; never null
     * @return how it ended; never null, also when it failed
     */
    ReleaseResult run(ReleasePlan plan);

    /**
     * Starts a release on a new thread.
     *
     * @param plan the release; never null
     * @return a handle to follow or cancel it
     */
    ReleaseExecution start(ReleasePlan plan);

    /** Builds a {@link ReleaseEngine}. Not thread-safe; building copies the settings. */
    final class Builder {
        private TimeSource time = TimeSource.system();
        private final List<ReleaseListener> listeners = new ArrayList<>();
        private Duration timeoutGrace = DEFAULT_TIMEOUT_GRACE;
        private int rollbackAttempts = DEFAULT_ROLLBACK_ATTEMPTS;

        private Builder() {
        }

        /**
         * @param time where the engine reads the time and waits (observation windows, retention); default system time
         * @return this builder
         */
        public Builder time(TimeSource time) {
            this.time = Checks.nonNull("time source", time);
            return this;
        }

        /**
         * @param listener receives the events of every release this engine runs
         * @return this builder
         */
        public Builder listener(ReleaseListener listener) {
            listeners.add(Checks.nonNull("listener", listener));
            return this;
        }

        /**
         * @param grace extra time a step that was handed its deadline (await ready, switch
         *              verification) gets before it is interrupted; zero or positive; default {@link #DEFAULT_TIMEOUT_GRACE}
         * @return this builder
         */
        public Builder timeoutGrace(Duration grace) {
            this.timeoutGrace = Checks.notNegative("timeout grace", grace);
            return this;
        }

        /**
         * @param attempts how many times to try switching back when the routing object keeps
         *                 changing under the rollback; at least 1; default {@link #DEFAULT_ROLLBACK_ATTEMPTS}
         * @return this builder
         */
        public Builder rollbackAttempts(int attempts) {
            this.rollbackAttempts = Checks.atLeast("rollback attempts", 1, attempts);
            return this;
        }

        /**
         * @return the engine
         */
        public ReleaseEngine build() {
            return new DefaultReleaseEngine(time, listeners, timeoutGrace, rollbackAttempts);
        }
    }
}
