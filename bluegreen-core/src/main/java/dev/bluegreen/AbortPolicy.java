package dev.bluegreen;

/**
 * What happens to the new (idle) color when a release does not go through: aborted before the switch,
 * or rolled back after it.
 */
public enum AbortPolicy {
    /** Scale the idle color down to zero (the default): it frees the second set of replicas. */
    SCALE_DOWN_IDLE,
    /** Leave the idle color as it is, for someone to inspect. */
    KEEP_IDLE
}
