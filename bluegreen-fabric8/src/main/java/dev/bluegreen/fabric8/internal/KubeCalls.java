package dev.bluegreen.fabric8.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.ClusterApiException;
import dev.bluegreen.fabric8.KubernetesOptions;
import dev.bluegreen.spi.Deadline;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.github.resilience4j.core.functions.Either;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Calls to the API server, with fabric8's exceptions turned into the SDK's, and reads retried (with
 * backoff and jitter, within the deadline) on what the client does not retry itself.
 */
final class KubeCalls {
    static final int CONFLICT = 409;
    static final int NOT_FOUND = 404;
    static final int TOO_MANY_REQUESTS = 429;

    private final KubernetesOptions options;
    private final boolean clientRetriesServerErrors;

    KubeCalls(KubernetesClient client, KubernetesOptions options) {
        this.options = options;
        Integer limit = client.getConfiguration().getRequestRetryBackoffLimit();
        this.clientRetriesServerErrors = limit != null && limit > 0;
    }

    /**
     * Runs a read, retrying transient failures the client does not retry itself until the retry's
     * attempts or the deadline run out; each failure is noted on the deadline, so a timeout names it.
     */
    <T> T read(String what, Deadline deadline, Supplier<T> call) {
        int attempts = options.readRetry().getMaxAttempts();
        for (int attempt = 1; ; attempt++) {
            deadline.checkStopping();
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                ClusterApiException error = apiError(what, null, e);
                if (!retryableRead(e) || attempt >= attempts) {
                    throw error;
                }
                deadline.noteFailure(error);
                Duration pause = Duration.ofMillis(options.readRetry().getIntervalBiFunction()
                        .apply(attempt, Either.left(e)));
                if (!deadline.pause(pause)) {
                    throw error;
                }
            }
        }
    }

    /**
     * A write refused with 429 was not applied. When the client does not retry it itself, waits the
     * read retry's backoff (within the deadline) so that the caller can re-decide and send it again.
     *
     * @return whether the caller may send it again
     */
    boolean backOffIfThrottled(KubernetesClientException e, int attempt, Deadline deadline) {
        if (e.getCode() != TOO_MANY_REQUESTS || clientRetriesServerErrors) {
            return false;
        }
        Duration pause = Duration.ofMillis(options.readRetry().getIntervalBiFunction().apply(attempt, Either.left(e)));
        return deadline.pause(pause);
    }

    /** Runs a write once, turning a client exception into a {@link ClusterApiException}. */
    static <T> T write(String what, String object, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw apiError(what, object, e);
        }
    }

    /**
     * What the client does not retry itself: a 409 on a read (never "someone else edited it"), and
     * a request that timed out. Connection failures, 5xx and 429 the client retries itself unless
     * its retries are off; retrying them here too would multiply the attempts.
     */
    private boolean retryableRead(KubernetesClientException e) {
        int code = e.getCode();
        if (isInterruption(e)) {
            return false;
        }
        if (code == CONFLICT || isTimeout(e)) {
            return true;
        }
        return !clientRetriesServerErrors && (code <= 0 || code == 429 || code >= 500);
    }

    private static boolean isInterruption(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.util.concurrent.TimeoutException
                    || cause.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    static ClusterApiException apiError(String what, String object, KubernetesClientException e) {
        if (e.getCause() instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
        if (e.getCode() <= 0 && e.getCause() != null) {
            reason = e.getCause().getClass().getSimpleName() + (e.getCause().getMessage() == null ? ""
                    : ": " + e.getCause().getMessage());
        }
        return new ClusterApiException(what + " failed" + (e.getCode() > 0 ? " with HTTP " + e.getCode()
                : " without a response") + ": " + reason, object, Math.max(0, e.getCode()), e);
    }

    /** @return whether a failure of a write leaves its outcome unknown (no answer, or a 5xx) */
    /** @return the server's own message when it sent a Status (e.g. why a log cannot be read), else the client's */
    static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
            return e.getStatus().getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
    }

        static boolean outcomeUnknown(KubernetesClientException e) {
        return e.getCode() <= 0 || e.getCode() >= 500;
    }

    static BlueGreenException unexpected(String what, RuntimeException e) {
        return e instanceof BlueGreenException ? (BlueGreenException) e
                : new BlueGreenException(what + " failed: " + e, e);
    }
}
