package dev.bluegreen.spi;

import dev.bluegreen.LockLostException;
import dev.bluegreen.ReleaseCancelledException;
import dev.bluegreen.internal.StandaloneDeadline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The time a step has left, and the signal that its release is stopping. Adapters wait only
 * through it: a cancelled release or a lost lock ends every wait at once, without interrupting a
 * write in flight (writes are never interrupted; a stop takes effect in waits and between steps).
 *
 * <p>An adapter that retries failed calls reports each failure with {@link #noteFailure}, so that
 * when time runs out the timeout names the last HTTP cause instead of hiding it.
 */
public interface Deadline {

    /**
     * @return the whole time the step was given, for messages such as "not ready within PT5M"
     */
    Duration timeout();

    /**
     * @return the time left; zero once passed
     */
    Duration remaining();

    /**
     * @return whether the time is up
     */
    default boolean expired() {
        return remaining().isZero();
    }

    /**
     * Throws when the release is stopping; returns otherwise. Call between retries.
     *
     * @throws ReleaseCancelledException when the release was cancelled
     * @throws LockLostException         when the release lost its lock
     */
    void checkStopping();

    /**
     * Waits for a result until the deadline, or until the release stops.
     *
     * @param future what to wait for; never null
     * @param <T>    the result type
     * @return the result
     * @throws TimeoutException          when the deadline passed first
     * @throws ReleaseCancelledException when the release was cancelled first
     * @throws LockLostException         when the release lost its lock first
     * @throws RuntimeException          the future's own failure, unwrapped when unchecked
     */
    <T> T await(CompletableFuture<T> future) throws TimeoutException;

    /**
     * Waits for a period, or less when the deadline or a stop comes first (used between retries).
     *
     * @param pause how long; never null
     * @return false when the deadline passed before the pause ended
     * @throws ReleaseCancelledException when the release was cancelled
     * @throws LockLostException         when the release lost its lock
     */
    boolean pause(Duration pause);

    /**
     * Remembers a failure the adapter is retrying after; a timeout of the step names the last one.
     *
     * @param failure the failure; never null
     */
    void noteFailure(Throwable failure);

    /**
     * @return the last failure noted, or null
     */
    Throwable lastFailure();

    /**
     * @param timeout the time available; positive
     * @return a deadline for calling an adapter outside a release (tests, tools): it never stops
     *         early, and it waits in real time
     */
    static Deadline after(Duration timeout) {
        return new StandaloneDeadline(timeout);
    }
}
