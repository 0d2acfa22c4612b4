package dev.bluegreen.spi;

import dev.bluegreen.Color;

import java.time.Duration;
import java.util.List;

/**
 * Proof that traffic reaches only ready backends of one color.
 *
 * @param target   the routing object; never null
 * @param color    the color traffic reaches; never null
 * @param backends the ready backends traffic reaches (for Kubernetes, pod names), at least one; never null
 * @param source   where this was read, e.g. {@code EndpointSlices} or {@code Endpoints}; never null
 * @param waited   how long it took to hold; never null
 */
public record TrafficVerification(String target, Color color, List<String> backends, String source, Duration waited) {

    /**
     * Copies the list of backends.
     *
     * @param target   the routing object
     * @param color    the color
     * @param backends the ready backends
     * @param source   where it was read
     * @param waited   how long it took
     */
    public TrafficVerification {
        backends = List.copyOf(backends);
    }

    /**
     * @return e.g. {@code Service shop/myapp-service reaches 3 ready green backends [...] (EndpointSlices, after 12 ms)}
     */
    @Override
    public String toString() {
        return target + " reaches " + backends.size() + " ready " + color + " backend" + (backends.size() == 1 ? " " : "s ")
                + backends + " (" + source + ", after " + waited.toMillis() + " ms)";
    }
}
