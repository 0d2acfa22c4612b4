package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.gates.TestServer.Response;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resilience policies around gate calls: retries with backoff or Retry-After on the context's
 * clock (a manual one: no real waiting), retries visible as interim results, a circuit breaker that
 * stops calling a flapping target, and builders that name bad values.
 */
class GatePoliciesTest {
    private final Contexts contexts = new Contexts();
    private TestServer server;

    /** Retries up to 4 attempts with a fixed exponential backoff (no jitter): 1 s, 2 s, 4 s. */
    private static final GatePolicies RETRYING = GatePolicies.builder()
            .retry(RetryConfig.custom().maxAttempts(4)
                    .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofSeconds(1), 2.0)).build())
            .noCircuitBreaker().build();

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private HttpGate gate(GatePolicies policies) {
        return HttpGate.builder("health").url(server.url("/health")).policies(policies).build();
    }

    @Test
    void aRetryWaitsWhatA503sRetryAfterAsksOnTheContextsClockAndShowsInInterimResults() throws Exception {
        server.onSequence("/health", Response.of(503, "warming up").with("Retry-After", "7"),
                Response.of(503, "warming up").with("Retry-After", "7"), Response.of(200, "ok"));

        GateResult result = gate(RETRYING).evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(3, result.measurements().get("attempts"));
        assertEquals(Contexts.T0.plusSeconds(14), contexts.time.now(), "twice the 7 s asked for, not the 1 s and 2 s backoff");
        assertEquals(List.of(
                "health: INCONCLUSIVE: attempt 1 of 4 failed (GET " + server.url("/health") + " answered 503); retrying in "
                        + "7 s as its Retry-After asks {attempt=1, retry_in_ms=7000}",
                "health: INCONCLUSIVE: attempt 2 of 4 failed (GET " + server.url("/health") + " answered 503); retrying in "
                        + "7 s as its Retry-After asks {attempt=2, retry_in_ms=7000}"), contexts.interim());
    }

    @Test
    void a429sRetryAfterGivenAsAnHttpDateIsHonoured() throws Exception {
        String inNineSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(Contexts.T0.plusSeconds(9).atOffset(ZoneOffset.UTC));
        server.onSequence("/health", Response.of(429, "slow down").with("Retry-After", inNineSeconds), Response.of(200, "ok"));

        GateResult result = gate(RETRYING).evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(Contexts.T0.plusSeconds(9), contexts.time.now());
    }

    @Test
    void withoutRetryAfterTheRetryConfigsBackoffDecidesThePause() throws Exception {
        server.onSequence("/health", Response.of(502, "bad gateway"), Response.of(504, "gateway timeout"),
                Response.of(503, "unavailable"), Response.of(200, "ok"));

        GateResult result = gate(RETRYING).evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(4, result.measurements().get("attempts"));
        assertEquals(Contexts.T0.plusSeconds(1 + 2 + 4), contexts.time.now());
    }

    @Test
    void aRetryAfterLongerThanTheLimitIsNotWaitedForAndTheResultSaysSo() throws Exception {
        server.on("/health", request -> Response.of(429, "come back in an hour").with("Retry-After", "3600"));

        GateResult result = gate(RETRYING).evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().contains(" answered 429 in "), result.reason());
        assertTrue(result.reason().contains(", expected 2xx (not retried: Retry-After asked for 60 min, more than the "
                + "limit of 1 min); body: come back in an hour"), result.reason());
        assertEquals(1, server.requests("/health").size());
        assertEquals(Contexts.T0, contexts.time.now());
    }

    @Test
    void answersThatAreNotTransientAreNotRetried() throws Exception {
        server.on("/health", request -> Response.of(500, "bug"));

        GateResult result = gate(RETRYING).evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals(1, result.measurements().get("attempts"));
        assertEquals(List.of(), contexts.interim());
    }

    @Test
    void theLastAnswerDecidesOnceTheAttemptsAreUsedUp() throws Exception {
        server.on("/health", request -> Response.of(503, "still down"));

        GateResult result = gate(RETRYING).evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals(4, result.measurements().get("attempts"));
        assertEquals(4, server.requests("/health").size());
        assertEquals(3, contexts.interim().size());
    }

    @Test
    void theCircuitBreakerOpensForAFlappingTargetAndThenNoRequestIsSent() throws Exception {
        server.on("/health", request -> Response.of(503, "flapping"));
        GatePolicies policies = GatePolicies.builder().retry(RetryConfig.custom().maxAttempts(1).build())
                .circuitBreaker(CircuitBreakerConfig.custom()
                        .slidingWindow(4, 4, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .failureRateThreshold(50).waitDurationInOpenState(Duration.ofMinutes(1)).build())
                .build();
        HttpGate gate = gate(policies);

        for (int i = 0; i < 4; i++) {
            assertEquals(GateStatus.FAILED, gate.evaluate(contexts.context()).status());
        }
        GateResult shortCircuited = gate.evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, shortCircuited.status());
        assertEquals("GET " + server.url("/health") + ": circuit breaker 'health' is OPEN (100% of recent calls failed); "
                + "no request sent; the target kept failing", shortCircuited.reason());
        assertEquals(1, shortCircuited.measurements().get("short_circuited"));
        assertEquals(0, shortCircuited.measurements().get("attempts"));
        assertEquals(4, server.requests("/health").size(), "the fifth evaluation sent nothing");
    }

    @Test
    void aSharedCircuitBreakerStopsEveryGateThatUsesIt() throws Exception {
        server.on("/health", request -> Response.of(503, "flapping"));
        server.on("/ready", request -> Response.of(200, "ready"));
        CircuitBreaker breaker = CircuitBreaker.of("prometheus-server", CircuitBreakerConfig.custom()
                .slidingWindow(2, 2, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED).failureRateThreshold(50).build());
        GatePolicies shared = GatePolicies.builder().retry(RetryConfig.custom().maxAttempts(1).build())
                .sharedCircuitBreaker(breaker).build();
        HttpGate failing = gate(shared);
        HttpGate other = HttpGate.builder("ready").url(server.url("/ready")).policies(shared).build();

        failing.evaluate(contexts.context());
        failing.evaluate(contexts.context());
        GateResult result = other.evaluate(contexts.context());

        assertEquals(CircuitBreaker.State.OPEN, breaker.getState());
        assertTrue(result.reason().contains("circuit breaker 'prometheus-server' is OPEN"), result.reason());
        assertEquals(List.of(), server.requests("/ready"));
        assertSame(breaker, shared.sharedCircuitBreaker().orElseThrow());
    }

    @Test
    void theDefaultsAreDocumentedConstants() {
        GatePolicies defaults = GatePolicies.defaults();
        assertSame(GatePolicies.DEFAULT_RETRY, defaults.retry());
        assertEquals(3, defaults.retry().getMaxAttempts());
        assertEquals(Duration.ofSeconds(10), defaults.timeLimit().getTimeoutDuration());
        assertSame(GatePolicies.DEFAULT_CIRCUIT_BREAKER, defaults.circuitBreaker().orElseThrow());
        assertEquals(Duration.ofSeconds(60), defaults.maxRetryAfter());
        assertEquals("GatePolicies[3 attempts, time limit PT10S, circuit breaker per gate, max Retry-After PT1M]",
                defaults.toString());
        assertEquals("GatePolicies[1 attempt, time limit PT10S, no circuit breaker, max Retry-After PT1M]",
                GatePolicies.none().toString());
        GatePolicies changed = defaults.toBuilder().timeLimit(Duration.ofSeconds(2)).build();
        assertEquals(Duration.ofSeconds(2), changed.timeLimit().getTimeoutDuration());
        assertEquals(Duration.ofSeconds(10), defaults.timeLimit().getTimeoutDuration(), "the defaults did not change");
    }

    @Test
    void itsBuilderRejectsBadValuesNamingThem() {
        assertEquals("time limit must be a positive duration, but was PT0S",
                assertThrows(ConfigurationException.class, () -> GatePolicies.builder().timeLimit(Duration.ZERO)).getMessage());
        assertEquals("max Retry-After must be zero or a positive duration, but was PT-1S",
                assertThrows(ConfigurationException.class, () -> GatePolicies.builder().maxRetryAfter(Duration.ofSeconds(-1)))
                        .getMessage());
        assertEquals("retry config must not be null",
                assertThrows(ConfigurationException.class, () -> GatePolicies.builder().retry(null)).getMessage());
        assertEquals("shared circuit breaker must not be null",
                assertThrows(ConfigurationException.class, () -> GatePolicies.builder().sharedCircuitBreaker(null)).getMessage());
    }
}
