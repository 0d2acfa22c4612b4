package dev.bluegreen;

/** The verdict of a health gate. */
public enum GateStatus {
    /** Healthy enough to go on. */
    PASSED,
    /** Measured, and not healthy enough. */
    FAILED,
    /** Could not decide: no data, a query error, a gate that threw. Never treated as a pass. */
    INCONCLUSIVE
}
