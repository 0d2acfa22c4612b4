package dev.bluegreen;

import java.time.Duration;

/**
 * A step ran past its timeout. Names the step, the timeout and, when the step was retrying calls
 * that failed, the last failure: a timeout never hides its HTTP cause.
 */
public class StepTimeoutException extends StepFailedException {
    private static final long serialVersionUID = 1L;

    /** The step's timeout. */
    private final Duration timeout;

    /**
     * @param step      the step's name; never null
     * @param timeout   the timeout that passed; never null
     * @param message   the explanation, naming the app, namespace, step and last failure; never null
     * @param lastCause the last failure seen while the step retried; may be null
     */
    public StepTimeoutException(String step, Duration timeout, String message, Throwable lastCause) {
        super(step, message, lastCause);
        this.timeout = timeout;
    }

    /**
     * @return the timeout that passed
     */
    public Duration timeout() {
        return timeout;
    }
}
