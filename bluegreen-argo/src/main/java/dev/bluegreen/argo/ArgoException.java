package dev.bluegreen.argo;

import dev.bluegreen.BlueGreenException;

/**
 * An Argo Rollouts operation cannot be carried out as asked: the Rollout does not exist, is not blue-green, has no
 * such container or revision, or did not reach a phase in time. Nothing was written when this is thrown before a
 * write; the message says which Rollout, which value, and what was expected.
 */
public class ArgoException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the Rollout, the value and what was expected; never null
     */
    public ArgoException(String message) {
        super(message);
    }

    /**
     * @param message names the Rollout, the value and what was expected; never null
     * @param cause   the underlying failure; may be null
     */
    public ArgoException(String message, Throwable cause) {
        super(message, cause);
    }
}
