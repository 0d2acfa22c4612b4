package dev.bluegreen.spi;

import dev.bluegreen.Color;

import java.time.Instant;

/**
 * What a switch did.
 *
 * @param target         the routing object, e.g. {@code Service shop/myapp-service}; never null
 * @param from           the color live before; never null
 * @param to             the color live after; never null
 * @param changed        false when {@code to} was already live and nothing was written
 * @param revisionBefore the routing object's revision the write was conditioned on; never null
 * @param revisionAfter  its revision after the write (equal to {@code revisionBefore} when unchanged); never null
 * @param at             when the write was acknowledged; never null
 */
public record SwitchResult(String target, Color from, Color to, boolean changed, String revisionBefore,
                           String revisionAfter, Instant at) {

    /**
     * @return the route as this write left it
     */
    public RouteState route() {
        return RouteState.routed(target, to, revisionAfter, at);
    }

    /**
     * @return e.g. {@code Service shop/myapp-service: blue -> green (resourceVersion 41 -> 42)}
     */
    @Override
    public String toString() {
        return target + ": " + from + " -> " + to + (changed
                ? " (resourceVersion " + revisionBefore + " -> " + revisionAfter + ")"
                : " (already live, nothing written)");
    }
}
