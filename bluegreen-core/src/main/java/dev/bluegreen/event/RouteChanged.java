package dev.bluegreen.event;

import dev.bluegreen.Color;
import dev.bluegreen.spi.RouteState;

import java.time.Instant;

/**
 * Someone else changed the routing object while the release relied on it (an operator switched
 * the Service by hand, another tool edited it). The release stops at the next safe point.
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when it was seen
 * @param expected  the color the release expected live, or null
 * @param seen      the route as seen
 */
public record RouteChanged(String releaseId, String app, String namespace, Instant at, Color expected, RouteState seen)
        implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] route changed by someone else: expected "
                + expected + ", saw " + seen;
    }
}
