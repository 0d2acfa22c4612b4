package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.gates.GateCallException;
import dev.bluegreen.gates.GatePolicies;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes the HTTP calls of one gate through its {@link GatePolicies}: circuit breaker, time limit
 * per attempt, retries with backoff or {@code Retry-After}, each retry published as an interim
 * result. Never throws for a failed call (the outcome says what happened), only when interrupted.
 * Internal: not part of the API.
 */
public final class HttpCalls {
    private static final Logger LOG = LoggerFactory.getLogger("dev.bluegreen.gates");
    /** Answers retried: too many requests, and the gateway and availability errors a flapping target gives. */
    private static final Set<Integer> RETRIED = Set.of(429, 502, 503, 504);
    /** Answers whose {@code Retry-After} is honoured. */
    private static final Set<Integer> RETRY_AFTER = Set.of(429, 503);

    /** Shared by gates built without a client of their own: never follows redirects, HTTP/1.1. */
    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    private final String gate;
    private final HttpClient client;
    private final GatePolicies policies;
    private final CircuitBreaker breaker;
    private final TimeLimiter timeLimiter;

    /**
     * @param gate      the gate's name, for messages and the breaker's name
     * @param client    the client, or null for the shared one; must not follow redirects
     * @param policies  the policies
     * @param timeLimit overrides the policies' time limit when not null
     */
    public HttpCalls(String gate, HttpClient client, GatePolicies policies, Duration timeLimit) {
        this.gate = gate;
        this.client = client != null ? client : Shared.CLIENT;
        if (this.client.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new dev.bluegreen.ConfigurationException("HTTP client of gate '" + gate + "' follows redirects ("
                    + this.client.followRedirects() + "); expected Redirect.NEVER: gates never follow a redirect to "
                    + "another host, and follow same-host redirects themselves when asked to");
        }
        this.policies = policies;
        this.breaker = policies.sharedCircuitBreaker()
                .orElseGet(() -> policies.circuitBreaker().map(config -> CircuitBreaker.of(gate, config)).orElse(null));
        TimeLimiterConfig limit = timeLimit == null ? policies.timeLimit()
                : TimeLimiterConfig.custom().timeoutDuration(timeLimit).cancelRunningFuture(true).build();
        this.timeLimiter = TimeLimiter.of(gate, limit);
    }

    /**
     * @return the time limit of one attempt
     */
    public Duration timeLimit() {
        return timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
    }

    /**
     * @return the gate's circuit breaker, if it has one
     */
    public Optional<CircuitBreaker> breaker() {
        return Optional.ofNullable(breaker);
    }

    /**
     * @return the policies
     */
    public GatePolicies policies() {
        return policies;
    }

    /**
     * One answer that was read.
     *
     * @param uri       the URL asked
     * @param status    the HTTP status
     * @param headers   the response headers
     * @param body      at most the limit's worth of the body
     * @param truncated whether the body went on
     * @param latency   how long the attempt took, from sending to the body read
     */
    public record Exchange(URI uri, int status, HttpHeaders headers, byte[] body, boolean truncated, Duration latency) {
        /** @return the body as one trimmed line, for results */
        public String excerpt() {
            return Text.excerpt(body, truncated);
        }
    }

    /** What a call came to. */
    public sealed interface Outcome permits Answered, NoAnswer, ShortCircuited {
        /** @return the attempts made (0 when short-circuited before the first) */
        int attempts();

        /** @return a sentence on retries that were not made, or "" */
        String note();
    }

    /**
     * The target answered (the last answer, after retries).
     *
     * @param exchange the answer
     * @param attempts the attempts made
     * @param note     why a retryable answer was not retried, or ""
     */
    public record Answered(Exchange exchange, int attempts, String note) implements Outcome {
    }

    /**
     * No answer: every attempt failed to connect or ran out of time.
     *
     * @param problem  what the last attempt ran into, e.g. "no answer within 2 s"
     * @param attempts the attempts made
     * @param note     always ""
     */
    public record NoAnswer(String problem, int attempts, String note) implements Outcome {
    }

    /**
     * The circuit breaker refused the call: no request was sent.
     *
     * @param breaker  the breaker's name
     * @param state    its state, e.g. OPEN
     * @param failures the failure rate that opened it, in percent, or -1 when unknown
     * @param attempts the attempts made before it refused (by earlier retries of this call)
     * @param note     always ""
     */
    public record ShortCircuited(String breaker, String state, float failures, int attempts, String note)
            implements Outcome {
        /** @return e.g. "circuit breaker 'error-ratio' is OPEN (60% of recent calls failed); no request sent" */
        public String describe() {
            return "circuit breaker '" + breaker + "' is " + state
                    + (failures >= 0 ? " (" + Text.number(Math.round(failures)) + "% of recent calls failed)" : "")
                    + "; no request sent";
        }
    }

    /**
     * Calls once through the policies.
     *
     * @param context  the gate context: time source for pauses, interim results
     * @param request  the request, sent again as is on each attempt
     * @param maxBody  the most body bytes to read
     * @return what the call came to
     * @throws InterruptedException when the calling thread is interrupted (the exchange is cancelled)
     */
    public Outcome call(GateContext context, HttpRequest request, int maxBody) throws InterruptedException {
        int maxAttempts = Math.max(1, policies.retry().getMaxAttempts());
        String what = request.method() + " " + Text.redact(request.uri());
        for (int attempt = 1; ; attempt++) {
            if (breaker != null && !breaker.tryAcquirePermission()) {
                CircuitBreaker.Metrics metrics = breaker.getMetrics();
                ShortCircuited refused = new ShortCircuited(breaker.getName(), breaker.getState().name(),
                        metrics.getFailureRate(), attempt - 1, "");
                LOG.info("gate '{}': {} for {}", gate, refused.describe(), what);
                return refused;
            }
            long start = System.nanoTime();
            Exchange exchange;
            try {
                exchange = send(request, maxBody);
            } catch (InterruptedException e) {
                if (breaker != null) {
                    breaker.releasePermission();
                }
                throw e;
            } catch (Exception e) {
                long elapsed = System.nanoTime() - start;
                String problem = describe(e);
                if (breaker != null) {
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, new GateCallException(what + ": " + problem, 0, e));
                }
                if (!retryable(e) || attempt >= maxAttempts) {
                    return new NoAnswer(problem, attempt, "");
                }
                pause(context, attempt, maxAttempts, what + ": " + problem, interval(attempt, Either.left(e)), false);
                continue;
            }
            int status = exchange.status();
            if (breaker != null) {
                if (status >= 500 || status == 429) {
                    breaker.onError(exchange.latency().toNanos(), TimeUnit.NANOSECONDS,
                            new GateCallException(what + " answered " + status, status, null));
                } else {
                    breaker.onSuccess(exchange.latency().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            if (!RETRIED.contains(status) || attempt >= maxAttempts) {
                return new Answered(exchange, attempt, "");
            }
            Optional<Duration> retryAfter = RETRY_AFTER.contains(status)
                    ? retryAfter(exchange.headers(), context.time().now()) : Optional.empty();
            if (retryAfter.isPresent() && retryAfter.get().compareTo(policies.maxRetryAfter()) > 0) {
                return new Answered(exchange, attempt, "not retried: Retry-After asked for " + Text.human(retryAfter.get())
                        + ", more than the limit of " + Text.human(policies.maxRetryAfter()));
            }
            Duration pause = retryAfter.isPresent() ? retryAfter.get() : interval(attempt, Either.right(status));
            pause(context, attempt, maxAttempts, what + " answered " + status, pause, retryAfter.isPresent());
        }
    }

    private void pause(GateContext context, int attempt, int maxAttempts, String failure, Duration pause,
                       boolean asked) throws InterruptedException {
        String note = "attempt " + attempt + " of " + maxAttempts + " failed (" + failure + "); retrying in "
                + Text.human(pause) + (asked ? " as its Retry-After asks" : "");
        LOG.info("gate '{}': {}", gate, note);
        context.reportInterim(gate, GateResult.inconclusive(note).withMeasurement("attempt", attempt)
                .withMeasurement("retry_in_ms", pause.toMillis()));
        context.time().sleep(pause);
    }

    private Duration interval(int attempt, Either<Throwable, Object> either) {
        io.github.resilience4j.core.IntervalBiFunction<Object> function = policies.retry().getIntervalBiFunction();
        Long millis = function.apply(attempt, either);
        return Duration.ofMillis(millis == null || millis < 0 ? 0 : millis);
    }

    private Exchange send(HttpRequest request, int maxBody) throws Exception {
        AtomicReference<CompletableFuture<HttpResponse<LimitedBody.Body>>> sent = new AtomicReference<>();
        long start = System.nanoTime();
        try {
            HttpResponse<LimitedBody.Body> response = timeLimiter.executeFutureSupplier(() -> {
                CompletableFuture<HttpResponse<LimitedBody.Body>> future =
                        client.sendAsync(request, LimitedBody.handler(maxBody));
                sent.set(future);
                return future;
            });
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            return new Exchange(request.uri(), response.statusCode(), response.headers(), response.body().bytes(),
                    response.body().truncated(), latency);
        } catch (InterruptedException e) {
            CompletableFuture<?> future = sent.get();
            if (future != null) {
                future.cancel(true);
            }
            throw e;
        }
    }

    private static boolean retryable(Exception e) {
        return e instanceof IOException || e instanceof TimeoutException;
    }

    private String describe(Exception e) {
        if (e instanceof TimeoutException || e instanceof HttpTimeoutException) {
            return "no answer within " + Text.human(timeLimit());
        }
        // The JDK client often wraps the telling exception (ConnectException without a message
        // around a ClosedChannelException): name the outer one, and the first message or inner type.
        Throwable inner = e;
        while (inner.getMessage() == null && inner.getCause() != null) {
            inner = inner.getCause();
        }
        String outer = e.getClass().getSimpleName();
        if (inner.getMessage() != null) {
            return outer + ": " + inner.getMessage();
        }
        return inner == e ? outer : outer + " (" + inner.getClass().getSimpleName() + ")";
    }

    /**
     * @param headers the answer's headers
     * @param now     the current time, for an HTTP date
     * @return the pause its {@code Retry-After} asks for, when it has a valid one
     */
    static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> value = headers.firstValue("Retry-After").map(String::strip);
        if (value.isEmpty() || value.get().isEmpty()) {
            return Optional.empty();
        }
        String text = value.get();
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration left = Duration.between(now, at);
            return Optional.of(left.isNegative() ? Duration.ZERO : left);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
