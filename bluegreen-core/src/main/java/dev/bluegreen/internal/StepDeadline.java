package dev.bluegreen.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.spi.Deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The deadline of one step of a release, in real time. Waits end when the deadline passes or a
 * stop cause that concerns the step arrives ({@link RunControl}); code in an
 * {@linkplain #interruptibly interruptible region} (a gate, a custom step, a sleep) is interrupted
 * then, except while it runs a {@linkplain #shielded write of the engine's own}. Nothing else is
 * ever interrupted, so a write in flight always completes.
 */
final class StepDeadline implements Deadline {
    private static final ThreadLocal<StepDeadline> ACTIVE = new ThreadLocal<>();

    private final RunControl control;
    private final String step;
    private final Duration timeout;
    private final long endNanos;
    private final boolean cancellable;
    private final boolean guarded;
    private final CompletableFuture<BlueGreenException> stop = new CompletableFuture<>();
    private final Set<Region> regions = ConcurrentHashMap.newKeySet();
    private volatile Throwable lastFailure;
    private volatile boolean timedOut;

    /**
     * @param control     the release's stop signals
     * @param step        the step's name, for messages
     * @param timeout     the step's timeout
     * @param cancellable whether cancelling the release stops this step (recovery steps are not)
     * @param guarded     whether a route change by someone else stops this step
     */
    StepDeadline(RunControl control, String step, Duration timeout, boolean cancellable, boolean guarded) {
        this.control = control;
        this.step = step;
        this.timeout = timeout;
        this.endNanos = System.nanoTime() + timeout.toNanos();
        this.cancellable = cancellable;
        this.guarded = guarded;
        control.subscribe(this);
    }

    /** @return the deadline of the step the calling thread works for, or null */
    static StepDeadline active() {
        return ACTIVE.get();
    }

    /** Makes this the calling thread's active deadline until the returned scope is closed. */
    Scope activate() {
        StepDeadline previous = ACTIVE.get();
        ACTIVE.set(this);
        return () -> {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
        };
    }

    /** Restores the previous active deadline. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    String step() {
        return step;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    boolean timedOut() {
        return timedOut || remaining().isZero();
    }

    /** @return the stop cause that ended this step, or null */
    BlueGreenException stopCause() {
        return stop.getNow(null);
    }

    @Override
    public Duration remaining() {
        long left = endNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    @Override
    public void checkStopping() {
        BlueGreenException cause = stop.getNow(null);
        if (cause != null) {
            throw cause;
        }
    }

    @Override
    public <T> T await(CompletableFuture<T> future) throws TimeoutException {
        Checks.nonNull("future", future);
        CompletableFuture<Object> either = CompletableFuture.anyOf(future, stop);
        while (!future.isDone()) {
            checkStopping();
            long left = endNanos - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("step '" + step + "' ran out of its " + timeout);
            }
            try {
                either.get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                break;
            } catch (TimeoutException e) {
                // loop: the deadline check above decides
            } catch (InterruptedException e) {
                // Only interruptible regions are interrupted; keep the flag for the region to see.
                Thread.currentThread().interrupt();
                throw new BlueGreenException("wait in step '" + step + "' was interrupted", e);
            }
        }
        if (!future.isDone()) {
            checkStopping();
        }
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new BlueGreenException("wait in step '" + step + "' failed: " + cause, cause);
        }
    }

    @Override
    public boolean pause(Duration pause) {
        long wait = Math.min(pause.toNanos(), endNanos - System.nanoTime());
        if (wait <= 0) {
            checkStopping();
            return false;
        }
        try {
            stop.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return endNanos - System.nanoTime() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlueGreenException("pause in step '" + step + "' was interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("stop signal failed", e);
        }
        checkStopping();
        return false;
    }

    @Override
    public void noteFailure(Throwable failure) {
        lastFailure = Checks.nonNull("failure", failure);
    }

    @Override
    public Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * Runs code that may be interrupted when this step times out or stops: user code (gates,
     * custom steps) and sleeps. The interrupt flag is cleared on the way out, so nothing after the
     * region (a write) sees an interrupt meant for the region.
     */
    @SuppressWarnings("try") // the scope only needs closing
    <T> T interruptibly(Callable<T> code) throws Exception {
        Region region = new Region(Thread.currentThread());
        regions.add(region);
        if (stop.isDone() || timedOut) {
            region.interrupt();
        }
        try (Scope ignored = activate()) {
            return code.call();
        } finally {
            region.close();
            regions.remove(region);
            Thread.interrupted();
        }
    }

    /**
     * Runs a write of the engine's own (a lock renewal after a sleep) from inside an interruptible
     * region of the calling thread: an interrupt meant for the region is held back until the write
     * is done, then delivered, so the write completes whatever stops the step meanwhile.
     */
    void shielded(Runnable write) {
        List<Region> mine = new ArrayList<>();
        for (Region region : regions) {
            if (region.shield(Thread.currentThread())) {
                mine.add(region);
            }
        }
        boolean interrupted = Thread.interrupted();
        try {
            write.run();
        } finally {
            for (Region region : mine) {
                interrupted |= region.unshield();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Called by the scheduler when the step's time is up: interrupts its interruptible regions. */
    void expire() {
        timedOut = true;
        interruptRegions();
    }

    /** Interrupts the code in this step's interruptible regions, e.g. gates that no longer matter. */
    void interruptRegions() {
        regions.forEach(Region::interrupt);
    }

    /** Called by {@link RunControl} when a stop cause arrives. */
    void onStopSignal() {
        BlueGreenException cause = control.stopCause(cancellable, guarded);
        if (cause != null && stop.complete(cause)) {
            regions.forEach(Region::interrupt);
        }
    }

    /** Stops listening to stop signals. */
    void close() {
        control.unsubscribe(this);
    }

    /**
     * One thread inside an interruptible region; interrupting it after it left is a no-op, and
     * while it is shielded the interrupt waits.
     */
    private static final class Region {
        private final Thread thread;
        private boolean closed;
        private boolean shielded;
        private boolean pending;

        Region(Thread thread) {
            this.thread = thread;
        }

        synchronized void interrupt() {
            if (closed) {
                return;
            }
            if (shielded) {
                pending = true;
            } else {
                thread.interrupt();
            }
        }

        /** @return whether this is a region of {@code current}, now shielded */
        synchronized boolean shield(Thread current) {
            if (closed || thread != current) {
                return false;
            }
            shielded = true;
            return true;
        }

        /** @return whether an interrupt arrived while shielded */
        synchronized boolean unshield() {
            shielded = false;
            boolean arrived = pending;
            pending = false;
            return arrived;
        }

        synchronized void close() {
            closed = true;
        }
    }
}
