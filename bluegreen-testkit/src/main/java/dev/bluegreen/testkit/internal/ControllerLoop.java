package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread every controller runs on. Running all reconciliation on a single thread keeps the
 * controllers' caches free of locks and their writes free of races with each other.
 *
 * <p>The loop counts its pending work: queued tasks, the running task, and <em>tracked</em> delayed tasks
 * (pod start-ups, probes, graceful terminations, retries). {@link #awaitIdle} and {@link #awaitProgress} let a waiting thread block on that
 * count instead of sleeping. Untracked delayed tasks (progress deadlines, crash-loop back-offs, possibly
 * minutes of simulated time away) do not count: a cluster waiting for a deadline is settled. Delays given as
 * instants are simulated time ({@link SimClock}); delays given as durations are real time.
 */
final class ControllerLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(50);
    private static final Duration MAX_RETRY = Duration.ofSeconds(1);
    private static final Duration CONFLICT_RETRY = Duration.ofMillis(2);

    private final ScheduledThreadPoolExecutor executor;
    private final SimClock clock;
    private final Set<String> queuedKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Pending units of work; guarded by {@link #lock}. */
    private int pending;
    /** Finished units of work since start; guarded by {@link #lock}. */
    private long finished;
    private volatile boolean closed;

    /**
     * Creates the loop and its daemon thread.
     *
     * @param threadName the name of the loop's thread, shown in thread dumps
     * @param clock      the simulated time that {@link #runAt} and {@link #wakeUpAt} refer to
     */
    ControllerLoop(String threadName, SimClock clock) {
        this.clock = clock;
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        // Closing drops delayed work (pod start-ups, deadlines) instead of waiting for it.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Runs {@code work} on the loop as soon as possible.
     *
     * @param work what to run; exceptions are logged
     */
    void run(Runnable work) {
        begin();
        submit(() -> runTracked(work), 0);
    }

    /**
     * Runs the reconciliation of {@code key} on the loop unless one is already queued: several events for
     * the same object collapse into one reconciliation. A failing reconciliation is retried with back-off
     * until it succeeds or the loop closes, and counts as pending work meanwhile.
     *
     * @param key       the object's identity, e.g. {@code deployment default/web}
     * @param reconcile the reconciliation, reading the latest cached state when it runs
     */
    void reconcile(String key, Runnable reconcile) {
        if (queuedKeys.add(key)) {
            begin();
            submit(() -> runReconcile(key, reconcile), 0);
        }
    }

    /**
     * Runs {@code work} on the loop after a real {@code delay}, counting it as pending work until then.
     *
     * @param delay how long to wait in real time, zero or more
     * @param work  what to run; exceptions are logged
     */
    void runLater(Duration delay, Runnable work) {
        begin();
        submit(() -> runTracked(work), delay.toNanos());
    }

    /**
     * Runs {@code work} on the loop at a simulated instant, counting it as pending work until then. For
     * events that are due soon, such as a container starting or a probe succeeding.
     *
     * @param when the simulated instant; a past one means now
     * @param work what to run; exceptions are logged
     * @return a handle to call the task off
     */
    Cancellable runAt(Instant when, Runnable work) {
        AtomicBoolean done = new AtomicBoolean();
        begin();
        ScheduledFuture<?> future;
        try {
            future = executor.schedule(() -> {
                if (done.compareAndSet(false, true)) {
                    runTracked(work);
                }
            }, clock.realDelayUntil(when).toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            end();
            return () -> { };
        }
        return () -> {
            if (done.compareAndSet(false, true)) {
                future.cancel(false);
                end();
            }
        };
    }

    /** A tracked task that can be called off before it runs; it then no longer counts as pending work. */
    interface Cancellable {
        /** Calls the task off unless it has started; idempotent. */
        void cancel();
    }

    /**
     * Runs {@code work} on the loop at a simulated instant without counting it as pending work. For
     * deadlines and periodic events (back-offs, progress deadlines) that a settled cluster may legitimately
     * be waiting for.
     *
     * @param when the simulated instant; a past one means now
     * @param work what to run; typically it calls {@link #reconcile}
     */
    void wakeUpAt(Instant when, Runnable work) {
        wakeUpLater(clock.realDelayUntil(when), work);
    }

    /**
     * Returns the simulated time the loop schedules by.
     *
     * @return the clock
     */
    SimClock clock() {
        return clock;
    }

    /**
     * Runs {@code work} on the loop after a real {@code delay} without counting it as pending work.
     *
     * @param delay how long to wait in real time, zero or more
     * @param work  what to run; typically it calls {@link #reconcile}
     */
    void wakeUpLater(Duration delay, Runnable work) {
        if (!closed) {
            try {
                executor.schedule(() -> runSafely(work), delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Closing: the deadline no longer matters.
            }
        }
    }

    /**
     * Returns how many units of work finished since the loop started; a waiting thread compares it with a
     * later value to see whether anything happened.
     *
     * @return a counter that only grows
     */
    long progress() {
        synchronized (lock) {
            return finished;
        }
    }

    /**
     * Returns the number of pending units of work, for diagnostics.
     *
     * @return queued, running and tracked delayed tasks
     */
    int pending() {
        synchronized (lock) {
            return pending;
        }
    }

    /**
     * Blocks until no work is pending or {@code deadlineNanos} (a {@link System#nanoTime()} value) passes.
     *
     * @param deadlineNanos when to give up
     * @return true if the loop is idle, false on timeout
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        synchronized (lock) {
            while (pending > 0) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            }
            return true;
        }
    }

    /**
     * Blocks until more work than {@code since} has finished or {@code deadlineNanos} passes.
     *
     * @param since         a value from {@link #progress()}
     * @param deadlineNanos when to give up, a {@link System#nanoTime()} value
     * @return true if something happened, false on timeout
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitProgress(long since, long deadlineNanos) throws InterruptedException {
        synchronized (lock) {
            while (finished == since) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            }
            return true;
        }
    }

    /**
     * Stops the loop: queued and delayed work is dropped and the running task may finish. Interrupting it
     * instead would cancel its request half-way, which makes Vert.x log errors.
     */
    @Override
    public void close() {
        closed = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("A simulated controller task did not finish within 5 s of closing; interrupting it");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Runnable task, long delayNanos) {
        try {
            executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nobody waits for this work any more.
            end();
        }
    }

    private void runReconcile(String key, Runnable reconcile) {
        // Removed before running, so that an event arriving meanwhile queues another pass.
        queuedKeys.remove(key);
        try {
            if (closed) {
                return;
            }
            reconcile.run();
            failures.remove(key);
        } catch (RuntimeException e) {
            retryLater(key, reconcile, e);
        } finally {
            end();
        }
    }

    private void retryLater(String key, Runnable reconcile, RuntimeException failure) {
        if (closed) {
            return;
        }
        int attempt = failures.merge(key, 1, Integer::sum);
        if (isConflict(failure) && attempt <= 3) {
            // A write decided on a cached version that someone else changed: the informer brings the newer
            // version in a moment, as it does for the real controllers, which requeue without a word.
            LOG.debug("Reconciling {} met a conflict (attempt {}); trying again", key, attempt);
            runLater(CONFLICT_RETRY, () -> reconcile(key, reconcile));
            return;
        }
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(attempt - 1, 5));
        delay = delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
        if (attempt == 1 || attempt == 4 && isConflict(failure)) {
            LOG.warn("Reconciling {} failed, retrying every {} ms at most: {}", key, MAX_RETRY.toMillis(), failure.toString());
        } else {
            LOG.debug("Reconciling {} failed again (attempt {})", key, attempt, failure);
        }
        runLater(delay, () -> reconcile(key, reconcile));
    }

    private static boolean isConflict(RuntimeException failure) {
        return failure instanceof KubernetesClientException e && e.getCode() == 409;
    }

    private void runTracked(Runnable work) {
        try {
            runSafely(work);
        } finally {
            end();
        }
    }

    private void runSafely(Runnable work) {
        if (closed) {
            return;
        }
        try {
            work.run();
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("A simulated controller task failed", e);
            }
        }
    }

    private void begin() {
        synchronized (lock) {
            pending++;
        }
    }

    private void end() {
        synchronized (lock) {
            pending--;
            finished++;
            lock.notifyAll();
        }
    }
}
