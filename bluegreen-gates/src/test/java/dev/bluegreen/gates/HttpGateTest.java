package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.TestServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpGateTest {
    private final Contexts contexts = new Contexts();
    private TestServer server;
    private TestServer elsewhere;

    @BeforeEach
    void startServers() throws Exception {
        server = TestServer.start();
        elsewhere = TestServer.start();
    }

    @AfterEach
    void stopServers() {
        server.close();
        elsewhere.close();
    }

    private HttpGate.Builder gate(String path) {
        return HttpGate.builder("health").url(server.url(path)).policies(GatePolicies.none());
    }

    @Test
    void passesWhenTheCandidateAnswersA2xxAndShowsStatusLatencyAndAttempts() throws Exception {
        server.on("/health", request -> Response.of(204, ""));

        GateResult result = gate("/health").build().evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertTrue(result.reason().matches("GET " + server.url("/health") + " answered 204 in \\d+ ms"), result.reason());
        assertEquals(204, result.measurements().get("status"));
        assertEquals(1, result.measurements().get("attempts"));
        assertTrue(result.measurements().get("latency_ms").longValue() >= 0);
    }

    @Test
    void failsOnAnUnexpectedStatusShowingATrimmedBody() throws Exception {
        String longBody = "NullPointerException at OrderService.checkout ".repeat(20);
        server.on("/health", request -> Response.of(500, longBody));

        GateResult result = gate("/health").build().evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().contains(" answered 500 in "), result.reason());
        assertTrue(result.reason().contains(", expected 2xx; body: NullPointerException at OrderService.checkout "),
                result.reason());
        assertTrue(result.reason().endsWith("... (619 more characters)"), result.reason());
        assertEquals(500, result.measurements().get("status"));
    }

    @Test
    void passesOnlyTheStatusesListedWhenExpectedStatusesAreGiven() throws Exception {
        server.on("/login", request -> Response.of(401, "who are you"));

        assertEquals(GateStatus.PASSED, gate("/login").expectStatus(401, 403).build().evaluate(contexts.context()).status());
        GateResult result = gate("/login").expectStatus(200).build().evaluate(contexts.context());
        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().contains("answered 401 in ") && result.reason().contains(", expected 200; body: who are you"),
                result.reason());
    }

    @Test
    void sendsItsMethodHeadersAndBodyToAUrlDerivedFromTheCandidate() throws Exception {
        server.on("/green/orders", request -> Response.of(201, "created"));
        HttpGate gate = HttpGate.builder("order-smoke").method("post")
                .url(context -> server.url("/" + context.candidate().color().name() + "/orders"))
                .header("X-Smoke-Test", "true")
                .body("{\"item\":\"book\"}", "application/json")
                .policies(GatePolicies.none()).build();

        GateResult result = gate.evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        TestServer.Request request = server.requests("/green/orders").get(0);
        assertEquals("POST", request.method());
        assertEquals("true", request.header("X-Smoke-Test"));
        assertEquals("application/json", request.header("Content-Type"));
        assertEquals("{\"item\":\"book\"}", request.body());
        assertEquals("order-smoke", gate.name());
    }

    @Test
    void checksJsonFieldsFoundByPointerAgainstTheirConditions() throws Exception {
        server.on("/health", request -> Response.json(200,
                "{\"status\":\"UP\",\"checks\":[{\"name\":\"db\",\"latency\":0.7}],\"ready\":true}"));

        GateResult passed = gate("/health").jsonField("/status", JsonCondition.equalTo("UP"))
                .jsonField("/ready", JsonCondition.equalTo(true))
                .jsonField("/checks/0/latency", JsonCondition.number(Threshold.below(1)))
                .build().evaluate(contexts.context());
        assertEquals(GateStatus.PASSED, passed.status(), passed::toString);
        assertTrue(passed.reason().endsWith("; /status is \"UP\"; /ready is true; /checks/0/latency is 0.7"),
                passed.reason());

        GateResult slow = gate("/health").jsonField("/checks/0/latency", JsonCondition.number(Threshold.below(0.5)))
                .build().evaluate(contexts.context());
        assertEquals(GateStatus.FAILED, slow.status());
        assertTrue(slow.reason().endsWith(", but /checks/0/latency is 0.7, expected a number below 0.5"), slow.reason());

        GateResult missing = gate("/health").jsonField("/version", JsonCondition.present())
                .build().evaluate(contexts.context());
        assertEquals(GateStatus.FAILED, missing.status());
        assertTrue(missing.reason().contains(", but /version is missing; expected present; body: {\"status\":\"UP\""),
                missing.reason());

        GateResult custom = gate("/health").jsonField("/checks", JsonCondition.matching("an empty list",
                value -> value instanceof List && ((List<?>) value).isEmpty())).build().evaluate(contexts.context());
        assertEquals(GateStatus.FAILED, custom.status());
        assertTrue(custom.reason().endsWith(", but /checks is [{\"name\":\"db\",\"latency\":0.7}], expected an empty list"),
                custom.reason());
    }

    @Test
    void failsWhenABodyCheckedForJsonFieldsIsNotJson() throws Exception {
        server.on("/health", request -> Response.of(200, "<html>Service Unavailable</html>"));

        GateResult result = gate("/health").jsonField("/status", JsonCondition.equalTo("UP")).build()
                .evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().contains(", but its body is not JSON ("), result.reason());
        assertTrue(result.reason().endsWith("; body: <html>Service Unavailable</html>"), result.reason());
    }

    @Test
    void isInconclusiveWhenABodyCheckedForJsonIsLargerThanItReads() throws Exception {
        server.on("/health", request -> Response.json(200, "{\"status\":\"UP\",\"padding\":\"" + "x".repeat(5000) + "\"}"));

        GateResult result = gate("/health").jsonField("/status", JsonCondition.equalTo("UP")).maxBodyBytes(1024)
                .build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertTrue(result.reason().endsWith("but its body is larger than the 1024 bytes read, so its JSON fields cannot "
                + "be checked; raise maxBodyBytes"), result.reason());
    }

    @Test
    void neverFollowsARedirectToAnotherHostEvenWhenFollowingIsOn() throws Exception {
        server.on("/health", request -> Response.of(302, "").with("Location", elsewhere.url("/steal")));
        elsewhere.on("/steal", request -> Response.of(200, "you followed me"));

        GateResult result = gate("/health").followSameHostRedirects(true).build().evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("GET " + server.url("/health") + " answered 302 redirecting to " + elsewhere.url("/steal")
                + ", another host; redirects to another host are never followed", result.reason());
        assertEquals(List.of(), elsewhere.requests("/steal"), "the other host was never called");
        assertEquals(302, result.measurements().get("status"));
    }

    @Test
    void followsARedirectOnTheSameHostOnlyWhenAskedTo() throws Exception {
        server.on("/old", request -> Response.of(301, "").with("Location", "/new"));
        server.on("/new", request -> Response.of(200, "here"));

        GateResult refused = gate("/old").build().evaluate(contexts.context());
        assertEquals(GateStatus.FAILED, refused.status());
        assertEquals("GET " + server.url("/old") + " answered 301 redirecting to " + server.url("/new")
                + "; expected 2xx (same-host redirects are followed only with followSameHostRedirects(true))",
                refused.reason());

        GateResult followed = gate("/old").followSameHostRedirects(true).build().evaluate(contexts.context());
        assertEquals(GateStatus.PASSED, followed.status(), followed::toString);
        assertTrue(followed.reason().startsWith("GET " + server.url("/new") + " answered 200"), followed.reason());
        assertEquals(1, followed.measurements().get("redirects"));
        assertEquals(1, server.requests("/new").size());
    }

    @Test
    void failsWhenTheCandidateDoesNotAnswerWithinItsTimeout() throws Exception {
        server.on("/slow", request -> {
            server.released().await();
            return Response.of(200, "too late");
        });
        long start = System.nanoTime();

        GateResult result = gate("/slow").timeout(Duration.ofMillis(300)).build().evaluate(contexts.context());

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("GET " + server.url("/slow") + " did not answer: no answer within 300 ms", result.reason());
        assertEquals(Map.of("attempts", 1), result.measurements());
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "gave up after its timeout, took " + took);
    }

    @Test
    void failsWhenNothingListensAfterRetryingWithBackoffOnTheContextsClock() throws Exception {
        int closedPort = server.port();
        server.close();
        HttpGate gate = HttpGate.builder("health").url("http://127.0.0.1:" + closedPort + "/health")
                .policies(GatePolicies.builder().retry(io.github.resilience4j.retry.RetryConfig.custom().maxAttempts(3)
                        .intervalFunction(io.github.resilience4j.core.IntervalFunction.ofExponentialBackoff(
                                Duration.ofSeconds(1), 2.0)).build()).build())
                .build();

        GateResult result = gate.evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().startsWith("GET http://127.0.0.1:" + closedPort + "/health did not answer in 3 attempts: "
                + "ConnectException"), result.reason());
        assertEquals(3, result.measurements().get("attempts"));
        assertEquals(Contexts.T0.plusSeconds(3), contexts.time.now(), "backoff of 1 s then 2 s, on the manual clock");
        assertEquals(2, contexts.interim().size(), contexts.interim()::toString);
    }

    @Test
    void itsBuilderRejectsBadValuesNamingThem() {
        assertEquals("url of gate 'health' must be an absolute http or https URL with a host, but was 'ftp://x/y'",
                assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").url("ftp://x/y")).getMessage());
        assertEquals("url of gate 'health' must not carry credentials in the URL ('http://x/y'); use a header or the "
                + "gate's auth settings", assertThrows(ConfigurationException.class,
                () -> HttpGate.builder("health").url("http://admin:secret@x/y")).getMessage());
        assertEquals("expected status of gate 'health' must be from 100 to 599, but was 42",
                assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").expectStatus(200, 42))
                        .getMessage());
        assertEquals("JSON pointer of gate 'health' must be empty or start with '/', but was 'status'",
                assertThrows(ConfigurationException.class,
                        () -> HttpGate.builder("health").jsonField("status", JsonCondition.present())).getMessage());
        assertTrue(assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").header("Host", "evil"))
                .getMessage().startsWith("header 'Host' of gate 'health' cannot be set: "));
        assertEquals("method of gate 'health' must be an HTTP method such as GET or POST, but was 'GET /'",
                assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").method("GET /")).getMessage());
        assertEquals("url of gate 'health' is required but was not set",
                assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").build()).getMessage());
        assertEquals("timeout of gate 'health' must be a positive duration, but was PT0S",
                assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").timeout(Duration.ZERO))
                        .getMessage());
        assertEquals("gate name must not be blank, but was ' '",
                assertThrows(ConfigurationException.class, () -> HttpGate.builder(" ")).getMessage());
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        assertTrue(assertThrows(ConfigurationException.class, () -> HttpGate.builder("health").url("http://x/")
                .client(following).build()).getMessage().startsWith("HTTP client of gate 'health' follows redirects (NORMAL)"));
    }

    @Test
    void isAHealthGateThatDescribesItself() {
        HealthGate gate = gate("/health").jsonField("/status", JsonCondition.equalTo("UP")).build();
        assertEquals("HttpGate[health: GET " + server.url("/health") + " expecting 2xx, JSON /status equal to \"UP\", "
                + "time limit PT10S, GatePolicies[1 attempt, time limit PT10S, no circuit breaker, max Retry-After PT1M]]",
                gate.toString());
    }
}
