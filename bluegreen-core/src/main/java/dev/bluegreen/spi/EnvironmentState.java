package dev.bluegreen.spi;

import dev.bluegreen.Color;

import java.time.Instant;

/**
 * What one color's environment looked like when it was read: whether it exists, what version it
 * runs, how many replicas it asks for and has available, whether its rollout is complete, and the
 * revision a write to it is conditioned on.
 *
 * @param color      the color; never null
 * @param object     the object behind it, e.g. {@code Deployment shop/myapp-green}; never null
 * @param exists     whether the object exists
 * @param version    the version it runs (for Kubernetes the container image), or null when it does not exist
 * @param desired    replicas asked for
 * @param available  replicas available
 * @param rolledOut  whether its rollout is complete: every replica runs {@code version} and is available
 * @param revision   the object's revision (resourceVersion) when read, or null when it does not exist
 * @param generation the object's spec generation, which only changes when someone changes what it runs
 *                   or how many replicas it asks for; 0 when it does not exist
 * @param detail     one line on its state, e.g. kubectl's rollout message; never null
 * @param readAt     when it was read; never null
 */
public record EnvironmentState(Color color, String object, boolean exists, String version, int desired, int available,
                               boolean rolledOut, String revision, long generation, String detail, Instant readAt) {

    /**
     * @param color  the color
     * @param object the object that does not exist
     * @param readAt when that was seen
     * @return the state of a color whose environment does not exist
     */
    public static EnvironmentState missing(Color color, String object, Instant readAt) {
        return new EnvironmentState(color, object, false, null, 0, 0, false, null, 0, object + " does not exist", readAt);
    }

    /**
     * @return whether traffic may be sent to this color: it exists, asks for at least one replica,
     *         its rollout is complete and at least one replica is available
     */
    public boolean servable() {
        return exists && desired > 0 && available > 0 && rolledOut;
    }

    /**
     * @param version a version
     * @return whether this color is servable and runs {@code version}
     */
    public boolean serves(String version) {
        return servable() && version.equals(this.version);
    }

    /**
     * @param other a later read of the same color
     * @return whether someone changed what it runs or how many replicas it asks for between the two reads
     */
    public boolean specChangedIn(EnvironmentState other) {
        return other.exists != exists || other.generation != generation;
    }

    /**
     * @return e.g. {@code Deployment shop/myapp-green runs myapp:v2, 3 of 3 available}
     */
    @Override
    public String toString() {
        if (!exists) {
            return object + " does not exist";
        }
        return object + " runs " + version + ", " + available + " of " + desired + " available"
                + (rolledOut ? "" : " (" + detail + ")");
    }
}
