package dev.bluegreen.testkit;

import java.time.Duration;

/**
 * What the simulated API server does to a request chosen by a {@link Faults} rule instead of (or before)
 * serving it. The server applies faults itself, so they reach every client of {@link SimulatedCluster#masterUrl()},
 * including clients the code under test builds on its own.
 *
 * <p>What a fabric8 8.0.0 client on the test kit's Vert.x 5 HTTP client ({@link SimulatedCluster#client()},
 * default configuration: {@code requestRetryBackoffLimit} 10, {@code requestRetryBackoffInterval} 100 ms,
 * doubling) sees, measured:
 * <table>
 *   <caption>Faults as a fabric8 client sees them</caption>
 *   <tr><th>fault</th><th>applied?</th><th>the caller sees</th></tr>
 *   <tr><td>{@link #status(int) status(500)}, {@code status(503)}, any 5xx;
 *       {@link #tooManyRequests(Duration)} (429)</td><td>no</td>
 *       <td>nothing at first: fabric8 retries 5xx and 429 itself (ignoring {@code Retry-After}), so a fault that
 *       fires once is absorbed and costs about 100 ms. Once the retries are used up, or with retries off
 *       ({@code cluster.newClient(c -> c.withRequestRetryBackoffLimit(0))}): {@code KubernetesClientException}
 *       with {@code getCode()} the status and {@code getStatus()} the Status body (reason {@code InternalError},
 *       {@code ServiceUnavailable}, {@code TooManyRequests}, ...)</td></tr>
 *   <tr><td>{@link #conflict()} (409), any other 4xx</td><td>no</td>
 *       <td>{@code KubernetesClientException} with that code and Status at once, never retried; except that
 *       {@code get()} turns a 404 into {@code null}</td></tr>
 *   <tr><td>{@link #connectionReset()}</td><td>no</td>
 *       <td>the Vert.x client reports {@code java.io.IOException: Connection was closed} (cause
 *       {@code HttpClosedException}), which fabric8 retries like a 5xx: a reset that fires once is absorbed. Once
 *       the retries are used up, or with retries off: {@code KubernetesClientException} with {@code getCode()} -1,
 *       no Status, that {@code IOException} among its causes. A rule resetting the request and all ten retries
 *       keeps the caller waiting about 19 s.</td></tr>
 *   <tr><td>{@link #applyThenLoseResponse()}</td><td>yes</td>
 *       <td>as {@link #connectionReset()}, but fabric8's retry sends the write a second time: a merge patch is
 *       applied twice, a create fails with 409 ({@code AlreadyExists}) although it succeeded</td></tr>
 *   <tr><td>{@link #delay(Duration)}</td><td>when the delay ends</td>
 *       <td>the normal answer, late. Past the client's {@code requestTimeout}: {@code KubernetesClientException}
 *       caused by Vert.x's {@code NoStackTraceTimeoutException} ("The timeout period of ...ms has been exceeded"),
 *       not retried; the server still applies the request when the delay ends</td></tr>
 * </table>
 *
 * <p>Watch requests ({@link ClientRequest#isWatch()}; fabric8 upgrades them to a WebSocket): a 5xx on the
 * upgrade is retried by fabric8; a 4xx makes {@code watch()} throw a {@code KubernetesClientException} with that
 * code (its message is the HTTP reason phrase: fabric8 does not read the Status of a failed upgrade).
 * {@link #connectionReset()}, like a 503 that fabric8 no longer retries, makes fabric8 fall back to a watch over
 * plain HTTP, which the simulated server serves, so the watch goes on. {@link #applyThenLoseResponse()} acts as
 * {@link #connectionReset()} on a watch (opening one changes nothing); {@link #delay(Duration)} delays the
 * upgrade. Informers open their watches the same way. The Vert.x client logs "Connection evicted" at WARN
 * for each upgrade that fails.
 */
public sealed interface Fault permits Fault.HttpStatus, Fault.ConnectionReset, Fault.ApplyThenLoseResponse, Fault.Delay {

    /**
     * Answers with an HTTP error status and a Kubernetes {@code Status} body, without applying the request.
     * The Status carries the reason the API server uses for the code ({@code InternalError} for 500,
     * {@code ServiceUnavailable} for 503, {@code Conflict} for 409, ...).
     *
     * @param code an HTTP error status, 400 to 599
     * @return the fault
     * @throws IllegalArgumentException if {@code code} is not an error status
     */
    static Fault status(int code) {
        return new HttpStatus(code, null);
    }

    /**
     * Answers 429 Too Many Requests, with a {@code Retry-After} header and {@code details.retryAfterSeconds},
     * as the API server's priority and fairness does; the request is not applied.
     *
     * @param retryAfter the time the client is asked to wait; zero or more, sent in whole seconds rounded up
     * @return the fault
     * @throws IllegalArgumentException if {@code retryAfter} is null or negative
     */
    static Fault tooManyRequests(Duration retryAfter) {
        if (retryAfter == null || retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must be zero or positive, but was " + retryAfter);
        }
        return new HttpStatus(429, retryAfter);
    }

    /**
     * Answers 409 with reason {@code Conflict}, as the API server does when a write carries a stale
     * {@code resourceVersion}; the request is not applied.
     *
     * @return the fault
     */
    static Fault conflict() {
        return new HttpStatus(409, null);
    }

    /**
     * Closes the connection without applying the request and without any response.
     *
     * @return the fault
     */
    static Fault connectionReset() {
        return new ConnectionReset();
    }

    /**
     * Applies the request (the object changes and watches see the event), then closes the connection
     * without sending the response: the client cannot tell whether its write took effect.
     *
     * @return the fault
     */
    static Fault applyThenLoseResponse() {
        return new ApplyThenLoseResponse();
    }

    /**
     * Holds the request for {@code duration}, then serves it normally. Other requests are served meanwhile.
     *
     * @param duration how long to hold the request; positive
     * @return the fault
     * @throws IllegalArgumentException if {@code duration} is null, zero or negative
     */
    static Fault delay(Duration duration) {
        return new Delay(duration);
    }

    /**
     * An HTTP error status with a Kubernetes {@code Status} body; see {@link Fault#status(int)}.
     *
     * @param code       the HTTP status, 400 to 599
     * @param retryAfter the {@code Retry-After} to send, or null for none
     */
    record HttpStatus(int code, Duration retryAfter) implements Fault {

        /**
         * Validates the status and the optional {@code Retry-After}.
         *
         * @param code       the HTTP status, 400 to 599
         * @param retryAfter null, or zero or more
         * @throws IllegalArgumentException if {@code code} is not an error status or {@code retryAfter} negative
         */
        public HttpStatus {
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("code must be an HTTP error status (400 to 599), but was " + code);
            }
            if (retryAfter != null && retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must be zero or positive, but was " + retryAfter);
            }
        }

        /**
         * Describes the fault.
         *
         * @return e.g. {@code status 429, Retry-After 2 s}
         */
        @Override
        public String toString() {
            return "status " + code + (retryAfter == null ? "" : ", Retry-After " + retryAfterSeconds() + " s");
        }

        /**
         * Returns the {@code Retry-After} value in whole seconds, rounded up.
         *
         * @return the seconds, or 0 when there is no {@code Retry-After}
         */
        public long retryAfterSeconds() {
            if (retryAfter == null) {
                return 0;
            }
            long seconds = retryAfter.getSeconds();
            return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
        }
    }

    /** The connection is closed without applying the request; see {@link Fault#connectionReset()}. */
    record ConnectionReset() implements Fault {

        /**
         * Describes the fault.
         *
         * @return {@code connection reset}
         */
        @Override
        public String toString() {
            return "connection reset";
        }
    }

    /** The request is applied, then the connection closed; see {@link Fault#applyThenLoseResponse()}. */
    record ApplyThenLoseResponse() implements Fault {

        /**
         * Describes the fault.
         *
         * @return {@code apply then lose the response}
         */
        @Override
        public String toString() {
            return "apply then lose the response";
        }
    }

    /**
     * The request is held, then served; see {@link Fault#delay(Duration)}.
     *
     * @param duration how long the request is held; positive
     */
    record Delay(Duration duration) implements Fault {

        /**
         * Validates the duration.
         *
         * @param duration positive
         * @throws IllegalArgumentException if {@code duration} is null, zero or negative
         */
        public Delay {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("delay must be positive, but was " + duration);
            }
        }

        /**
         * Describes the fault.
         *
         * @return e.g. {@code delay PT2S}
         */
        @Override
        public String toString() {
            return "delay " + duration;
        }
    }
}
