package dev.bluegreen;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** A release running in the background, started with {@link ReleaseEngine#start(ReleasePlan, ReleaseListener...)}. */
public interface ReleaseExecution {

    /**
     * @return the release's id, as in its result, events, log lines and record
     */
    String releaseId();

    /**
     * @return the plan being run
     */
    ReleasePlan plan();

    /**
     * @return the phase the release is in now
     */
    Phase phase();

    /**
     * Asks the release to stop. It ends in a defined, safe state: before the switch it aborts
     * (live traffic untouched); after the switch, before the release is committed, it rolls back;
     * once committed it stops retiring the previous color and cleans up. A write in flight is
     * never interrupted: the stop takes effect in the next wait or between steps. Recovery actions
     * (rollback, compensation, clean-up) are never cancelled.
     *
     * @return false when the release had already ended or cancel was already requested
     */
    boolean cancel();

    /**
     * Sends the release a signal that its gates may be waiting for, e.g. a person's approval of
     * the switch: {@code execution.signal("approve", "alice", "dashboards look fine")}. Gates read
     * it through {@link GateContext#signal(String)}. The first signal of a name is kept, a later
     * one of the same name is ignored; a signal sent before a gate waits for it counts. Listeners
     * receive a {@link dev.bluegreen.event.SignalReceived} event.
     *
     * @param name what it says, e.g. {@code "approve"} or {@code "reject"}; never blank
     * @param by   who sends it; never blank
     * @param note why; may be null or empty
     * @return false when the release has already ended or already received a signal of that name
     * @throws ConfigurationException        when the name or the sender is blank
     * @throws UnsupportedOperationException from implementations other than the engine's (test
     *                                       doubles written before signals existed) that do not
     *                                       override it
     */
    default boolean signal(String name, String by, String note) {
        throw new UnsupportedOperationException(getClass().getName() + " does not take signals; the releases "
                + "ReleaseEngine.start returns do");
    }

    /**
     * @return the result, once the release has ended
     * @throws InterruptedException when the waiting thread is interrupted (the release goes on)
     */
    ReleaseResult await() throws InterruptedException;

    /**
     * @param timeout how long to wait; never null
     * @return the result, or empty when the release is still running after {@code timeout}
     * @throws InterruptedException when the waiting thread is interrupted (the release goes on)
     */
    Optional<ReleaseResult> await(Duration timeout) throws InterruptedException;

    /**
     * @return completes with the result when the release ends
     */
    CompletionStage<ReleaseResult> completion();
}
