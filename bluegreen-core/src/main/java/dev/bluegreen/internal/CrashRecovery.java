package dev.bluegreen.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.CustomStep;
import dev.bluegreen.LockLostException;
import dev.bluegreen.Phase;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Recovers a release whose process crashed, from its record: rolls it back to the color the record
 * names (restoring that color first, fencing a switch that may still be on the wire), or finishes
 * it when its new color is healthy, re-entering the standard steps it had not done.
 */
final class CrashRecovery {
    private final ReleaseRun run;

    CrashRecovery(ReleaseRun run) {
        this.run = run;
    }

    void recoverCrashed() {
        ReleaseRecord crashed = run.record;
        if (run.recoveryPolicy == RecoveryPolicy.ROLL_BACK) {
            Attempt acquired = run.steps.runRecovery("recover", run.plan.timeout(StandardStep.PREFLIGHT), deadline -> {
                run.acquire(crashed.at(Phase.ROLLING_BACK, "recover"), deadline);
                return Done.of("took over the release lock of " + run.app + " to roll back " + crashed);
            });
            if (!acquired.ok()) {
                run.failWith(acquired.error());
                run.move(Phase.ABORTING);
                run.move(Phase.ABORTED);
                return;
            }
            run.move(Phase.ROLLING_BACK);
            run.deployAttempted = crashed.to() != null;
            Duration timeout = run.plan.timeout(StandardStep.AWAIT_READY);
            Attempt restored = run.steps.runRecovery("restore-previous", timeout, new RestorePreviousStep(run));
            if (!restored.ok()) {
                run.failWith(restored.error());
                run.move(Phase.FAILED);
                return;
            }
            // A switch the crashed release sent may still be on the wire: fence the router before trusting it.
            run.switchOutcome = crashed.switchSent() ? ReleaseRun.SwitchOutcome.UNKNOWN : ReleaseRun.SwitchOutcome.NOT_SENT;
            Attempt back = run.steps.runRecovery("rollback", run.plan.timeout(StandardStep.SWITCH),
                    deadline -> run.unwind.switchBack("recovering release " + run.id + " after its process was lost", deadline));
            if (!back.ok()) {
                run.failWith(back.error());
                run.move(Phase.FAILED);
                return;
            }
            loadCompensations(crashed);
            run.unwind.compensate();
            run.unwind.discardCandidate();
            run.failWith(new BlueGreenException(run.subject() + " was rolled back by recovery: its process was lost at step '"
                    + crashed.step() + "' in phase " + crashed.phase()));
            run.unwind.endRecovery(Phase.ROLLED_BACK);
            return;
        }
        rollForward(crashed);
    }

    /**
     * Takes the compensations of the custom steps the crashed release completed from this plan, in
     * the order they completed (so they run in reverse); a completed step this plan does not have
     * is named in a warning if compensating comes to pass.
     */
    private void loadCompensations(ReleaseRecord crashed) {
        for (String name : crashed.completedSteps()) {
            Optional<CustomStep> step = run.plan.steps().stream().flatMap(s -> s.customStep().stream())
                    .filter(c -> c.name().equals(name)).findFirst();
            if (step.isEmpty()) {
                run.unwind.unknownCompletedSteps.add(name);
            } else if (step.get().compensation().isPresent()) {
                run.unwind.compensations.push(step.get());
            }
        }
    }

    private void rollForward(ReleaseRecord crashed) {
        Attempt acquired = run.steps.runRecovery("recover", run.plan.timeout(StandardStep.PREFLIGHT), deadline -> {
            if (crashed.to() == null || crashed.from() == null) {
                throw new dev.bluegreen.PreflightException("roll forward of " + crashed, List.of(
                        "the release never chose its new color; there is nothing to finish: roll it back instead"));
            }
            EnvironmentState target = run.environments.read(crashed.to(), deadline);
            run.colors.put(target.color(), target);
            if (!target.serves(run.version)) {
                throw new dev.bluegreen.PreflightException("roll forward of " + crashed, List.of(
                        "its new color " + crashed.to() + " is not healthy: " + target + "; expected it to run " + run.version
                                + " with every replica available. Roll it back instead"));
            }
            run.liveAtStart = run.environments.read(crashed.from(), deadline);
            run.colors.put(run.liveAtStart.color(), run.liveAtStart);
            RouteState route = run.switcher.read(deadline);
            run.acquire(crashed.at(crashed.phase(), "recover"), deadline);
            // The crashed release may still have writes on the wire (its switch or switch back, the giving up
            // of its candidate when it was rolling back): fence what it may have been writing, then decide.
            if (crashed.switchSent()) {
                route = run.route.fenceRoute(route, deadline);
            }
            target = run.route.fenceEnvironment(target, deadline);
            if (!target.serves(run.version)) {
                throw new dev.bluegreen.PreflightException("roll forward of " + crashed, List.of("its new color "
                        + crashed.to() + " is not healthy any more: " + target + "; expected it to run " + run.version
                        + " with every replica available. Roll it back instead"));
            }
            run.route.startWatching(route, crashed.committed() ? Set.of(crashed.to()) : Set.of(crashed.from(), crashed.to()));
            run.candidate = new Candidate(crashed.to(), run.version, "recovered", run.environments.describe(crashed.to()), "",
                    run.environments.candidateAttributes(crashed.to()));
            // the crashed release deployed it (it runs the release's version): give it up if finishing fails
            run.deployAttempted = true;
            return Done.of("took over the release lock of " + run.app + " to finish " + crashed + "; " + target);
        });
        if (!acquired.ok()) {
            run.failWith(acquired.error());
            if (run.lock != null) {
                // Refused after taking the lock: the record ends FAILED, so the release is still offered for recovery.
                run.move(Phase.FAILED);
                return;
            }
            run.move(Phase.ABORTING);
            run.move(Phase.ABORTED);
            return;
        }
        // should finishing fail, the release aborts or rolls back: its completed steps are compensated then
        loadCompensations(crashed);
        try {
            rollForwardSteps(crashed);
        } catch (BlueGreenException e) {
            run.unwind.recover(e);
        }
    }

    private void rollForwardSteps(ReleaseRecord crashed) {
        if (!crashed.switchSent()) {
            // No traffic went to the new color yet, and the record does not say its smoke tests passed.
            run.enter(Phase.PREPARING, StandardStep.PRE_SWITCH_GATES.stepName());
            Attempt gated = run.steps.runStep(StandardStep.PRE_SWITCH_GATES.stepName(), run.plan.timeout(StandardStep.PRE_SWITCH_GATES),
                    false, true, new PreSwitchGatesStep(run));
            if (!gated.ok()) {
                run.unwind.recover(gated.error());
                return;
            }
        }
        if (!crashed.committed()) {
            run.enter(Phase.SWITCHING, StandardStep.SWITCH.stepName());
            Attempt switched = run.steps.runStep(StandardStep.SWITCH.stepName(), run.plan.timeout(StandardStep.SWITCH), false, true,
                    new SwitchStep(run));
            if (!switched.ok()) {
                run.unwind.recover(switched.error());
                return;
            }
            run.enter(Phase.OBSERVING, StandardStep.OBSERVE.stepName());
            Attempt observed = run.steps.runStep(StandardStep.OBSERVE.stepName(), run.plan.timeout(StandardStep.OBSERVE), false, true,
                    new ObserveStep(run));
            if (!observed.ok()) {
                run.unwind.recover(observed.error());
                return;
            }
        }
        run.enter(Phase.FINISHING, StandardStep.RETIRE_PREVIOUS.stepName());
        Attempt retired = run.steps.runStep(StandardStep.RETIRE_PREVIOUS.stepName(), run.plan.timeout(StandardStep.RETIRE_PREVIOUS),
                false, true, new RetireStep(run));
        if (!retired.ok()) {
            if (retired.error() instanceof RouteChangedException || retired.error() instanceof LockLostException) {
                run.unwind.recover(retired.error());
                return;
            }
            run.warnings.add("retiring " + run.from + " after rolling forward failed: " + retired.error().getMessage());
        }
        RouteChangedException moved = run.route.routeMovedAway();
        if (moved != null) {
            run.unwind.recover(moved);
            return;
        }
        run.move(Phase.SUCCEEDED);
    }
}
