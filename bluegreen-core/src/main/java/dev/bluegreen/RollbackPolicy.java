package dev.bluegreen;

/** What happens when something fails after the switch, before the release is committed. */
public enum RollbackPolicy {
    /** Switch traffic back to the previous color in one write (the default). Outcome ROLLED_BACK. */
    AUTOMATIC,
    /** Leave traffic on the new color for an operator to decide. Outcome FAILED. */
    MANUAL
}
