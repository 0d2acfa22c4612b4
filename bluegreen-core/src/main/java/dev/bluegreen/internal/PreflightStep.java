package dev.bluegreen.internal;

import dev.bluegreen.Color;
import dev.bluegreen.Outcome;
import dev.bluegreen.Phase;
import dev.bluegreen.PreflightException;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.StandardStep;
import dev.bluegreen.UnfinishedReleaseException;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.LockState;
import dev.bluegreen.spi.RouteState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads everything the release decides on and changes nothing until the end, where it takes the
 * app's lock together with the first release record: the app's record (a running release fails
 * fast, naming its holder; a crashed one is refused or recovered), the router, both colors, and
 * every problem at once.
 */
final class PreflightStep implements StepWork {
    private final ReleaseRun run;

    PreflightStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) {
        ReleaseStatus status = run.store.read(run.app, deadline);
        if (status.running()) {
            LockState lock = status.lock().orElseThrow();
            throw new ReleaseLockedException(run.app, lock.holder(), lock.acquiredAt(), run.subject() + " did not start: "
                    + "another release of " + run.app + " is running, the release lock is held by " + lock.holder()
                    + " since " + lock.acquiredAt() + " (renewed " + lock.renewedAt() + ")"
                    + status.record().map(r -> "; its record: " + r).orElse("") + "; nothing was changed");
        }
        RouteState route = run.switcher.read(deadline);
        run.route.routeRead(route);
        Optional<ReleaseRecord> last = status.record();
        if (last.isPresent() && needsRecovery(last.get(), status, route)) {
            if (run.plan.recovery() == RecoveryPolicy.REFUSE) {
                throw refusal(last.get(), status);
            }
            run.pendingRecovery = last.get();
            return Done.of("found " + last.get() + "; recovering it first per policy " + run.plan.recovery());
        }
        if (route.live() == null) {
            throw new PreflightException(subject(), List.of(route.problem()));
        }
        Color from = route.live();
        Optional<Color> next = run.environments.nextColor(from);
        EnvironmentState live = run.environments.read(from, deadline);
        run.colors.put(from, live);
        EnvironmentState target = null;
        if (next.isPresent()) {
            target = run.environments.read(next.get(), deadline);
            run.colors.put(next.get(), target);
        }
        List<String> problems = new ArrayList<>();
        if (next.isPresent()) {
            problems.addAll(run.switcher.checkRoutable(next.get(), route, deadline));
        }
        problems.addAll(run.environments.checkDeployable(target, live));
        int replicas = run.plan.replicas().orElse(live.desired());
        if (replicas < 1) {
            problems.add(live.object() + " asks for " + live.desired() + " replicas, so there is no replica count to "
                    + "match; set the plan's replicas explicitly");
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(subject(), problems);
        }
        run.warnings.addAll(run.environments.advise(target, live));
        run.from = from;
        run.to = next.orElse(null);
        run.liveAtStart = live;
        run.targetAtStart = target;
        run.replicas = replicas;
        Map<Color, ReleaseRecord.ColorSnapshot> before = new HashMap<>();
        before.put(from, snapshot(live));
        if (target != null) {
            before.put(target.color(), snapshot(target));
        }
        ReleaseRecord first = new ReleaseRecord(run.id, run.app, run.version, run.holder, Phase.PREPARING,
                StandardStep.DEPLOY.stepName(), from, run.to, before, false, false, List.of(), null,
                run.clock.now(), run.clock.now());
        run.acquire(first, deadline);
        run.route.startWatching(route, Set.of(from));
        return Done.of("live color " + from + " via " + run.switcher.target() + "; " + run.version + " goes to "
                + (target == null ? "a new revision" : target.color() + " (" + target.object() + ")") + " with "
                + replicas + " replicas; release lock taken by " + run.holder);
    }

    /**
     * An unfinished release whose holder is gone must be recovered; so must a failed release that
     * left traffic on its new color while its previous color, the last good version, would be the
     * target of this release.
     */
    private boolean needsRecovery(ReleaseRecord last, ReleaseStatus status, RouteState route) {
        if (!last.finished()) {
            return true;
        }
        return last.outcome() == Outcome.FAILED && last.to() != null && last.from() != null
                && route.routesTo(last.to()) && !status.running();
    }

    private UnfinishedReleaseException refusal(ReleaseRecord last, ReleaseStatus status) {
        String what = last.finished()
                ? "the last release " + last.releaseId() + " ended FAILED leaving traffic on " + last.to() + " ("
                        + last.version() + ") while " + last.from() + " still holds the last good version "
                        + last.before().get(last.from()) + "; this release would deploy over it"
                : "the last release " + last.releaseId() + " never finished and its holder " + last.holder()
                        + " is gone (" + status.lock().map(Object::toString).orElse("no lock") + "); it stopped at step '"
                        + last.step() + "' in phase " + last.phase() + (last.switchSent() ? " after its switch may have "
                        + "been written" : "") + ", and " + (last.from() == null ? "had not chosen its colors"
                        : last.from() + " is its rollback target");
        return new UnfinishedReleaseException(last, subject() + " did not start: " + what + ". Nothing was changed. "
                + "Recover it with ReleaseEngine.recover(plan, RecoveryPolicy.ROLL_BACK) (or ROLL_FORWARD to finish it "
                + "if its new color is healthy), or set the plan's recovery policy");
    }

    private String subject() {
        return run.subject() + " to " + run.version;
    }

    private static ReleaseRecord.ColorSnapshot snapshot(EnvironmentState state) {
        return new ReleaseRecord.ColorSnapshot(state.exists() ? state.version() : null, state.desired());
    }
}
