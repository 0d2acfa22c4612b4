package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;
import java.util.function.Supplier;

/** Calls to the API server, with fabric8's exceptions turned into the SDK's. */
final class KubeCalls {
    static final int CONFLICT = 409;
    static final int NOT_FOUND = 404;

    private KubeCalls() {
    }

    /**
     * Runs a call, turning a client exception into a {@link ClusterApiException} whose message
     * starts with {@code what}.
     */
    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw apiError(what, e);
        }
    }

    static ClusterApiException apiError(String what, KubernetesClientException e) {
        if (e.getCause() instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        return new ClusterApiException(what + " failed" + (e.getCode() > 0 ? " with HTTP " + e.getCode() : "") + ": " + reason,
                e.getCode(), e);
    }

    static boolean isConflict(Throwable e) {
        return e instanceof ClusterApiException && ((ClusterApiException) e).statusCode() == CONFLICT;
    }

    /**
     * A retry for read-modify-write cycles whose compare-and-swap lost to another writer (on a
     * Deployment, usually the controller updating status): each attempt re-reads.
     */
    static Retry conflictRetry(String name) {
        return Retry.of(name, RetryConfig.custom()
                .maxAttempts(5)
                .waitDuration(Duration.ofMillis(20))
                .retryOnException(KubeCalls::isConflict)
                .failAfterMaxAttempts(false)
                .build());
    }

    /** Runs a read-modify-write cycle, again from the read when it lost a compare-and-swap. */
    static <T> T withConflictRetry(Retry retry, Supplier<T> cycle) {
        return Retry.decorateSupplier(retry, cycle).get();
    }
}
