package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.gates.GatePolicies;
import dev.bluegreen.gates.HttpGate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** The {@link HttpGate} implementation. */
public final class DefaultHttpGate implements HttpGate {
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final HttpGateSettings settings;
    private final HttpCalls calls;

    /**
     * @param settings what the builder collected
     */
    public DefaultHttpGate(HttpGateSettings settings) {
        this.settings = settings;
        this.calls = new HttpCalls(settings.name(), settings.client(), settings.policies(), settings.timeout());
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String method() {
        return settings.method();
    }

    @Override
    public GatePolicies policies() {
        return settings.policies();
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        String asked = settings.url().apply(context);
        URI uri = Args.httpUrl("url of gate '" + settings.name() + "' for " + context.candidate().color(),
                Objects.requireNonNull(asked, "url function of gate '" + settings.name() + "' returned null"));
        String method = settings.method();
        String body = settings.body();
        int attempts = 0;
        int redirects = 0;
        while (true) {
            String what = method + " " + Text.redact(uri);
            HttpCalls.Outcome outcome = calls.call(context, request(method, uri, body), settings.maxBody());
            attempts += outcome.attempts();
            if (outcome instanceof HttpCalls.ShortCircuited) {
                return GateResult.failed(what + ": " + ((HttpCalls.ShortCircuited) outcome).describe()
                        + "; the target kept failing").withMeasurement("attempts", attempts)
                        .withMeasurement("short_circuited", 1);
            }
            if (outcome instanceof HttpCalls.NoAnswer) {
                return GateResult.failed(what + " did not answer" + (outcome.attempts() > 1 ? " in "
                        + outcome.attempts() + " attempts" : "") + ": " + ((HttpCalls.NoAnswer) outcome).problem())
                        .withMeasurement("attempts", attempts);
            }
            HttpCalls.Exchange answer = ((HttpCalls.Answered) outcome).exchange();
            String note = outcome.note().isEmpty() ? "" : " (" + outcome.note() + ")";
            int status = answer.status();
            if (expected(status)) {
                return checkJson(what, answer, attempts, redirects);
            }
            String location = answer.headers().firstValue("Location").orElse(null);
            if (REDIRECTS.contains(status) && location != null) {
                URI target;
                try {
                    target = uri.resolve(location.strip());
                } catch (IllegalArgumentException e) {
                    return measured(GateResult.failed(what + " answered " + status + " with an invalid Location "
                            + Args.quote(location) + "; expected " + expectedText()), answer, attempts, redirects);
                }
                if (!sameOrigin(uri, target)) {
                    return measured(GateResult.failed(what + " answered " + status + " redirecting to "
                            + Text.redact(target) + ", another host; redirects to another host are never followed"),
                            answer, attempts, redirects);
                }
                if (!settings.followSameHost()) {
                    return measured(GateResult.failed(what + " answered " + status + " redirecting to "
                            + Text.redact(target) + "; expected " + expectedText() + " (same-host redirects are "
                            + "followed only with followSameHostRedirects(true))"), answer, attempts, redirects);
                }
                if (redirects >= settings.maxRedirects()) {
                    return measured(GateResult.failed(what + " answered " + status + " redirecting to "
                            + Text.redact(target) + " after " + redirects + " redirects, more than the limit of "
                            + settings.maxRedirects()), answer, attempts, redirects);
                }
                redirects++;
                if (status == 303 || ((status == 301 || status == 302) && method.equals("POST"))) {
                    method = "GET";
                    body = null;
                }
                uri = target;
                continue;
            }
            return measured(GateResult.failed(what + " answered " + status + " in " + Text.human(answer.latency())
                    + ", expected " + expectedText() + note + "; body: " + answer.excerpt()), answer, attempts, redirects);
        }
    }

    private GateResult checkJson(String what, HttpCalls.Exchange answer, int attempts, int redirects) {
        String answered = what + " answered " + answer.status() + " in " + Text.human(answer.latency());
        if (settings.json().isEmpty()) {
            return measured(GateResult.passed(answered), answer, attempts, redirects);
        }
        if (answer.truncated()) {
            return measured(GateResult.inconclusive(answered + ", but its body is larger than the " + settings.maxBody()
                    + " bytes read, so its JSON fields cannot be checked; raise maxBodyBytes"), answer, attempts, redirects);
        }
        JsonNode document;
        try {
            document = JsonMapper.shared().readTree(answer.body());
        } catch (JacksonException e) {
            return measured(GateResult.failed(answered + ", but its body is not JSON ("
                    + e.getOriginalMessage() + "); body: " + answer.excerpt()), answer, attempts, redirects);
        }
        StringBuilder seen = new StringBuilder();
        for (HttpGateSettings.JsonCheck check : settings.json()) {
            String field = check.pointer().isEmpty() ? "the document" : check.pointer();
            JsonNode node = document == null ? null : document.at(check.pointer());
            if (node == null || node.isMissingNode()) {
                return measured(GateResult.failed(answered + ", but " + field + " is missing; expected "
                        + check.condition() + "; body: " + answer.excerpt()), answer, attempts, redirects);
            }
            Object value = JsonMapper.shared().treeToValue(node, Object.class);
            String shown = shorten(node.toString());
            if (!check.condition().test(value)) {
                return measured(GateResult.failed(answered + ", but " + field + " is " + shown + ", expected "
                        + check.condition()), answer, attempts, redirects);
            }
            seen.append("; ").append(field).append(" is ").append(shown);
        }
        return measured(GateResult.passed(answered + seen), answer, attempts, redirects);
    }

    private static GateResult measured(GateResult result, HttpCalls.Exchange answer, int attempts, int redirects) {
        GateResult measured = result.withMeasurement("status", answer.status())
                .withMeasurement("latency_ms", answer.latency().toMillis())
                .withMeasurement("attempts", attempts);
        return redirects == 0 ? measured : measured.withMeasurement("redirects", redirects);
    }

    private HttpRequest request(String method, URI uri, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(calls.timeLimit())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        settings.headers().forEach((header, values) -> {
            if (body == null && header.equalsIgnoreCase("Content-Type")) {
                return;
            }
            values.forEach(value -> builder.header(header, value));
        });
        return builder.build();
    }

    private boolean expected(int status) {
        List<Integer> expected = settings.expected();
        return expected == null ? status >= 200 && status <= 299 : expected.contains(status);
    }

    private String expectedText() {
        List<Integer> expected = settings.expected();
        if (expected == null) {
            return "2xx";
        }
        return expected.size() == 1 ? expected.get(0).toString() : "one of " + expected;
    }

    /** Same scheme, host and port (default ports made explicit). */
    static boolean sameOrigin(URI a, URI b) {
        if (a.getScheme() == null || b.getScheme() == null || a.getHost() == null || b.getHost() == null) {
            return false;
        }
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String shorten(String json) {
        return json.length() <= 120 ? json : json.substring(0, 120) + "...";
    }

    @Override
    public String toString() {
        return "HttpGate[" + settings.name() + ": " + settings.method() + " " + settings.urlDescription() + " expecting "
                + expectedText() + (settings.json().isEmpty() ? "" : ", JSON " + settings.json().stream()
                .map(check -> check.pointer() + " " + check.condition()).reduce((x, y) -> x + ", " + y).orElse(""))
                + (settings.followSameHost() ? ", following same-host redirects" : "") + ", time limit "
                + calls.timeLimit() + ", " + settings.policies() + "]";
    }
}
