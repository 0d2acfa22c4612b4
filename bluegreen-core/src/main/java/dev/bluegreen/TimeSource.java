package dev.bluegreen;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the engine and gates read the time and wait. Injected so that tests drive time instead of
 * sleeping: with {@link #manual(Instant)} an observation window of an hour runs in microseconds.
 */
public interface TimeSource {

    /**
     * @return the current instant
     */
    Instant now();

    /**
     * Waits for a duration.
     *
     * @param duration how long to wait; zero or negative returns at once; never null
     * @throws InterruptedException when the waiting thread is interrupted
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits until {@code future} is done or this time source reaches {@code deadline}, whichever
     * comes first, without polling: how a gate waits for something that arrives from outside (an
     * approval) with a time limit. The deadline is an instant rather than a duration so that a
     * gate can fix it, and say so, before it waits: a test that moves a manual clock past it
     * afterwards cannot race the wait. The default waits in real time, as {@link #sleep(Duration)}
     * does; {@link ManualTimeSource} waits until the future is done or its clock is moved to the
     * deadline.
     *
     * @param future   what to wait for; never null; not changed by the wait
     * @param deadline when to stop waiting, on this time source; one already reached does not
     *                 wait; never null
     * @return whether {@code future} is done (normally, exceptionally or cancelled)
     * @throws InterruptedException when the waiting thread is interrupted
     */
    default boolean awaitUntil(CompletableFuture<?> future, Instant deadline) throws InterruptedException {
        if (future == null || deadline == null) {
            throw new ConfigurationException("future and deadline to await must not be null, but were " + future
                    + " and " + deadline);
        }
        Duration left = Duration.between(now(), deadline);
        if (future.isDone() || left.isNegative() || left.isZero()) {
            return future.isDone();
        }
        try {
            future.get(left.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return future.isDone();
        } catch (ExecutionException | CancellationException e) {
            return true;
        }
        return true;
    }

    /**
     * @return wall-clock time from the system UTC clock, waiting with {@link Thread#sleep(long)}
     */
    static TimeSource system() {
        return of(Clock.systemUTC());
    }

    /**
     * @param clock the clock to read; never null
     * @return a time source reading {@code clock} and waiting in real time
     */
    static TimeSource of(Clock clock) {
        if (clock == null) {
            throw new ConfigurationException("clock must not be null");
        }
        return new TimeSource() {
            @Override
            public Instant now() {
                return clock.instant();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                if (!duration.isNegative() && !duration.isZero()) {
                    Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
                }
            }

            @Override
            public String toString() {
                return "TimeSource[" + clock + "]";
            }
        };
    }

    /**
     * @param start the instant the clock shows first; never null
     * @return a clock that only moves when advanced or slept on, for tests
     */
    static ManualTimeSource manual(Instant start) {
        return new ManualTimeSource(start);
    }
}
