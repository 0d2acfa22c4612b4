package dev.bluegreen;

/** How a release ended. */
public enum Outcome {
    /** Traffic is on the new color, every gate passed. */
    SUCCEEDED,
    /** A failure after the switch; traffic was switched back to the previous color. */
    ROLLED_BACK,
    /** A failure or cancellation before the switch; live traffic was never touched. */
    ABORTED,
    /**
     * The release could not reach a clean end (rollback impossible or disabled, or failed); the
     * result's live color and error say what state things are in.
     */
    FAILED
}
