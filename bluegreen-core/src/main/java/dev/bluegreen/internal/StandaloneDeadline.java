package dev.bluegreen.internal;

import dev.bluegreen.spi.Deadline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link Deadline} for calling adapters outside a release: real time, never stopped early. */
public final class StandaloneDeadline implements Deadline {
    private final long endNanos;
    private final Duration timeout;
    private volatile Throwable lastFailure;

    /**
     * @param timeout the time available; positive
     */
    public StandaloneDeadline(Duration timeout) {
        this.timeout = Checks.positive("deadline", timeout);
        this.endNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public Duration remaining() {
        long left = endNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    @Override
    public void checkStopping() {
        // never stopped early
    }

    @Override
    public <T> T await(CompletableFuture<T> future) throws TimeoutException {
        try {
            return future.get(Math.max(0, endNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.bluegreen.BlueGreenException("wait interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new dev.bluegreen.BlueGreenException("wait failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public boolean pause(Duration pause) {
        long wait = Math.min(pause.toNanos(), endNanos - System.nanoTime());
        if (wait <= 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.bluegreen.BlueGreenException("pause interrupted", e);
        }
        return endNanos - System.nanoTime() > 0;
    }

    @Override
    public void noteFailure(Throwable failure) {
        lastFailure = failure;
    }

    @Override
    public Throwable lastFailure() {
        return lastFailure;
    }

    @Override
    public String toString() {
        return "Deadline[" + timeout + ", " + remaining() + " left]";
    }
}
