package dev.bluegreen;

/** The work of a custom step, or of its compensation. */
@FunctionalInterface
public interface StepAction {

    /**
     * Does the work. Must return promptly when interrupted: that is how timeouts and cancellation
     * reach it.
     *
     * @param context the release and step it runs in; never null
     * @throws Exception when the work failed; the release treats the step as failed
     */
    void run(StepContext context) throws Exception;
}
