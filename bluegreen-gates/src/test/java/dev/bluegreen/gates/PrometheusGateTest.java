package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.TestServer.Response;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus gate against a fake Prometheus HTTP API: how each kind of answer is judged. */
class PrometheusGateTest {
    private static final String QUERY = "sum(rate(http_requests_total{status=~\"5..\"}[1m]))";

    private final Contexts contexts = new Contexts();
    private final AtomicReference<String> answer = new AtomicReference<>();
    private TestServer prometheus;

    @BeforeEach
    void startFakePrometheus() throws Exception {
        prometheus = TestServer.start();
        prometheus.on("/api/v1/query", request -> Response.json(200, answer.get()));
    }

    @AfterEach
    void stopFakePrometheus() {
        prometheus.close();
    }

    private PrometheusGate.Builder gate(Threshold condition) {
        return PrometheusGate.builder("errors").server(prometheus.url("")).query(QUERY).condition(condition)
                .policies(GatePolicies.none());
    }

    private GateResult evaluate(PrometheusGate.Builder gate, String json) throws Exception {
        answer.set(json);
        return gate.build().evaluate(contexts.context());
    }

    private static String vector(String... series) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + String.join(",", series) + "]}}";
    }

    private static String series(String labels, String value) {
        return "{\"metric\":{" + labels + "},\"value\":[1767225600.0,\"" + value + "\"]}";
    }

    private String sentQuery() {
        String body = prometheus.requests("/api/v1/query").get(0).body();
        return URLDecoder.decode(body.substring("query=".length()), StandardCharsets.UTF_8);
    }

    @Test
    void aSingleSeriesBelowTheThresholdPassesAndTheQueryIsSentAsAFormPost() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(0.05)), vector(series("", "0.01")));

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals("value 0.01 is below 0.05; query: " + QUERY, result.reason());
        assertEquals(0.01, result.measurements().get("value"));
        assertEquals(1, result.measurements().get("series"));
        assertEquals(1, result.measurements().get("attempts"));
        TestServer.Request request = prometheus.requests("/api/v1/query").get(0);
        assertEquals("POST", request.method());
        assertEquals("application/x-www-form-urlencoded", request.header("Content-Type"));
        assertEquals(QUERY, sentQuery());
    }

    @Test
    void aValueThatMissesTheThresholdFails() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(0.05)), vector(series("", "0.2")));

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("value 0.2 is not below 0.05; query: " + QUERY, result.reason());
        assertEquals(0.2, result.measurements().get("value"));
    }

    @Test
    void aScalarResultIsJudgedLikeOneSeries() throws Exception {
        GateResult result = evaluate(gate(Threshold.between(1, 3)),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1767225600.0,\"2\"]}}");

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals("value 2 is between 1 and 3; query: " + QUERY, result.reason());
    }

    @Test
    void noDataIsInconclusiveNeverAPass() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(0.05)), vector());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("the query returned no data (no series matched); no data is never a pass: check the selector and "
                + "that Prometheus scrapes the candidate; query: " + QUERY, result.reason());
        assertEquals(0, result.measurements().get("series"));
    }

    @Test
    void nanIsInconclusive() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(0.05)), vector(series("", "NaN")));

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("the query returned NaN: nothing to decide on (e.g. 0/0 when there was no traffic in the window); "
                + "query: " + QUERY, result.reason());
        assertFalse(result.measurements().containsKey("value"));
    }

    @Test
    void infinityIsComparedAsANumber() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(0.5)), vector(series("", "+Inf")));

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("value Infinity is not below 0.5; query: " + QUERY, result.reason());
    }

    @Test
    void severalSeriesAreInconclusiveWhenOneIsExpectedNamingThem() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(0.05)),
                vector(series("\"pod\":\"myapp-green-1\"", "0.01"), series("\"pod\":\"myapp-green-2\"", "0.3")));

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("the query returned 2 series where one was expected: {pod=\"myapp-green-1\"} 0.01, "
                + "{pod=\"myapp-green-2\"} 0.3; aggregate them in the query (sum, max, avg) or judge each with "
                + "Series.EVERY; query: " + QUERY, result.reason());
    }

    @Test
    void withEverySeriesOneFailingSeriesFailsTheGateNamingIt() throws Exception {
        PrometheusGate.Builder gate = gate(Threshold.below(0.05)).series(PrometheusGate.Series.EVERY);

        GateResult failed = evaluate(gate, vector(series("\"pod\":\"a\"", "0.01"), series("\"pod\":\"b\"", "0.3"),
                series("\"pod\":\"c\"", "NaN")));
        assertEquals(GateStatus.FAILED, failed.status());
        assertEquals("1 of 3 series is not below 0.05: {pod=\"b\"} 0.3; query: " + QUERY, failed.reason());
        assertEquals(1, failed.measurements().get("failing_series"));
        assertEquals(0.3, failed.measurements().get("max"));

        GateResult nan = evaluate(gate, vector(series("\"pod\":\"a\"", "0.01"), series("\"pod\":\"c\"", "NaN")));
        assertEquals(GateStatus.INCONCLUSIVE, nan.status());
        assertEquals("1 of 2 series is NaN, nothing to decide on: {pod=\"c\"} NaN; the others are below 0.05; query: "
                + QUERY, nan.reason());

        GateResult passed = evaluate(gate, vector(series("\"pod\":\"a\"", "0.01"), series("\"pod\":\"b\"", "0.02")));
        assertEquals(GateStatus.PASSED, passed.status());
        assertEquals("all 2 series are below 0.05 (from 0.01 to 0.02); query: " + QUERY, passed.reason());
    }

    @Test
    void anErrorFromPrometheusIsInconclusiveWithItsTypeAndMessageAndIsNotRetried() throws Exception {
        prometheus.on("/api/v1/query", request -> Response.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                + "\"error\":\"1:5: parse error: unexpected identifier\"}"));

        GateResult result = PrometheusGate.builder("errors").server(prometheus.url("")).query("sum(oops")
                .condition(Threshold.below(1)).build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("Prometheus at " + prometheus.url("") + " answered HTTP 400, error bad_data: 1:5: parse error: "
                + "unexpected identifier; query: sum(oops", result.reason());
        assertEquals(1, prometheus.requests("/api/v1/query").size(), "a bad query is not retried");
    }

    @Test
    void aPrometheusThatIsStillStartingIsRetriedAndThenDecides() throws Exception {
        prometheus.onSequence("/api/v1/query",
                Response.of(503, "Service Unavailable").with("Retry-After", "2"),
                Response.json(200, vector(series("", "0.01"))));

        GateResult result = PrometheusGate.builder("errors").server(prometheus.url("")).query(QUERY)
                .condition(Threshold.below(0.05)).build().evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(2, result.measurements().get("attempts"));
        assertEquals(Contexts.T0.plusSeconds(2), contexts.time.now());
        assertEquals(1, contexts.interim().size());
    }

    @Test
    void aRangeVectorResultIsInconclusive() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(1)),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertTrue(result.reason().startsWith("Prometheus at " + prometheus.url("") + " returned a result of type "
                + "'matrix'; a gate's instant query must return a vector or a scalar"), result.reason());
    }

    @Test
    void prometheusWarningsAreKeptInTheReason() throws Exception {
        GateResult result = evaluate(gate(Threshold.below(1)), "{\"status\":\"success\",\"data\":{\"resultType\":"
                + "\"vector\",\"result\":[" + series("", "0.5") + "]},\"warnings\":[\"partial response\"]}");

        assertEquals(GateStatus.PASSED, result.status());
        assertTrue(result.reason().endsWith("; Prometheus warned: partial response"), result.reason());
    }

    @Test
    void anAnswerThatIsNotPrometheusJsonIsInconclusive() throws Exception {
        prometheus.on("/api/v1/query", request -> Response.of(200, "<html>login</html>"));

        GateResult result = gate(Threshold.below(1)).build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("Prometheus at " + prometheus.url("") + " answered HTTP 200 with a body that is not its JSON API: "
                + "<html>login</html>; query: " + QUERY, result.reason());
    }

    @Test
    void credentialsAreSentButNeverShownInResultsOrDescriptions() throws Exception {
        prometheus.on("/api/v1/query", request -> Response.json(401, "{\"status\":\"error\",\"errorType\":"
                + "\"unauthorized\",\"error\":\"bad credentials\"}"));
        PrometheusGate basic = gate(Threshold.below(1)).basicAuth("grafana", "s3cret-password").build();
        PrometheusGate bearer = gate(Threshold.below(1)).bearerToken("tok-123456").header("X-Scope-OrgID", "tenant-9")
                .build();

        GateResult refused = basic.evaluate(contexts.context());
        GateResult refusedToo = bearer.evaluate(contexts.context());

        List<TestServer.Request> requests = prometheus.requests("/api/v1/query");
        assertEquals("Basic Z3JhZmFuYTpzM2NyZXQtcGFzc3dvcmQ=", requests.get(0).header("Authorization"));
        assertEquals("Bearer tok-123456", requests.get(1).header("Authorization"));
        assertEquals("tenant-9", requests.get(1).header("X-Scope-OrgID"));
        assertEquals(GateStatus.INCONCLUSIVE, refused.status());
        assertEquals("Prometheus at " + prometheus.url("") + " answered HTTP 401 (check the gate's credentials), error "
                + "unauthorized: bad credentials; query: " + QUERY, refused.reason());
        for (String shown : List.of(refused.toString(), refusedToo.toString(), basic.toString(), bearer.toString(),
                String.join(" ", contexts.interim()))) {
            assertFalse(shown.contains("s3cret") || shown.contains("Z3JhZmFuYTpzM2NyZXQ") || shown.contains("tok-123456")
                    || shown.contains("tenant-9"), shown);
        }
        assertTrue(basic.toString().contains("auth=basic"), basic::toString);
    }

    @Test
    void aFlappingPrometheusOpensTheCircuitBreakerAndTheGateIsInconclusiveWithoutCallingIt() throws Exception {
        prometheus.on("/api/v1/query", request -> Response.of(502, "bad gateway"));
        PrometheusGate gate = PrometheusGate.builder("errors").server(prometheus.url("")).query(QUERY)
                .condition(Threshold.below(1))
                .policies(GatePolicies.builder()
                        .retry(RetryConfig.custom().maxAttempts(2).intervalFunction(IntervalFunction.of(Duration.ofSeconds(1)))
                                .build())
                        .circuitBreaker(CircuitBreakerConfig.custom()
                                .slidingWindow(4, 4, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED).build())
                        .build())
                .build();

        assertEquals(GateStatus.INCONCLUSIVE, gate.evaluate(contexts.context()).status());
        GateResult second = gate.evaluate(contexts.context());
        GateResult third = gate.evaluate(contexts.context());

        assertTrue(second.reason().startsWith("Prometheus at " + prometheus.url("") + " answered HTTP 502 with a body "
                + "that is not its JSON API: bad gateway"), second.reason());
        assertEquals(GateStatus.INCONCLUSIVE, third.status());
        assertEquals("Prometheus at " + prometheus.url("") + ": circuit breaker 'errors' is OPEN (100% of recent calls "
                + "failed); no request sent; query: " + QUERY, third.reason());
        assertEquals(Map.of("attempts", 0, "short_circuited", 1), third.measurements());
        assertEquals(4, prometheus.requests("/api/v1/query").size());
    }

    @Test
    void theReadyMadeQueriesFollowTheGuideWithASelectorFromTheContext() throws Exception {
        PrometheusGate errors = PrometheusGate.errorRatio("error-ratio", 0.05).server(prometheus.url("/prom"))
                .selector(context -> "app=\"" + context.app() + "\",color=\"" + context.candidate().color().name() + "\"")
                .window(Duration.ofSeconds(30)).build();
        PrometheusGate latency = PrometheusGate.p95Latency("p95", Duration.ofMillis(250)).server(prometheus.url(""))
                .selector("app=\"myapp\"").build();
        PrometheusGate qps = PrometheusGate.minimumRequestRate("qps", 10).server(prometheus.url("")).build();

        assertEquals("(sum(rate(http_requests_total{status=~\"5..\",app=\"myapp\",color=\"green\"}[30s])) or vector(0))"
                + " / sum(rate(http_requests_total{app=\"myapp\",color=\"green\"}[30s]))", errors.query(contexts.context()));
        assertEquals(Threshold.below(0.05), errors.condition());
        assertEquals("histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{app=\"myapp\"}[60s])) by (le))",
                latency.query(contexts.context()));
        assertEquals("below 0.25", latency.condition().toString());
        assertEquals("sum(rate(http_requests_total[60s]))", qps.query(contexts.context()));
        assertEquals("at least 10", qps.condition().toString());

        prometheus.on("/prom/api/v1/query", request -> Response.json(200, vector(series("", "0"))));
        GateResult result = errors.evaluate(contexts.context());
        assertEquals(GateStatus.PASSED, result.status(), "a path prefix on the server is kept: " + result);
    }

    @Test
    void theCoresObservationWindowRepeatsTheQueryWithItsLimitsAndKeepsEveryMeasurementWithItsTime() throws Exception {
        prometheus.onSequence("/api/v1/query", Response.json(200, vector(series("", "0.01"))),
                Response.json(200, vector(series("", "0.2"))), Response.json(200, vector())
                , Response.json(200, vector(series("", "0.3"))));
        HealthGate window = HealthGate.observe(gate(Threshold.below(0.05)).build())
                .initialDelay(Duration.ofMinutes(1)).every(Duration.ofSeconds(30)).count(10)
                .failureLimit(1).inconclusiveLimit(1).build();

        GateResult result = window.evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("2 of 4 evaluations of 'errors' failed, more than the limit of 1; last: value 0.3 is not below "
                + "0.05; query: " + QUERY, result.reason());
        assertEquals(List.of("PASSED 0.01 at 2026-01-01T00:01:30Z", "FAILED 0.2 at 2026-01-01T00:02:00Z",
                "INCONCLUSIVE - at 2026-01-01T00:02:30Z", "FAILED 0.3 at 2026-01-01T00:03:00Z"),
                result.parts().stream().map(part -> part.result().status() + " "
                        + part.result().measurements().getOrDefault("value", null) + " at " + part.at())
                        .map(text -> text.replace(" null ", " - ")).collect(java.util.stream.Collectors.toList()));
        assertEquals(4, prometheus.requests("/api/v1/query").size());
    }

    @Test
    void itsBuilderRejectsBadValuesNamingThem() {
        assertEquals("max error ratio of gate 'errors' must be above 0 and at most 1 (0.01 is 1%), but was 5.0",
                assertThrows(ConfigurationException.class, () -> PrometheusGate.errorRatio("errors", 5)).getMessage());
        assertEquals("selector must be label matchers without braces, e.g. app=\"myapp\",color=\"green\", but was "
                + "'{app=\"x\"}'", assertThrows(ConfigurationException.class,
                () -> PrometheusGate.errorRatio("errors", 0.01).selector("{app=\"x\"}")).getMessage());
        assertEquals("condition of gate 'custom' is required but was not set", assertThrows(ConfigurationException.class,
                () -> PrometheusGate.builder("custom").server("http://p:9090").query("up").build()).getMessage());
        assertEquals("Prometheus URL of gate 'custom' is required but was not set", assertThrows(
                ConfigurationException.class, () -> PrometheusGate.builder("custom").build()).getMessage());
        assertTrue(assertThrows(ConfigurationException.class, () -> PrometheusGate.errorRatio("errors", 0.01).query("up"))
                .getMessage().startsWith("gate 'errors' is a ready-made error ratio query: set its selector and window"));
        assertEquals("minimum request rate of gate 'qps' must be zero or more requests per second, but was -1.0",
                assertThrows(ConfigurationException.class, () -> PrometheusGate.minimumRequestRate("qps", -1)).getMessage());
        assertEquals("bearer token of gate 'p' must not be blank",
                assertThrows(ConfigurationException.class, () -> PrometheusGate.builder("p").bearerToken(" ")).getMessage());
        assertEquals("threshold minimum 3 is above its maximum 1; expected min <= max",
                assertThrows(ConfigurationException.class, () -> Threshold.between(3, 1)).getMessage());
        assertEquals("threshold limit must be a finite number, but was NaN",
                assertThrows(ConfigurationException.class, () -> Threshold.below(Double.NaN)).getMessage());
    }
}
