package dev.bluegreen;

import java.util.List;

/**
 * An environment did not become ready before its deadline, or can never become ready (a failed
 * rollout). The message says which backends were not ready and why.
 */
public class NotReadyException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** One line per backend that was not ready. */
    private final List<String> unready;

    /**
     * @param message the explanation; never null
     * @param unready one line per backend that was not ready, with the reason; never null, may be empty
     */
    public NotReadyException(String message, List<String> unready) {
        super(message);
        this.unready = List.copyOf(unready);
    }

    /**
     * @return one line per backend (pod, revision...) that was not ready, with the reason
     */
    public List<String> unready() {
        return unready;
    }
}
