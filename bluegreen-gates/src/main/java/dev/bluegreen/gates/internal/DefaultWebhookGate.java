package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStage;
import dev.bluegreen.gates.GatePolicies;
import dev.bluegreen.gates.WebhookGate;
import dev.bluegreen.spi.Candidate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The {@link WebhookGate} implementation. */
public final class DefaultWebhookGate implements WebhookGate {
    /** Most bytes of an answer read. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final String name;
    private final Function<GateContext, String> url;
    private final String urlDescription;
    private final Map<String, String> headers;
    private final Map<String, String> metadata;
    private final GatePolicies policies;
    private final HttpCalls calls;

    /**
     * @param name           the gate's name
     * @param url            the receiver for a context
     * @param urlDescription the receiver as shown in {@code toString}
     * @param headers        headers to send; never shown
     * @param metadata       the payload's metadata
     * @param timeout        time limit of one attempt, or null for the policies'
     * @param policies       the call policies
     * @param client         the HTTP client, or null for the shared one
     */
    public DefaultWebhookGate(String name, Function<GateContext, String> url, String urlDescription,
                              Map<String, String> headers, Map<String, String> metadata, Duration timeout,
                              GatePolicies policies, HttpClient client) {
        this.name = name;
        this.url = url;
        this.urlDescription = urlDescription;
        this.headers = headers;
        this.metadata = metadata;
        this.policies = policies;
        this.calls = new HttpCalls(name, client, policies, timeout);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GatePolicies policies() {
        return policies;
    }

    @Override
    public String payload(GateContext context) {
        JsonMapper json = JsonMapper.shared();
        ObjectNode payload = json.createObjectNode();
        Candidate candidate = context.candidate();
        payload.put("name", context.app());
        payload.put("app", context.app());
        payload.put("namespace", context.namespace());
        payload.put("releaseId", context.releaseId());
        payload.put("phase", context.stage() == GateStage.PRE_SWITCH ? "pre-switch" : "post-switch");
        payload.put("stage", context.stage().name());
        payload.put("version", candidate.version());
        ObjectNode described = payload.putObject("candidate");
        described.put("color", candidate.color().name());
        described.put("version", candidate.version());
        described.put("identity", candidate.identity());
        described.put("object", candidate.object());
        described.put("reachAt", candidate.reachAt());
        if (context.previous().isPresent()) {
            payload.putObject("previous").put("color", context.previous().get().name());
        } else {
            payload.putNull("previous");
        }
        ObjectNode meta = payload.putObject("metadata");
        metadata.forEach(meta::put);
        return json.writeValueAsString(payload);
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        String asked = Objects.requireNonNull(url.apply(context), "url function of gate '" + name + "' returned null");
        URI uri = Args.httpUrl("url of gate '" + name + "'", asked);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(calls.timeLimit())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload(context), StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpCalls.Outcome outcome = calls.call(context, request.build(), MAX_ANSWER_BYTES);
        String what = "webhook POST " + Text.redact(uri);
        if (outcome instanceof HttpCalls.ShortCircuited) {
            return GateResult.inconclusive(what + ": " + ((HttpCalls.ShortCircuited) outcome).describe())
                    .withMeasurement("attempts", outcome.attempts()).withMeasurement("short_circuited", 1);
        }
        if (outcome instanceof HttpCalls.NoAnswer) {
            return GateResult.inconclusive(what + " did not answer" + (outcome.attempts() > 1 ? " in "
                    + outcome.attempts() + " attempts" : "") + ": " + ((HttpCalls.NoAnswer) outcome).problem())
                    .withMeasurement("attempts", outcome.attempts());
        }
        HttpCalls.Exchange answer = ((HttpCalls.Answered) outcome).exchange();
        String answered = what + " answered " + answer.status() + " in " + Text.human(answer.latency())
                + (outcome.note().isEmpty() ? "" : " (" + outcome.note() + ")") + ": " + answer.excerpt();
        GateResult result = answer.status() >= 200 && answer.status() <= 299 ? GateResult.passed(answered)
                : GateResult.failed(answered);
        return result.withMeasurement("status", answer.status()).withMeasurement("latency_ms", answer.latency().toMillis())
                .withMeasurement("attempts", outcome.attempts());
    }

    @Override
    public String toString() {
        return "WebhookGate[" + name + ": POST " + urlDescription + (headers.isEmpty() ? "" : ", headers "
                + headers.keySet()) + ", metadata " + metadata + ", time limit " + calls.timeLimit() + ", " + policies + "]";
    }
}
