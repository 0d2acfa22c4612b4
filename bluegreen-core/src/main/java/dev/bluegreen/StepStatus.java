package dev.bluegreen;

/** How a step in a release's timeline ended. */
public enum StepStatus {
    /** It did its work. */
    SUCCEEDED,
    /** It had nothing to do (no gates, no compensation, retention keeps the previous color). */
    SKIPPED,
    /** It threw. */
    FAILED,
    /** It ran past its timeout: its waits ended and its gates or custom code were interrupted (never a write). */
    TIMED_OUT,
    /** The release was cancelled while it ran. */
    CANCELLED
}
