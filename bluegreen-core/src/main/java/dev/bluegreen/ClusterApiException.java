package dev.bluegreen;

/**
 * A call to the platform's API failed for a reason other than the ones with their own type
 * (conflict, not found during preflight...). Carries the HTTP status code when there was one.
 */
public class ClusterApiException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status code, or 0 without a response. */
    private final int statusCode;

    /**
     * @param message    the operation and object, e.g. "patch of Deployment shop/myapp-green failed"; never null
     * @param statusCode the HTTP status code, or 0 when the request got no response
     * @param cause      the client's exception; may be null
     */
    public ClusterApiException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /**
     * @return the HTTP status code, or 0 when the request got no response
     */
    public int statusCode() {
        return statusCode;
    }
}
