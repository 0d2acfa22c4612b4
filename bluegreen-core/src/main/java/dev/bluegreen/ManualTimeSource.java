package dev.bluegreen;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link TimeSource} for tests. The clock stands still until {@link #advance(Duration)} moves it
 * or a thread sleeps: {@code sleep(d)} returns at once after moving the clock to at least
 * "time the sleep began + d". Threads sleeping side by side therefore wake at the instants they
 * would have woken at, instead of adding their sleeps up. {@link #awaitUntil(CompletableFuture, Instant)}
 * does not move the clock: it waits until the future is done or the clock is moved (by
 * {@link #advance(Duration)} or another thread's sleep) to its deadline. Thread-safe.
 */
public final class ManualTimeSource implements TimeSource {
    private final AtomicReference<Instant> now;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    /** A thread in {@link #awaitUntil}: woken when the clock reaches {@code until}. */
    private record Waiter(Instant until, CompletableFuture<Void> reached) {
    }

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
        wakeWaiters();
    }

    /**
     * Waits, in real time, until {@code future} is done or this clock is moved to {@code deadline}
     * by {@link #advance(Duration)} or by another thread's {@link #sleep(Duration)}. Unlike
     * {@code sleep}, it never moves the clock itself: a test decides whether the future or the
     * deadline comes first.
     *
     * @throws InterruptedException when the calling thread is interrupted
     */
    @Override
    public boolean awaitUntil(CompletableFuture<?> future, Instant deadline) throws InterruptedException {
        if (future == null || deadline == null) {
            throw new ConfigurationException("future and deadline to await must not be null, but were " + future
                    + " and " + deadline);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before awaiting until " + deadline);
        }
        if (future.isDone() || !now.get().isBefore(deadline)) {
            return future.isDone();
        }
        Waiter waiter = new Waiter(deadline, new CompletableFuture<>());
        waiters.add(waiter);
        try {
            // The clock may have reached the deadline between the check above and the registration.
            wakeWaiters();
            CompletableFuture.anyOf(future, waiter.reached()).get();
        } catch (ExecutionException | CancellationException e) {
            // the future ended exceptionally: it is done
        } finally {
            waiters.remove(waiter);
        }
        return future.isDone();
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
        Instant moved = now.updateAndGet(current -> current.plus(duration));
        wakeWaiters();
        return moved;
    }

    private void wakeWaiters() {
        Instant current = now.get();
        for (Waiter waiter : waiters) {
            if (!current.isBefore(waiter.until())) {
                waiter.reached().complete(null);
            }
        }
    }

    @Override
    public String toString() {
        return "ManualTimeSource[" + now.get() + "]";
    }
}
