package dev.bluegreen.gates;

/**
 * A call of a gate that failed in a way a circuit breaker records: no answer (a refused or broken
 * connection, an attempt that ran out of time) or an answer that says the target cannot serve now
 * (5xx, 429). Gates do not throw it: they hand it to their circuit breaker and explain the
 * failure in their result. A circuit breaker config given to {@link GatePolicies} must record it.
 */
public class GateCallException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The HTTP status of the answer, or 0 when there was none. */
    private final int status;

    /**
     * @param message what failed, naming the method and URL (never credentials); never null
     * @param status  the HTTP status of the answer, or 0 when there was none
     * @param cause   the failure without an answer; may be null
     */
    public GateCallException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * @return the HTTP status of the answer, or 0 when there was none
     */
    public int status() {
        return status;
    }
}
