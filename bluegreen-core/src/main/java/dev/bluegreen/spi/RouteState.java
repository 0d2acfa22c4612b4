package dev.bluegreen.spi;

import dev.bluegreen.Color;

import java.time.Instant;
import java.util.Optional;

/**
 * What a routing object looked like when it was read: which color it sends traffic to, and its
 * revision (for Kubernetes the resourceVersion), on which a switch is conditioned.
 *
 * @param target   the routing object, e.g. {@code Service shop/myapp-service}; never null
 * @param live     the color receiving all traffic, or null when the router selects no single color
 *                 (missing, not routing by color, split between colors)
 * @param revision the object's revision when read, or null when it does not exist
 * @param problem  why there is no single live color, when {@code live} is null; else null
 * @param readAt   when it was read; never null
 */
public record RouteState(String target, Color live, String revision, String problem, Instant readAt) {

    /**
     * @param target   the routing object
     * @param live     the live color
     * @param revision the revision read
     * @param readAt   when
     * @return a state with a single live color
     */
    public static RouteState routed(String target, Color live, String revision, Instant readAt) {
        return new RouteState(target, live, revision, null, readAt);
    }

    /**
     * @param target   the routing object
     * @param revision the revision read, or null when the object does not exist
     * @param problem  why no single color is live, naming the object and values found
     * @param readAt   when
     * @return a state without a single live color
     */
    public static RouteState unrouted(String target, String revision, String problem, Instant readAt) {
        return new RouteState(target, null, revision, problem, readAt);
    }

    /**
     * @return the live color, when the router selects exactly one
     */
    public Optional<Color> liveColor() {
        return Optional.ofNullable(live);
    }

    /**
     * @param color a color
     * @return whether all traffic goes to {@code color}
     */
    public boolean routesTo(Color color) {
        return live != null && live.equals(color);
    }

    /**
     * @return e.g. {@code Service shop/myapp-service -> green (revision 42)}
     */
    @Override
    public String toString() {
        return target + " -> " + (live != null ? live.name() : "no single color (" + problem + ")")
                + (revision == null ? "" : " (revision " + revision + ")");
    }
}
