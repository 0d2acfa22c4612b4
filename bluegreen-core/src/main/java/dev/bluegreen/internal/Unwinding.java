package dev.bluegreen.internal;

import dev.bluegreen.AbortPolicy;
import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.CustomStep;
import dev.bluegreen.LockLostException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.Phase;
import dev.bluegreen.RollbackPolicy;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepAction;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.event.RolledBack;
import dev.bluegreen.event.RouteChanged;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Brings a release that did not go through to a safe end: abort before the switch (compensations,
 * the candidate given up unless it is live or someone else changed it), roll back after it (switch
 * back only to a color with available replicas, fencing first when our switch's answer was lost,
 * verify, compensate, give up the candidate), or stop without another write when the lock is lost
 * or someone else changed the router; clean-up actions in every case.
 */
final class Unwinding {
    private final ReleaseRun run;

    Unwinding(ReleaseRun run) {
        this.run = run;
    }

    final Deque<CustomStep> compensations = new ArrayDeque<>();

    /** Custom steps a recovered release completed that the recovering plan does not have. */
    final List<String> unknownCompletedSteps = new ArrayList<>();

    private final Deque<CleanUp> cleanUps = new ConcurrentLinkedDeque<>();

    boolean compensationFailed;

    /** Brings a release that failed before being committed to a safe end. */
    void recover(BlueGreenException cause) {
        run.failWith(cause);
        run.diagnoseCandidate();
        RouteChanged seen = run.route.unreportedRouteChange.getAndSet(null);
        if (seen != null) {
            run.events.emit(seen);
        }
        if (cause instanceof LockLostException) {
            run.control.lockLost((LockLostException) cause);
        }
        if (run.control.lockLost() != null) {
            stopLockLost();
            return;
        }
        if (cause instanceof RouteChangedException) {
            run.warnings.add(run.switcher.target() + " was changed by someone else: nothing was switched back, retired or "
                    + "given up, so their change stands; " + run.describeColors());
            runRemainingCleanUps();
            run.move(Phase.FAILED);
            return;
        }
        boolean beforeSwitch = run.phase == Phase.PREPARING || run.phase == Phase.PENDING
                || run.switchOutcome == ReleaseRun.SwitchOutcome.NOT_SENT || run.switchOutcome == ReleaseRun.SwitchOutcome.NOT_WRITTEN;
        if (beforeSwitch && run.phase != Phase.OBSERVING) {
            abort();
        } else {
            rollBack(cause);
        }
    }

    void abort() {
        run.move(Phase.ABORTING);
        run.route.routeGuard = false;
        if (run.record != null) {
            run.journalQuietly(run.record.at(Phase.ABORTING, "abort"));
        }
        if (run.control.lockLost() != null) {
            stopLockLost();
            return;
        }
        compensate();
        discardCandidate();
        runRemainingCleanUps();
        endRecovery(Phase.ABORTED);
    }

    private void rollBack(BlueGreenException cause) {
        run.route.routeGuard = false;
        if (run.plan.rollbackPolicy() == RollbackPolicy.MANUAL) {
            run.warnings.add("rollback policy is MANUAL: traffic left on " + run.to + " via " + run.switcher.target()
                    + "; switch back to " + run.from + " by hand if needed; " + run.describeColors());
            runRemainingCleanUps();
            run.move(Phase.FAILED);
            return;
        }
        run.move(Phase.ROLLING_BACK);
        run.journalQuietly(run.record.at(Phase.ROLLING_BACK, "rollback"));
        if (run.control.lockLost() != null) {
            stopLockLost();
            return;
        }
        Duration timeout = run.plan.timeout(StandardStep.SWITCH);
        Attempt back = run.steps.runRecovery("rollback", timeout, deadline -> switchBack(cause.getMessage(), deadline));
        if (!back.ok()) {
            run.warnings.add("switching traffic back to " + run.from + " failed, traffic may still reach " + run.to + ": "
                    + back.error().getMessage() + "; " + run.describeColors());
            cause.addSuppressed(back.error());
            runRemainingCleanUps();
            run.move(Phase.FAILED);
            return;
        }
        compensate();
        discardCandidate();
        runRemainingCleanUps();
        endRecovery(Phase.ROLLED_BACK);
    }

    /**
     * Ends an abort or a rollback: in {@code done}, unless a compensation failed, or the lock was
     * lost on the way (then what was skipped since is in the warnings).
     */
    void endRecovery(Phase done) {
        if (run.control.lockLost() != null) {
            stopLockLost();
            return;
        }
        run.move(compensationFailed ? Phase.FAILED : done);
    }

    /**
     * Ends the release without another write once its lock is lost (invariant I4): another
     * release may be acting on the app now, so nothing is switched back, given up or compensated,
     * and the record and lock are left to the new holder. The error is the lost lock; what the
     * release was doing when it found out is kept as suppressed.
     */
    private void stopLockLost() {
        if (!(run.error instanceof LockLostException)) {
            LockLostException lost = run.control.lockLost();
            if (run.error != null) {
                lost.addSuppressed(run.error);
            }
            run.error = lost;
        }
        run.warnings.add("the release lock was lost: another release may be acting, so this one wrote nothing more; "
                + run.describeColors());
        run.move(Phase.FAILED);
    }

    /** Switches traffic back to {@code from}, re-deciding on every conflict; never to a color without available replicas. */
    Done switchBack(String reason, StepDeadline deadline) {
        boolean fenceFirst = run.switchOutcome == ReleaseRun.SwitchOutcome.UNKNOWN;
        SwitchConflictException last = null;
        for (int attempt = 1; attempt <= run.engine.rollbackAttempts(); attempt++) {
            RouteState route = run.switcher.read(deadline);
            run.route.routeRead(route);
            if (route.routesTo(run.from)) {
                if (fenceFirst) {
                    // Our switch's response was lost: it may still be applied. A conditioned write of our
                    // own marker makes it fail if it has not been applied yet.
                    try {
                        route = run.switcher.fence(route, deadline);
                        run.route.wrote();
                    } catch (SwitchConflictException e) {
                        last = e;
                        continue;
                    }
                    fenceFirst = false;
                    if (!route.routesTo(run.from)) {
                        continue;
                    }
                }
                TrafficVerification verified = verify(run.from, null, deadline);
                return Done.of(run.switcher.target() + " already routes to " + run.from + (verified == null ? ""
                        : "; verified: " + verified));
            }
            if (!route.routesTo(run.to)) {
                throw new RouteChangedException(run.switcher.target(), run.to, route.live(), run.switcher.target()
                        + " routes neither to " + run.from + " nor to " + run.to + " (" + route + "): someone else changed it; "
                        + "traffic was not switched back");
            }
            EnvironmentState previous = run.environments.read(run.from, deadline);
            run.colors.put(run.from, previous);
            if (!previous.servable()) {
                throw new NotReadyException("switching " + run.switcher.target() + " back to " + run.from + " was refused, "
                        + "traffic stays on " + run.to + ": " + previous + ", and sending traffic to a color without "
                        + "available replicas would leave it pointing at nothing", List.of(previous.toString()));
            }
            VerificationWatch verification = run.switcher.verifier().map(v -> v.expect(run.from)).orElse(null);
            try {
                SwitchResult result;
                try {
                    run.requireLock();
                    result = run.switcher.switchTo(run.from, route, deadline);
                } catch (SwitchConflictException e) {
                    last = e;
                    continue;
                }
                run.route.wrote();
                run.emit(new RolledBack(run.id, run.app.app(), run.app.namespace(), run.clock.now(), result, reason));
                TrafficVerification verified = verify(run.from, verification, deadline);
                return Done.of(result + (verified == null ? "; not verified: the switcher cannot verify"
                        : "; verified: " + verified));
            } finally {
                if (verification != null) {
                    verification.close();
                }
            }
        }
        throw last != null ? last : new SwitchConflictException(run.switcher.target(), null, run.switcher.target()
                + " kept changing under the rollback", null);
    }

    /** @return the verification, or null when the switcher cannot verify */
    TrafficVerification verify(Color color, VerificationWatch opened, StepDeadline deadline) {
        if (opened != null) {
            return opened.await(deadline);
        }
        Optional<TrafficVerifier> verifier = run.switcher.verifier();
        if (verifier.isEmpty()) {
            return null;
        }
        try (VerificationWatch watch = verifier.get().expect(color)) {
            return watch.await(deadline);
        }
    }

    void compensate() {
        for (String name : unknownCompletedSteps) {
            run.warnings.add("custom step '" + name + "' completed in release " + run.id + ", but this plan has no step of "
                    + "that name: its compensation, if it has one, did not run; undo it by hand");
        }
        unknownCompletedSteps.clear();
        while (!compensations.isEmpty()) {
            if (run.control.lockLost() != null) {
                run.warnings.add("the release lock was lost, so these compensations did not run: "
                        + compensations.stream().map(CustomStep::name).toList());
                compensations.clear();
                return;
            }
            CustomStep step = compensations.pop();
            StepAction compensation = step.compensation().orElseThrow();
            String name = "compensate:" + step.name();
            Attempt attempt = run.steps.runRecovery(name, step.timeout(), deadline -> {
                deadline.interruptibly(() -> {
                    compensation.run(run.new RunStepContext(name, step.timeout()));
                    return null;
                });
                return Done.of("compensated step '" + step.name() + "'");
            });
            if (!attempt.ok()) {
                compensationFailed = true;
                run.warnings.add("compensation of step '" + step.name() + "' " + attempt.status().name().toLowerCase()
                        + ": " + attempt.error().getMessage());
            }
        }
    }

    /** Gives up the candidate of a release that did not go through, per the abort policy, never while it is live. */
    void discardCandidate() {
        if (!run.deployAttempted || run.to == null || run.control.lockLost() != null) {
            return;
        }
        Duration timeout = run.plan.timeout(StandardStep.RETIRE_PREVIOUS);
        if (run.plan.abortPolicy() == AbortPolicy.KEEP_IDLE) {
            run.steps.runRecovery("discard-candidate", timeout, deadline -> Done.skipped("abort policy KEEP_IDLE keeps "
                    + run.environments.describe(run.to) + " as it is"));
            return;
        }
        Attempt attempt = run.steps.runRecovery("discard-candidate", timeout, deadline -> {
            RouteState route = run.switcher.read(deadline);
            run.route.routeRead(route);
            if (route.routesTo(run.to)) {
                run.warnings.add(run.environments.describe(run.to) + " was not given up: " + run.switcher.target() + " routes traffic to it");
                return Done.skipped(run.switcher.target() + " routes to " + run.to + ", so it is kept");
            }
            EnvironmentState now = run.environments.read(run.to, deadline);
            run.colors.put(run.to, now);
            if (run.mode == ReleaseRun.Mode.RECOVER && (!now.exists() || !run.version.equals(now.version()))) {
                return Done.skipped(run.environments.describe(run.to) + " does not run " + run.version + " (" + now + "): the "
                        + "recovered release's candidate is not there, so there is nothing to give up");
            }
            if (!run.stillOurs(now)) {
                run.warnings.add(run.environments.describe(run.to) + " was not given up: someone else changed it since the release "
                        + "decided to deploy to it (" + (run.targetAtStart == null ? "" : "generation "
                        + run.targetAtStart.generation() + " -> ") + now.generation() + ", " + now + "); it is left as it is");
                return Done.skipped(run.environments.describe(run.to) + " changed by someone else; left as it is");
            }
            EnvironmentState after;
            try {
                run.requireLock();
                after = run.environments.discard(now, deadline);
            } catch (ConflictException e) {
                run.warnings.add(run.environments.describe(run.to) + " was not given up: " + e.getMessage());
                return Done.skipped(e.getMessage());
            }
            run.route.wrote();
            run.colors.put(run.to, after);
            RouteState post = run.switcher.read(deadline);
            run.route.routeRead(post);
            if (post.routesTo(run.to)) {
                EnvironmentState restored = run.environments.restore(after, Math.max(1, run.replicas), deadline);
                run.colors.put(run.to, restored);
                run.warnings.add(run.switcher.target() + " was switched to " + run.to + " by someone else while it was being given "
                        + "up; its replicas were asked for again: " + restored);
                return Done.of(run.environments.describe(run.to) + " given up, then restored: it became live meanwhile");
            }
            return Done.of(after.toString());
        });
        if (!attempt.ok()) {
            run.warnings.add("candidate " + run.to + " was not given up: " + attempt.error().getMessage());
        }
    }

    void registerCleanUp(String description, StepAction action) {
        cleanUps.addFirst(new CleanUp(description, action));
    }

    void runRemainingCleanUps() {
        if (cleanUps.isEmpty() || run.control.lockLost() != null) {
            return;
        }
        Duration timeout = run.plan.timeout(StandardStep.CLEAN_UP);
        Attempt attempt = run.steps.runRecovery(StandardStep.CLEAN_UP.stepName(), timeout, this::runCleanUpActions);
        if (!attempt.ok()) {
            run.warnings.add("clean-up incomplete: " + attempt.error().getMessage());
        }
    }

    Done runCleanUpActions(StepDeadline deadline) throws Exception {
        if (cleanUps.isEmpty()) {
            return Done.skipped("nothing to clean up");
        }
        List<String> failures = new ArrayList<>();
        int ran = 0;
        for (CleanUp cleanUp = cleanUps.pollFirst(); cleanUp != null; cleanUp = cleanUps.pollFirst()) {
            ran++;
            CleanUp action = cleanUp;
            try {
                deadline.interruptibly(() -> {
                    action.action().run(run.new RunStepContext(StandardStep.CLEAN_UP.stepName(), run.plan.timeout(StandardStep.CLEAN_UP)));
                    return null;
                });
            } catch (Exception e) {
                failures.add("'" + cleanUp.description() + "' failed: " + e);
            }
        }
        if (!failures.isEmpty()) {
            throw new BlueGreenException(run.subject() + ": " + failures.size() + " of " + ran
                    + " clean-up actions failed: " + String.join("; ", failures));
        }
        return Done.of(ReleaseRun.count(ran, "clean-up action") + " done");
    }

    /** A clean-up action a step registered. */
    private record CleanUp(String description, StepAction action) {
    }
}
