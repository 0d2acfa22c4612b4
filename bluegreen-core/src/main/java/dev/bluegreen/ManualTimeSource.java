package dev.bluegreen;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link TimeSource} for tests. The clock stands still until {@link #advance(Duration)} moves it
 * or a thread sleeps: {@code sleep(d)} returns at once after moving the clock to at least
 * "time the sleep began + d". Threads sleeping side by side therefore wake at the instants they
 * would have woken at, instead of adding their sleeps up. Thread-safe.
 */
public final class ManualTimeSource implements TimeSource {
    private final AtomicReference<Instant> now;

    ManualTimeSource(Instant start) {
        if (start == null) {
            throw new ConfigurationException("start instant must not be null");
        }
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant now() {
        return now.get();
    }

    /**
     * Moves the clock to at least the instant this sleep ends, then returns without waiting.
     *
     * @throws InterruptedException when the calling thread is interrupted, as a real sleep would
     */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before sleeping " + duration);
        }
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        Instant wake = now.get().plus(duration);
        now.accumulateAndGet(wake, (current, wanted) -> wanted.isAfter(current) ? wanted : current);
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far; must not be negative
     * @return the new current instant
     * @throws ConfigurationException when {@code duration} is null or negative
     */
    public Instant advance(Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new ConfigurationException("duration to advance must be zero or positive, but was " + duration);
        }
        return now.updateAndGet(current -> current.plus(duration));
    }

    @Override
    public String toString() {
        return "ManualTimeSource[" + now.get() + "]";
    }
}
