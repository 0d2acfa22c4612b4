package dev.bluegreen;

/**
 * A conditioned write was refused because the object changed after it was read, and the change
 * was not ours: someone else edited it in between. Their edit was kept; nothing of ours was
 * written (invariant I2).
 */
public class ConflictException extends ClusterApiException {
    private static final long serialVersionUID = 1L;

    /** The revision (resourceVersion) the write was conditioned on. */
    private final String expectedRevision;

    /**
     * @param object           the object, e.g. "Deployment shop/myapp-green"; never null
     * @param expectedRevision the revision the write was conditioned on; may be null
     * @param message          the full explanation, naming the object and what changed; never null
     * @param cause            the API error; may be null
     */
    public ConflictException(String object, String expectedRevision, String message, Throwable cause) {
        super(message, object, 409, cause);
        this.expectedRevision = expectedRevision;
    }

    /**
     * @return the revision the refused write was conditioned on, or null when not known
     */
    public String expectedRevision() {
        return expectedRevision;
    }
}
