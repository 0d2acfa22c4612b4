package dev.bluegreen.internal;

import dev.bluegreen.TimeSource;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The time source a release hands to its gates and steps: the engine's, with sleeps that end
 * when the step that sleeps times out or stops, and that keep the release's lock renewed when the
 * time source jumps (a manual time source in tests moves minutes in a microsecond).
 */
final class RunTime implements TimeSource {
    private final TimeSource base;
    private final Runnable afterSleep;

    RunTime(TimeSource base, Runnable afterSleep) {
        this.base = base;
        this.afterSleep = afterSleep;
    }

    @Override
    public Instant now() {
        return base.now();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        StepDeadline deadline = StepDeadline.active();
        if (deadline == null) {
            base.sleep(duration);
            afterSleep.run();
            return;
        }
        try {
            deadline.interruptibly(() -> {
                base.sleep(duration);
                return null;
            });
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("sleep failed", e);
        }
        if (deadline.stopCause() != null || deadline.timedOut()) {
            throw new InterruptedException("sleep of " + duration + " in step '" + deadline.step() + "' ended early: "
                    + (deadline.stopCause() != null ? deadline.stopCause().getMessage() : "the step timed out"));
        }
        // A gate sleeps inside its own interruptible region: the lock renewal after it is a write, never interrupted.
        deadline.shielded(afterSleep);
    }

    /**
     * Waits on the engine's time source, ending early (with an interrupt) when the step that waits
     * times out or stops, and keeps the lock renewed afterwards, as {@link #sleep(Duration)} does.
     */
    @Override
    public boolean awaitUntil(CompletableFuture<?> future, Instant deadline) throws InterruptedException {
        StepDeadline step = StepDeadline.active();
        if (step == null) {
            boolean done = base.awaitUntil(future, deadline);
            afterSleep.run();
            return done;
        }
        boolean done;
        try {
            done = step.interruptibly(() -> base.awaitUntil(future, deadline));
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("await failed", e);
        }
        if (step.stopCause() != null || step.timedOut()) {
            throw new InterruptedException("wait until " + deadline + " in step '" + step.step() + "' ended early: "
                    + (step.stopCause() != null ? step.stopCause().getMessage() : "the step timed out"));
        }
        step.shielded(afterSleep);
        return done;
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
