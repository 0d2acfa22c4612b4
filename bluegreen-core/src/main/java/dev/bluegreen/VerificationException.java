package dev.bluegreen;

/**
 * After a switch, traffic could not be shown to reach only ready backends of the new color before
 * the deadline. The message says what was observed last.
 */
public class VerificationException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was expected and what was observed last; never null
     */
    public VerificationException(String message) {
        super(message);
    }
}
