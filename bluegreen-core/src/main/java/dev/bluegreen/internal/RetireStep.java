package dev.bluegreen.internal;

import dev.bluegreen.ConflictException;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;

import java.time.Duration;
import java.util.Optional;

/**
 * Keeps the previous color for the retention period, then retires it, only if the router (read
 * again then) still selects the new color and nobody else changed the previous color since the
 * release read it (I1, I2). After the write the router is read again; if someone switched back to the previous
 * color in between, its replicas are asked for again at once.
 */
final class RetireStep implements StepWork {
    private final ReleaseRun run;

    RetireStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) throws Exception {
        Optional<Duration> after = run.plan.retention().scaleDownAfter();
        if (after.isEmpty()) {
            return Done.skipped("retention keeps " + run.environments.describe(run.from) + " running");
        }
        run.time.sleep(after.get());
        EnvironmentState previous = run.environments.read(run.from, deadline);
        run.colors.put(run.from, previous);
        if (run.liveAtStart != null && run.liveAtStart.specChangedIn(previous)) {
            String why = previous.object() + " was not retired: someone else changed it since the release read it "
                    + "(generation " + run.liveAtStart.generation() + " -> " + previous.generation() + ", now " + previous
                    + "); retire it by hand when that is right";
            run.warnings.add(why);
            return Done.skipped(why);
        }
        // The router is read last, right before the write: a switch back can only land in that one round trip.
        run.route.requireRouteNow(run.to, "retiring " + run.from, deadline);
        EnvironmentState retired;
        try {
            run.requireLock();
            retired = run.environments.retire(previous, deadline);
        } catch (ConflictException e) {
            run.warnings.add(previous.object() + " was not retired: " + e.getMessage());
            return Done.skipped(e.getMessage());
        }
        run.route.wrote();
        run.colors.put(run.from, retired);
        RouteState post = run.switcher.read(deadline);
        run.route.routeRead(post);
        if (post.routesTo(run.from)) {
            int replicas = run.record.before().containsKey(run.from) ? run.record.before().get(run.from).replicas() : 1;
            EnvironmentState restored = run.environments.restore(retired, Math.max(1, replicas), deadline);
            run.route.wrote();
            run.colors.put(run.from, restored);
            throw new RouteChangedException(run.switcher.target(), run.to, run.from, run.switcher.target() + " was switched "
                    + "back to " + run.from + " by someone else while it was being retired; its replicas were asked for "
                    + "again (" + restored + ")");
        }
        return Done.of(retired.object() + " asked for " + retired.desired() + " replicas (was " + previous.desired()
                + ", running " + previous.version() + ") after a retention of " + after.get());
    }
}
