package dev.bluegreen;

/**
 * What happens to the new (idle) color when a release does not go through: aborted before the switch,
 * or rolled back after it.
 */
public enum AbortPolicy {
    /**
     * Give the candidate up (the default; for Deployments: scale to zero, which frees the second
     * set of replicas), unless the router selects it or someone else changed it meanwhile.
     */
    SCALE_DOWN_IDLE,
    /** Leave the idle color as it is, for someone to inspect. */
    KEEP_IDLE
}
