package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClientRequestTest {

    @Test
    void recognizesWatchRequestsByTheirQuery() {
        assertTrue(get("/api/v1/pods?allowWatchBookmarks=true&watch=true").isWatch());
        assertTrue(get("/api/v1/pods?watch=1").isWatch());
        assertFalse(get("/api/v1/pods?labelSelector=watch%3Dtrue").isWatch());
        assertFalse(get("/api/v1/pods").isWatch());
    }

    @Test
    void splitsThePathFromItsQuery() {
        ClientRequest request = get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb");

        assertEquals("/api/v1/namespaces/default/pods", request.pathWithoutQuery());
        assertEquals("labelSelector=app%3Dweb", request.query());
        assertEquals("", get("/api/v1/pods").query());
    }

    @Test
    void absentBodyAndUserAgentBecomeEmptyStrings() {
        ClientRequest request = get("/api/v1/pods");

        assertEquals("", request.body());
        assertEquals("", request.userAgent());
        assertEquals("GET /api/v1/pods (user)", request.toString());
    }

    private static ClientRequest get(String path) {
        return new ClientRequest("GET", path, null, null, false, Instant.EPOCH);
    }
}
