package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The fault values, matchers and rule bookkeeping, without a cluster. */
class FaultTest {

    @Test
    void faultsRejectInvalidValuesNamingThem() {
        assertEquals("code must be an HTTP error status (400 to 599), but was 200",
                assertThrows(IllegalArgumentException.class, () -> Fault.status(200)).getMessage());
        assertEquals("code must be an HTTP error status (400 to 599), but was 600",
                assertThrows(IllegalArgumentException.class, () -> Fault.status(600)).getMessage());
        assertEquals("retryAfter must be zero or positive, but was PT-1S",
                assertThrows(IllegalArgumentException.class, () -> Fault.tooManyRequests(Duration.ofSeconds(-1))).getMessage());
        assertEquals("retryAfter must be zero or positive, but was null",
                assertThrows(IllegalArgumentException.class, () -> Fault.tooManyRequests(null)).getMessage());
        assertEquals("delay must be positive, but was PT0S",
                assertThrows(IllegalArgumentException.class, () -> Fault.delay(Duration.ZERO)).getMessage());
    }

    @Test
    void faultsAreValuesThatDescribeThemselves() {
        assertEquals(Fault.status(409), Fault.conflict());
        assertEquals(Fault.connectionReset(), Fault.connectionReset());
        assertEquals("status 500", Fault.status(500).toString());
        assertEquals("status 429, Retry-After 2 s", Fault.tooManyRequests(Duration.ofMillis(1001)).toString());
        assertEquals("connection reset", Fault.connectionReset().toString());
        assertEquals("apply then lose the response", Fault.applyThenLoseResponse().toString());
        assertEquals("delay PT0.25S", Fault.delay(Duration.ofMillis(250)).toString());
        assertEquals(3, ((Fault.HttpStatus) Fault.tooManyRequests(Duration.ofSeconds(3))).retryAfterSeconds());
        assertEquals(0, ((Fault.HttpStatus) Fault.status(503)).retryAfterSeconds());
    }

    @Test
    void matchersMatchWhatTheyNameAndSayWhatThatIs() {
        ClientRequest patch = request("PATCH", "/api/v1/namespaces/default/services/web?fieldManager=me", false);
        ClientRequest watch = request("GET", "/api/v1/namespaces/default/pods?watch=true", false);

        Predicate<ClientRequest> patchOfWeb = RequestMatchers.method("patch").and(RequestMatchers.pathEndingWith("/services/web"));
        assertTrue(patchOfWeb.test(patch));
        assertFalse(patchOfWeb.test(watch));
        assertEquals("PATCH and path ending with /services/web", patchOfWeb.toString());
        assertTrue(RequestMatchers.path("/api/v1/namespaces/default/services/web").test(patch));
        assertTrue(RequestMatchers.watches().test(watch));
        assertFalse(RequestMatchers.watches().test(patch));
        assertTrue(RequestMatchers.writes().test(patch));
        assertFalse(RequestMatchers.writes().test(watch));
        assertTrue(RequestMatchers.anyRequest().test(watch));
        assertEquals("not (watch requests)", RequestMatchers.watches().negate().toString());
        assertEquals("path must start with '/' and have no query string, but was \"services/web\"",
                assertThrows(IllegalArgumentException.class, () -> RequestMatchers.path("services/web")).getMessage());
        assertEquals("method must not be blank, but was \" \"",
                assertThrows(IllegalArgumentException.class, () -> RequestMatchers.method(" ")).getMessage());
    }

    @Test
    void aRuleSkipsThenFiresAsOftenAsAskedOnUserRequestsOnly() {
        Faults faults = new Faults();
        FaultRule rule = faults.when(RequestMatchers.method("GET")).skip(1).times(2).inject(Fault.status(500));
        ClientRequest get = request("GET", "/api/v1/pods", false);

        assertEquals(null, faults.match(request("GET", "/api/v1/pods", true)), "the cluster's own request is ignored");
        assertEquals(null, faults.match(get), "skipped");
        assertEquals(Fault.status(500), faults.match(get));
        assertEquals(null, faults.match(request("DELETE", "/api/v1/pods/x", false)), "not matching");
        assertEquals(Fault.status(500), faults.match(get));
        assertEquals(null, faults.match(get), "used up");

        assertEquals(2, rule.timesFired());
        assertFalse(rule.isPending());
        assertEquals("status 500 on GET (user requests; skip 1; fired 2 of 2)", rule.toString());
        assertEquals(2, faults.injected().size());
    }

    @Test
    void aMatcherThatThrowsCountsAsNotMatching() {
        Faults faults = new Faults();
        FaultRule rule = faults.when(r -> {
            throw new IllegalStateException("broken matcher");
        }).always().inject(Fault.connectionReset());

        assertEquals(null, faults.match(request("GET", "/api/v1/pods", false)));
        assertTrue(rule.isPending());
    }

    @Test
    void ruleBuildersRejectInvalidCountsNamingThem() {
        Faults faults = new Faults();

        assertEquals("skip count must be zero or more, but was -1",
                assertThrows(IllegalArgumentException.class, () -> faults.when(RequestMatchers.anyRequest()).skip(-1)).getMessage());
        assertEquals("times must be at least 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> faults.when(RequestMatchers.anyRequest()).times(0)).getMessage());
        assertEquals("index must be zero or more, but was -2",
                assertThrows(IllegalArgumentException.class, () -> faults.atUserRequest(-2)).getMessage());
    }

    private static ClientRequest request(String method, String path, boolean fromController) {
        return new ClientRequest(method, path, "", "test", fromController, Instant.EPOCH);
    }
}
