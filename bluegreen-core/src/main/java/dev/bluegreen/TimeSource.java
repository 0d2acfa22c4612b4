package dev.bluegreen;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

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
