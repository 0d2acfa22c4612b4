package dev.bluegreen.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.Phase;
import dev.bluegreen.PreflightException;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.event.TrafficSwitched;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.VerificationWatch;

import java.util.List;
import java.util.Set;

/**
 * Sends all traffic to the candidate in one conditioned write, then verifies it. Before the write:
 * the router still selects the live color, the candidate runs the release's version with every
 * replica available (never traffic to a color without available replicas), and the record says
 * the switch may have been written, so a crash during the write still leads to a rollback check.
 * The verification's watches are opened before the write.
 */
final class SwitchStep implements StepWork {
    /** How often a switch refused by a conflict is re-decided and tried again while the router still selects the live color. */
    private static final int REDECIDE_ATTEMPTS = 3;

    private final ReleaseRun run;

    SwitchStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) {
        Color from = run.from;
        Color to = run.to;
        RouteState route = run.route.latestRoute();
        if (route != null && route.routesTo(to)) {
            EnvironmentState target = run.environments.read(to, deadline);
            run.colors.put(to, target);
            if (!target.serves(run.version)) {
                throw new RouteChangedException(run.switcher.target(), from, to, run.switcher.target() + " already routes "
                        + "to " + to + ", but " + target + " and the release expected it to run " + run.version
                        + " with every replica available; someone else switched it, so the release stops here");
            }
            run.switchOutcome = ReleaseRun.SwitchOutcome.WRITTEN;
            run.route.expectRoute(Set.of(to));
            return Done.skipped(run.switcher.target() + " already routes to " + to + ", which runs " + run.version
                    + " and is ready; nothing written");
        }
        run.route.requireRoute(from, "switching to " + to);
        EnvironmentState target = run.environments.read(to, deadline);
        run.colors.put(to, target);
        if (!target.serves(run.version)) {
            throw new PreflightException("switch of " + run.switcher.target() + " to " + to, List.of(target
                    + ": switching now could send traffic to replicas that are not ready or do not run " + run.version));
        }
        run.journal(run.record.at(Phase.SWITCHING, StandardStep.SWITCH.stepName()).withSwitchSent());
        run.switchOutcome = ReleaseRun.SwitchOutcome.UNKNOWN;
        run.route.expectRoute(Set.of(from, to));
        VerificationWatch verification = run.switcher.verifier().map(v -> v.expect(to)).orElse(null);
        try {
            SwitchResult result = switchRedeciding(route == null ? run.switcher.read(deadline) : route, deadline);
            run.switchOutcome = ReleaseRun.SwitchOutcome.WRITTEN;
            run.route.expectRoute(Set.of(to));
            run.emit(new TrafficSwitched(run.id, run.app.app(), run.app.namespace(), run.clock.now(), result));
            TrafficVerification verified = run.unwind.verify(to, verification, deadline);
            return Done.of(result + (verified == null ? "; not verified: the switcher cannot verify where traffic goes"
                    : "; verified: " + verified));
        } finally {
            if (verification != null) {
                verification.close();
            }
        }
    }

    /** One conditioned write; after a conflict, re-read and write again only while the router still selects the live color. */
    private SwitchResult switchRedeciding(RouteState decided, StepDeadline deadline) {
        RouteState decidedOn = decided;
        for (int attempt = 1; ; attempt++) {
            try {
                run.requireLock();
                SwitchResult result = run.switcher.switchTo(run.to, decidedOn, deadline);
                run.route.wrote();
                return result;
            } catch (SwitchConflictException e) {
                RouteState now = run.switcher.read(deadline);
                run.route.routeRead(now);
                if (now.routesTo(run.to)) {
                    run.switchOutcome = ReleaseRun.SwitchOutcome.WRITTEN;
                    return new SwitchResult(run.switcher.target(), run.from, run.to, false, decidedOn.revision(),
                            now.revision(), now.readAt());
                }
                run.switchOutcome = ReleaseRun.SwitchOutcome.NOT_WRITTEN;
                if (!now.routesTo(run.from)) {
                    throw new RouteChangedException(run.switcher.target(), run.from, now.live(), run.switcher.target()
                            + " was changed by someone else between the release's read and its switch (" + now
                            + "); nothing was written", e);
                }
                if (attempt >= REDECIDE_ATTEMPTS) {
                    throw e;
                }
                run.switchOutcome = ReleaseRun.SwitchOutcome.UNKNOWN;
                decidedOn = now;
            } catch (ClusterApiException e) {
                // A 4xx answer refused the write; no answer or a 5xx (a proxy's 504, say) leaves it unknown.
                if (e.statusCode() >= 400 && e.statusCode() < 500) {
                    run.switchOutcome = ReleaseRun.SwitchOutcome.NOT_WRITTEN;
                }
                throw e;
            }
        }
    }
}
