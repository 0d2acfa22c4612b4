package dev.bluegreen;

/**
 * Root of every exception the SDK throws. Unchecked, so host applications decide where to handle
 * it; each subtype's message names the app, namespace, object and offending value it is about.
 */
public class BlueGreenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the objects involved; never null
     */
    public BlueGreenException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, naming the objects involved; never null
     * @param cause   the underlying failure; may be null
     */
    public BlueGreenException(String message, Throwable cause) {
        super(message, cause);
    }
}
