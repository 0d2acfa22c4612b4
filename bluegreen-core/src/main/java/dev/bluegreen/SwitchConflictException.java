package dev.bluegreen;

/**
 * A routing write was refused because the routing object changed after it was read in a way that
 * matters (someone else switched or edited the routing). Their edit was kept; nothing of ours was
 * written.
 */
public class SwitchConflictException extends ConflictException {
    private static final long serialVersionUID = 1L;

    /**
     * @param target           the routing object, e.g. "Service shop/myapp-service"; never null
     * @param expectedRevision the revision the switch was conditioned on; may be null
     * @param message          the full explanation, naming the object and the revision expected; never null
     * @param cause            the API error; may be null
     */
    public SwitchConflictException(String target, String expectedRevision, String message, Throwable cause) {
        super(target, expectedRevision, message, cause);
    }

    /**
     * @return the routing object whose concurrent edit caused the conflict
     */
    public String target() {
        return object();
    }
}
