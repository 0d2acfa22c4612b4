package dev.bluegreen;

/**
 * What a release does when a gate (before or after the switch) is {@link GateStatus#INCONCLUSIVE
 * inconclusive}: it could not decide, for example because Prometheus had no data for the new version
 * (no traffic reached it) or a gate threw. A failed gate always stops the release.
 */
public enum InconclusivePolicy {
    /**
     * An inconclusive gate stops the release as a failed one does (the default): aborted before the
     * switch, rolled back after it. Nothing is promoted on a decision nobody could make.
     */
    FAIL,
    /**
     * An inconclusive gate lets the release go on; the result keeps the evaluation and carries a warning
     * naming the gate and its reason. For gates that are advisory, e.g. a latency check on a version
     * that may get no traffic during the window.
     */
    PROCEED
}
