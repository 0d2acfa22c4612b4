package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStage;
import dev.bluegreen.GateStatus;
import dev.bluegreen.gates.TestServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookGateTest {
    private final Contexts contexts = new Contexts();
    private TestServer receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = TestServer.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private WebhookGate.Builder gate() {
        return WebhookGate.builder("load-test-hook").url(receiver.url("/hooks/release")).policies(GatePolicies.none());
    }

    @Test
    void postsAJsonDescriptionOfTheReleaseAndPassesOnA2xxKeepingTheAnswer() throws Exception {
        receiver.on("/hooks/release", request -> Response.json(200, "{\"verdict\":\"go\",\"checked\":42}"));

        GateResult result = gate().metadata("team", "payments").header("X-Hook-Secret", "hunter2").build()
                .evaluate(contexts.context(GateStage.POST_SWITCH));

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertTrue(result.reason().matches("webhook POST " + receiver.url("/hooks/release").replace(".", "\\.")
                + " answered 200 in \\d+ ms: \\{\"verdict\":\"go\",\"checked\":42}"), result.reason());
        assertEquals(200, result.measurements().get("status"));
        TestServer.Request request = receiver.requests("/hooks/release").get(0);
        assertEquals("POST", request.method());
        assertEquals("application/json", request.header("Content-Type"));
        assertEquals("hunter2", request.header("X-Hook-Secret"));
        JsonNode payload = JsonMapper.shared().readTree(request.body());
        assertEquals(JsonMapper.shared().readTree("{\"name\":\"myapp\",\"app\":\"myapp\",\"namespace\":\"shop\","
                + "\"releaseId\":\"r-42\",\"phase\":\"post-switch\",\"stage\":\"POST_SWITCH\",\"version\":\"myapp:v2\","
                + "\"candidate\":{\"color\":\"green\",\"version\":\"myapp:v2\",\"identity\":\"generation 7\","
                + "\"object\":\"Deployment shop/myapp-green\",\"reachAt\":\"pods labelled {app=myapp, color=green} in "
                + "namespace shop\"},\"previous\":{\"color\":\"blue\"},\"metadata\":{\"team\":\"payments\"}}"), payload);
    }

    @Test
    void failsOnAnyOtherAnswerKeepingItsBody() throws Exception {
        receiver.on("/hooks/release", request -> Response.of(412, "load test p99 is 2.3 s, budget 1 s"));

        GateResult result = gate().build().evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().endsWith(": load test p99 is 2.3 s, budget 1 s"), result.reason());
        assertTrue(result.reason().contains(" answered 412 in "), result.reason());
        assertEquals("pre-switch", JsonMapper.shared().readTree(receiver.requests("/hooks/release").get(0).body())
                .path("phase").asString());
    }

    @Test
    void isInconclusiveWhenTheReceiverCannotBeReached() throws Exception {
        int closed = receiver.port();
        receiver.close();

        GateResult result = WebhookGate.builder("hook").url("http://127.0.0.1:" + closed + "/hook")
                .policies(GatePolicies.none()).build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertTrue(result.reason().startsWith("webhook POST http://127.0.0.1:" + closed + "/hook did not answer: "),
                result.reason());
    }

    @Test
    void describesItselfWithoutHeaderValuesAndRejectsBadValues() {
        WebhookGate gate = gate().header("X-Hook-Secret", "hunter2").build();
        assertFalse(gate.toString().contains("hunter2"), gate::toString);
        assertTrue(gate.toString().contains("headers [X-Hook-Secret]"), gate::toString);
        assertEquals("url of gate 'hook' is required but was not set",
                assertThrows(ConfigurationException.class, () -> WebhookGate.builder("hook").build()).getMessage());
        assertEquals("metadata key of gate 'hook' must not be blank, but was ''",
                assertThrows(ConfigurationException.class, () -> WebhookGate.builder("hook").metadata("", "x")).getMessage());
    }
}
