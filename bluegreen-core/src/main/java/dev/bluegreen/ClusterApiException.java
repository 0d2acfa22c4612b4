package dev.bluegreen;

/**
 * A call to the platform's API failed. Carries what was attempted, on which object, and the HTTP
 * status code (0 when no response arrived: a connection reset, a timeout, a lost response).
 * Subtypes name the cases a caller decides on: {@link ConflictException} (the object changed since
 * it was read).
 */
public class ClusterApiException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status code, or 0 without a response. */
    private final int statusCode;
    /** The object the call was about, e.g. {@code Deployment shop/myapp-green}. */
    private final String object;

    /**
     * @param message    the operation and object, e.g. "patch of Deployment shop/myapp-green failed"; never null
     * @param statusCode the HTTP status code, or 0 when the request got no response
     * @param cause      the client's exception; may be null
     */
    public ClusterApiException(String message, int statusCode, Throwable cause) {
        this(message, null, statusCode, cause);
    }

    /**
     * @param message    the operation and object, e.g. "patch of Deployment shop/myapp-green failed"; never null
     * @param object     the object the call was about, e.g. {@code Deployment shop/myapp-green}; may be null
     * @param statusCode the HTTP status code, or 0 when the request got no response
     * @param cause      the client's exception; may be null
     */
    public ClusterApiException(String message, String object, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.object = object;
    }

    /**
     * @return the HTTP status code, or 0 when the request got no response
     */
    public int statusCode() {
        return statusCode;
    }

    /**
     * @return the object the call was about, or null when not known
     */
    public String object() {
        return object;
    }

    /**
     * @return whether no HTTP response arrived (connection reset or refused, response lost, client
     *         timeout): a write may or may not have been applied
     */
    public boolean noResponse() {
        return statusCode == 0;
    }
}
