package dev.bluegreen;

/**
 * A routing write was refused because the object changed after it was read: someone else edited
 * it in between. Their edit was kept; nothing of ours was written.
 */
public class SwitchConflictException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The routing object edited concurrently. */
    private final String target;

    /**
     * @param target  the routing object, e.g. "Service shop/myapp-service"; never null
     * @param message the full explanation, naming the object and the revision expected; never null
     * @param cause   the API error; may be null
     */
    public SwitchConflictException(String target, String message, Throwable cause) {
        super(message, cause);
        this.target = target;
    }

    /**
     * @return the routing object whose concurrent edit caused the conflict
     */
    public String target() {
        return target;
    }
}
