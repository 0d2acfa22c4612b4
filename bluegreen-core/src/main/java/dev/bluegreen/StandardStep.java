package dev.bluegreen;

import java.time.Duration;

/**
 * The built-in steps of a release, in the order they run. Custom steps are placed before or after
 * any of them except before {@link #PREFLIGHT}, which always runs first so nothing is changed
 * before everything was checked.
 */
public enum StandardStep {
    /**
     * Read the app's release record and lock, the live color and both colors' environments; check
     * everything; then take the lock together with the first release record. Nothing else is written.
     */
    PREFLIGHT("preflight", Duration.ofSeconds(30)),
    /** Install the new version in the idle color and scale it to the wanted replicas. */
    DEPLOY("deploy", Duration.ofMinutes(1)),
    /** Wait until every replica of the idle color is available. */
    AWAIT_READY("await-ready", Duration.ofMinutes(5)),
    /** Evaluate the pre-switch gates (smoke tests) against the idle color, one after the other. */
    PRE_SWITCH_GATES("pre-switch-gates", Duration.ofMinutes(10)),
    /** Switch all traffic to the new color in one write, then verify it reaches only its ready backends. */
    SWITCH("switch", Duration.ofMinutes(1)),
    /** Evaluate the post-switch gates (observation windows) side by side; the release commits when they pass. */
    OBSERVE("observe", Duration.ofHours(1)),
    /** Keep the previous color for the retention period, then retire it (for Deployments: scale to zero). */
    RETIRE_PREVIOUS("retire-previous", Duration.ofMinutes(1)),
    /** Run the clean-up actions steps registered (temporary resources). */
    CLEAN_UP("clean-up", Duration.ofMinutes(1));

    private final String stepName;
    private final Duration defaultTimeout;

    StandardStep(String stepName, Duration defaultTimeout) {
        this.stepName = stepName;
        this.defaultTimeout = defaultTimeout;
    }

    /**
     * @return the step's name in timelines and events, e.g. {@code "await-ready"}
     */
    public String stepName() {
        return stepName;
    }

    /**
     * @return the timeout used when the plan names none; for {@link #RETIRE_PREVIOUS} it excludes
     *         the retention period
     */
    public Duration defaultTimeout() {
        return defaultTimeout;
    }
}
