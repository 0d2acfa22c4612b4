package dev.bluegreen;

import dev.bluegreen.internal.Checks;
import dev.bluegreen.internal.DefaultReleaseEngine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs {@link ReleasePlan}s: takes the app's lock, moves each release through its {@link Phase}s,
 * runs its steps with their timeouts, records its progress in the app's release record, aborts or
 * rolls back on failure, and reports events to listeners. One engine may run many releases at
 * once; it holds no per-release state.
 *
 * <p>Threads: a release runs on one thread of the engine's executor (also for {@link #run}, whose
 * caller only waits), and its steps run on that thread one after the other; only side-by-side
 * post-switch gates borrow more threads from the executor. Deadlines and lock renewals share one
 * scheduler thread per engine. A release's writes are never interrupted: cancellation and timeouts
 * take effect in waits and between steps.
 *
 * <pre>{@code
 * ReleaseEngine engine = ReleaseEngine.builder()
 *         .listener(event -> log.info("{}", event))
 *         .build();
 * ReleaseResult result = engine.run(plan);
 * }</pre>
 */
public interface ReleaseEngine {

    /** How many times a switch back is tried when the routing object keeps changing under the rollback: 3. */
    int DEFAULT_ROLLBACK_ATTEMPTS = 3;

    /**
     * @return an engine with the system time source, a shared daemon thread pool and no listeners
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
     * Runs a release and waits until it ends. Interrupting the calling thread cancels the release
     * (see {@link ReleaseExecution#cancel()}) and keeps waiting until it reaches a safe end; the
     * interrupt flag is set again on return.
     *
     * @param plan      the release; never null
     * @param listeners listeners of this release only, in addition to the engine's
     * @return how it ended; never null, also when it failed
     */
    ReleaseResult run(ReleasePlan plan, ReleaseListener... listeners);

    /**
     * Starts a release on the engine's executor.
     *
     * @param plan      the release; never null
     * @param listeners listeners of this release only, in addition to the engine's
     * @return a handle to follow or cancel it
     */
    ReleaseExecution start(ReleasePlan plan, ReleaseListener... listeners);

    /**
     * Settles the app's previous release that never finished (its process crashed) or that ended
     * {@link Outcome#FAILED} leaving traffic on its new color: rolls it back to the color its
     * record names, or finishes it when its new color is healthy. Takes the app's lock like a
     * release; the result is the recovered release's (its id, its colors).
     *
     * @param plan      a plan for the app: its switcher, environments, store, timeouts, post-switch
     *                  gates (rolling forward observes with them) and retention are used; never null
     * @param policy    {@link RecoveryPolicy#ROLL_BACK} or {@link RecoveryPolicy#ROLL_FORWARD}
     * @param listeners listeners of this recovery only, in addition to the engine's
     * @return how the recovery ended; {@link Outcome#ABORTED} with nothing changed when there was
     *         nothing to recover or rolling forward was refused
     */
    ReleaseResult recover(ReleasePlan plan, RecoveryPolicy policy, ReleaseListener... listeners);

    /**
     * Reads the app's release record and lock, without taking the lock.
     *
     * @param plan a plan for the app (its store is read); never null
     * @return the latest record and who holds the lock
     */
    ReleaseStatus status(ReleasePlan plan);

    /** Builds a {@link ReleaseEngine}. Not thread-safe; building copies the settings. */
    final class Builder {
        private TimeSource time = TimeSource.system();
        private final List<ReleaseListener> listeners = new ArrayList<>();
        private int rollbackAttempts = DEFAULT_ROLLBACK_ATTEMPTS;
        private Executor executor;
        private ScheduledExecutorService scheduler;
        private String host;
        private java.util.function.Supplier<String> releaseIds;

        private Builder() {
        }

        /**
         * @param time where the engine reads the time and waits (observation windows, retention,
         *             lock expiry); default system time
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
         * @param attempts how many times to try switching back when the routing object keeps
         *                 changing under the rollback; at least 1; default {@link #DEFAULT_ROLLBACK_ATTEMPTS}
         * @return this builder
         */
        public Builder rollbackAttempts(int attempts) {
            this.rollbackAttempts = Checks.atLeast("rollback attempts", 1, attempts);
            return this;
        }

        /**
         * @param executor where releases run, one task per release, plus one per extra side-by-side
         *                 post-switch gate; default a shared pool of daemon threads that grows with
         *                 the releases running. A bounded executor bounds how many releases run at once.
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Checks.nonNull("executor", executor);
            return this;
        }

        /**
         * @param scheduler fires step deadlines and lock renewals; default one shared daemon thread
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Checks.nonNull("scheduler", scheduler);
            return this;
        }

        /**
         * @param host how this process names itself in lock holders and records ({@code <release id>@<host>});
         *             default the local host name
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Checks.nonBlank("host", host);
            return this;
        }

        /**
         * @param ids supplies the id of each release, e.g. from the host's own build numbers; each id
         *            must be a lowercase DNS label (it appears in lock holders and log lines) and
         *            unique per app; default {@code r-} and 12 random hex digits
         * @return this builder
         */
        public Builder releaseIds(java.util.function.Supplier<String> ids) {
            this.releaseIds = Checks.nonNull("release id supplier", ids);
            return this;
        }

        /**
         * @return the engine
         */
        public ReleaseEngine build() {
            return new DefaultReleaseEngine(time, listeners, rollbackAttempts, executor, scheduler, host, releaseIds);
        }
    }
}
