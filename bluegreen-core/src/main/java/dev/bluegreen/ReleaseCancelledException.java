package dev.bluegreen;

/**
 * The release was cancelled, by {@link ReleaseExecution#cancel()} or by interrupting the thread
 * running it. The release still ended in a defined state, which its result reports.
 */
public class ReleaseCancelledException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message where the release was when it was cancelled; never null
     */
    public ReleaseCancelledException(String message) {
        super(message);
    }
}
