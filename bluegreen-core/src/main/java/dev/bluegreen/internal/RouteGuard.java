package dev.bluegreen.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.event.RouteChanged;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a release knows of the router and how it guards it (invariant I1): the route watch opened
 * at preflight, which stops the release when someone else switches; the reads right before the
 * writes that must not touch the live color; the fences a recovery writes before it trusts what it
 * reads; and the last reads that make the result tell the truth (I3).
 */
final class RouteGuard {
    private final ReleaseRun run;

    RouteGuard(ReleaseRun run) {
        this.run = run;
    }

    volatile RouteWatch routeWatch;

    private volatile RouteState latestRoute;

    /** The first change of the router by someone else, seen by the watch, until the release thread reports it. */
    final AtomicReference<RouteChanged> unreportedRouteChange = new AtomicReference<>();

    private volatile Set<Color> expectedRoute = Set.of();

    volatile boolean routeGuard;

    /** Whether the route was read after the run's last write (then it is the final read). */
    private volatile boolean routeFresh;

    /** Starts following the router from a read; a change outside {@code expected} stops the release. */
    void startWatching(RouteState route, Set<Color> expected) {
        latestRoute = route;
        routeFresh = true;
        expectedRoute = Set.copyOf(expected);
        routeGuard = true;
        routeWatch = run.switcher.watch(route, this::onRoute);
    }

    /**
     * Called on the adapter's thread with each change of the router. It must be quick and must not
     * block, so it only signals the release: the {@link RouteChanged} event is emitted by the
     * release's own thread when it stops for the change (listeners may be slow, and the adapter's
     * watch thread may serve other releases too).
     */
    private void onRoute(RouteState state) {
        latestRoute = state;
        if (!routeGuard || (state.live() != null && expectedRoute.contains(state.live()))) {
            return;
        }
        Color expected = expectedRoute.size() == 1 ? expectedRoute.iterator().next() : null;
        RouteChangedException change = new RouteChangedException(run.switcher.target(), expected, state.live(),
                run.switcher.target() + " was changed by someone else while " + run.subject() + " was in phase " + run.phase
                        + ": it now " + (state.live() == null ? "selects no single color (" + state.problem() + ")"
                        : "selects " + state.live()) + ", but the release expected " + expectedRoute
                        + "; the release stops without switching, retiring or rolling back anything");
        unreportedRouteChange.compareAndSet(null, new RouteChanged(run.id, run.app.app(), run.app.namespace(), run.clock.now(),
                expected, state));
        run.control.routeChanged(change);
    }

    /** @return the most recent state of the router: the watch's, else the last read */
    RouteState latestRoute() {
        RouteWatch watch = routeWatch;
        return watch != null ? watch.latest() : latestRoute;
    }

    /** Throws when the router does not select the expected color now, as far as the watch knows (invariant I1 guard). */
    void requireRoute(Color expected, String beforeWhat) {
        requireRoute(latestRoute(), expected, beforeWhat);
    }

    /**
     * Reads the router and throws when it does not select the expected color: the guard before a
     * write to an environment that must not be live (a deploy, a retirement). The watch alone may
     * not have delivered a switch someone else has already made.
     */
    void requireRouteNow(Color expected, String beforeWhat, StepDeadline deadline) {
        RouteState route = run.switcher.read(deadline);
        routeRead(route);
        requireRoute(route, expected, beforeWhat);
    }

    void requireRoute(RouteState route, Color expected, String beforeWhat) {
        if (route == null || !route.routesTo(expected)) {
            throw new RouteChangedException(run.switcher.target(), expected, route == null ? null : route.live(),
                    run.switcher.target() + " no longer selects " + expected + " (" + route + ") before " + beforeWhat
                            + "; someone else changed it, so " + run.subject() + " stops here without writing");
        }
    }

    void expectRoute(Set<Color> expected) {
        expectedRoute = Set.copyOf(expected);
    }

    void routeRead(RouteState route) {
        latestRoute = route;
        routeFresh = true;
    }

    void wrote() {
        routeFresh = false;
    }

    /** How often a fence is tried again after a write landed between the read and the fence. */
    private static final int FENCE_ATTEMPTS = 3;

    /**
     * Fences the router against a write a crashed release may still have on the wire, reading it
     * again when such a write lands between the read and the fence.
     */
    RouteState fenceRoute(RouteState seen, StepDeadline deadline) {
        RouteState current = seen;
        for (int attempt = 1; ; attempt++) {
            try {
                RouteState fenced = run.switcher.fence(current, deadline);
                wrote();
                return fenced;
            } catch (SwitchConflictException e) {
                if (attempt >= FENCE_ATTEMPTS) {
                    throw e;
                }
                current = run.switcher.read(deadline);
                routeRead(current);
            }
        }
    }

    /**
     * Fences a color against a write a crashed release may still have on the wire, reading it
     * again when such a write lands between the read and the fence.
     */
    EnvironmentState fenceEnvironment(EnvironmentState seen, StepDeadline deadline) {
        EnvironmentState current = seen;
        for (int attempt = 1; ; attempt++) {
            try {
                EnvironmentState fenced = run.environments.fence(current, deadline);
                wrote();
                run.colors.put(fenced.color(), fenced);
                return fenced;
            } catch (ConflictException e) {
                if (attempt >= FENCE_ATTEMPTS) {
                    throw e;
                }
                current = run.environments.read(current.color(), deadline);
                run.colors.put(current.color(), current);
            }
        }
    }

    /**
     * Reads the router once more before a release is reported SUCCEEDED: someone else may have
     * switched it after the last guard, before the route watch told. Null when it still routes to
     * the new color, or when it could not be read (the final read then says why).
     */
    RouteChangedException routeMovedAway() {
        RouteState route;
        try {
            route = run.switcher.read(new StandaloneDeadline(run.plan.timeout(StandardStep.PREFLIGHT)));
        } catch (RuntimeException e) {
            routeFresh = false;
            return null;
        }
        routeRead(route);
        if (route.routesTo(run.to)) {
            return null;
        }
        return new RouteChangedException(run.switcher.target(), run.to, route.live(), run.switcher.target() + " was changed by "
                + "someone else after " + run.subject() + " was committed: it now " + (route.live() == null
                ? "selects no single color (" + route.problem() + ")" : "selects " + route.live()) + " instead of " + run.to
                + "; the release stops without switching back");
    }

    /** Re-reads the router unless it was read after the last write; "unknown" only with an error that says why. */
    Color finalRead() {
        if (run.control.lockLost() == null && routeFresh && latestRoute != null) {
            return latestRoute.live();
        }
        try {
            RouteState route = run.switcher.read(new StandaloneDeadline(run.plan.timeout(StandardStep.PREFLIGHT)));
            latestRoute = route;
            if (route.live() == null) {
                run.warnings.add(run.switcher.target() + " selects no single color at the end: " + route.problem());
            }
            return route.live();
        } catch (RuntimeException e) {
            ClusterApiException unknown = new ClusterApiException("the live color at the end of " + run.subject()
                    + " is unknown: " + run.switcher.target() + " could not be read (" + e.getMessage() + "); check which "
                    + "color it selects before doing anything else", run.switcher.target(), 0, e);
            if (run.error == null) {
                run.error = unknown;
            } else {
                run.error.addSuppressed(unknown);
            }
            run.warnings.add(unknown.getMessage());
            return null;
        }
    }
}
