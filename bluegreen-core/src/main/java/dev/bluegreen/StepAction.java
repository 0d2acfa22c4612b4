package dev.bluegreen;

/** The work of a custom step, or of its compensation. */
@FunctionalInterface
public interface StepAction {

    /**
     * Does the work, on the release's thread. Must return promptly when interrupted: that is how
     * timeouts and cancellation reach it, and the release waits for it to return before it goes
     * on (so that nothing it writes can land after the release's own recovery writes).
     *
     * @param context the release and step it runs in; never null
     * @throws Exception when the work failed; the release treats the step as failed
     */
    void run(StepContext context) throws Exception;
}
