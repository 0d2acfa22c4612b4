package dev.bluegreen;

import java.time.Duration;

/** What a custom step (or compensation, or clean-up action) knows of the release it runs in. */
public interface StepContext {

    /**
     * @return the id of the release, as in its result, events and log lines
     */
    String releaseId();

    /**
     * @return the app being released
     */
    String app();

    /**
     * @return the app's namespace
     */
    String namespace();

    /**
     * @return the version being released
     */
    String version();

    /**
     * @return the color that was live when the release began
     */
    Color previousColor();

    /**
     * @return the color the new version is deployed to; null in steps placed before deploy when
     *         the platform names the candidate only once it is deployed (Argo Rollouts)
     */
    Color targetColor();

    /**
     * @return the name of the step running
     */
    String stepName();

    /**
     * @return the step's timeout; the step is interrupted when it runs longer
     */
    Duration timeout();

    /**
     * @return the time source to read and wait with
     */
    TimeSource time();

    /**
     * Registers an action for the {@link StandardStep#CLEAN_UP clean-up} step, e.g. deleting a
     * temporary resource this step created. Clean-up actions run once the release ends, whatever
     * its outcome, in the reverse order of registration.
     *
     * @param description what the action does, for the timeline; never blank
     * @param action      the action; never null
     */
    void registerCleanUp(String description, StepAction action);
}
