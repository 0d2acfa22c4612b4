package dev.bluegreen;

/**
 * A step of a release failed, timed out or was cancelled. The message names the app, namespace and
 * step; the cause, when there is one, is the step's own failure.
 */
public class StepFailedException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    private final String step;

    /**
     * @param step    the step's name; never null
     * @param message the explanation, naming app, namespace and step; never null
     * @param cause   the step's own failure; may be null
     */
    public StepFailedException(String step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    /**
     * @return the name of the step that failed
     */
    public String step() {
        return step;
    }
}
