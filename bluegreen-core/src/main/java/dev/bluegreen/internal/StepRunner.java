package dev.bluegreen.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.ClusterApiException;
import dev.bluegreen.ConflictException;
import dev.bluegreen.GateFailedException;
import dev.bluegreen.LockLostException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.Phase;
import dev.bluegreen.ReleaseCancelledException;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StepFailedException;
import dev.bluegreen.StepRecord;
import dev.bluegreen.StepStatus;
import dev.bluegreen.StepTimeoutException;
import dev.bluegreen.VerificationException;
import dev.bluegreen.event.StepFinished;
import dev.bluegreen.event.StepStarted;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one step of a release on the release's thread with its deadline: the engine's scheduler
 * interrupts the step's interruptible regions when its time is up, its waits end on a stop that
 * concerns it, and an exception becomes a typed outcome (failed, timed out naming the last
 * failure, cancelled). Records each step in the timeline and emits its events.
 */
final class StepRunner {
    private final ReleaseRun run;

    StepRunner(ReleaseRun run) {
        this.run = run;
    }

    Attempt runRecovery(String name, Duration timeout, StepWork work) {
        return runStep(name, timeout, false, false, work);
    }

    /**
     * Runs one step on this thread with its deadline: the scheduler interrupts its interruptible
     * regions when the time is up; waits end on a stop that concerns it. Records the step in the
     * timeline and emits its events.
     */
    @SuppressWarnings("try") // the scope only needs closing
    Attempt runStep(String name, Duration timeout, boolean cancellable, boolean guarded, StepWork work) {
        Instant stepStart = run.clock.now();
        Phase runningIn = run.phase;
        run.events.emit(new StepStarted(run.id, run.app.app(), run.app.namespace(), stepStart, name, timeout));
        StepDeadline deadline = new StepDeadline(run.control, name, timeout, cancellable, guarded);
        ScheduledFuture<?> expiry = run.engine.scheduler().schedule(deadline::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        Attempt attempt;
        try (StepDeadline.Scope ignored = deadline.activate()) {
            // A stop that arrived before the work began (a listener of StepStarted may cancel) keeps it from running.
            deadline.checkStopping();
            Done result = work.run(deadline);
            attempt = new Attempt(result.skipped() ? StepStatus.SKIPPED : StepStatus.SUCCEEDED, result.detail(), null);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            attempt = classify(name, timeout, deadline, t);
        } finally {
            expiry.cancel(false);
            deadline.close();
        }
        StepRecord step = new StepRecord(name, runningIn, attempt.status(), stepStart,
                Duration.between(stepStart, run.clock.now()), attempt.detail(), attempt.error());
        run.timeline.add(step);
        if (attempt.ok()) {
            ReleaseRun.LOG.info("{}: {}", run.subject(), step);
        } else {
            ReleaseRun.LOG.warn("{}: {}", run.subject(), step);
        }
        run.events.emit(new StepFinished(run.id, run.app.app(), run.app.namespace(), run.clock.now(), step));
        return attempt;
    }

    private Attempt classify(String step, Duration timeout, StepDeadline deadline, Throwable t) {
        BlueGreenException stop = deadline.stopCause();
        boolean interruption = isInterruption(t);
        if (t instanceof ReleaseCancelledException || (interruption && stop instanceof ReleaseCancelledException)) {
            ReleaseCancelledException cancelled = run.cancelled("during step '" + step + "'");
            return new Attempt(StepStatus.CANCELLED, cancelled.getMessage(), cancelled);
        }
        if (t instanceof LockLostException || t instanceof RouteChangedException) {
            BlueGreenException e = (BlueGreenException) t;
            return new Attempt(StepStatus.FAILED, e.getMessage(), e);
        }
        if (interruption && stop != null) {
            return new Attempt(StepStatus.FAILED, stop.getMessage(), stop);
        }
        boolean diagnosed = t instanceof NotReadyException || t instanceof VerificationException
                || t instanceof GateFailedException || t instanceof dev.bluegreen.PreflightException
                || t instanceof ConflictException;
        if (t instanceof TimeoutException || t instanceof StepTimeoutException
                || (deadline.timedOut() && !diagnosed && (interruption || !(t instanceof BlueGreenException)
                || t instanceof ClusterApiException))) {
            if (t instanceof StepTimeoutException) {
                return new Attempt(StepStatus.TIMED_OUT, t.getMessage(), (StepTimeoutException) t);
            }
            Throwable last = deadline.lastFailure() != null ? deadline.lastFailure()
                    : (t instanceof TimeoutException || interruption ? null : t);
            StepTimeoutException timedOut = new StepTimeoutException(step, timeout, run.subject() + ": step '" + step
                    + "' did not finish within " + timeout + (last == null ? "" : "; last failure: " + describe(last)), last);
            return new Attempt(StepStatus.TIMED_OUT, timedOut.getMessage(), timedOut);
        }
        BlueGreenException error = t instanceof BlueGreenException ? (BlueGreenException) t
                : new StepFailedException(step, run.subject() + ": step '" + step + "' failed: "
                        + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()), t);
        return new Attempt(StepStatus.FAILED, error.getMessage(), error);
    }

    private static String describe(Throwable failure) {
        return failure instanceof BlueGreenException || failure.getMessage() != null && failure.getMessage().length() > 0
                ? failure.getMessage() : failure.toString();
    }

    private static boolean isInterruption(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }
}
