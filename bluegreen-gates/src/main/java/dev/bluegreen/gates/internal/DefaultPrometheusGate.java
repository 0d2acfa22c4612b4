package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.gates.GatePolicies;
import dev.bluegreen.gates.PrometheusGate;
import dev.bluegreen.gates.PrometheusQueries;
import dev.bluegreen.gates.Threshold;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The {@link PrometheusGate} implementation. */
public final class DefaultPrometheusGate implements PrometheusGate {
    private final PrometheusSettings settings;
    private final HttpCalls calls;
    private final URI endpoint;

    /** One series of an instant query's result: its labels and value. */
    private record Sample(Map<String, String> labels, double value) {
        String describe() {
            return labels.entrySet().stream().map(label -> label.getKey() + "=\"" + label.getValue() + "\"")
                    .collect(Collectors.joining(",", "{", "}")) + " " + Text.number(value);
        }
    }

    /**
     * @param settings what the builder collected
     */
    public DefaultPrometheusGate(PrometheusSettings settings) {
        this.settings = settings;
        this.calls = new HttpCalls(settings.name(), settings.client(), settings.policies(), settings.timeout());
        String base = settings.server().toString();
        this.endpoint = URI.create(base.endsWith("/") ? base : base + "/").resolve("api/v1/query");
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String query(GateContext context) {
        if (settings.kind() == null) {
            return Objects.requireNonNull(settings.query().apply(context), "query function of gate '" + settings.name()
                    + "' returned null");
        }
        String selector = Objects.requireNonNull(settings.selector().apply(context), "selector function of gate '"
                + settings.name() + "' returned null");
        switch (settings.kind()) {
            case ERROR_RATIO:
                return PrometheusQueries.errorRatio(selector, settings.window());
            case P95_LATENCY:
                return PrometheusQueries.p95Latency(selector, settings.window());
            default:
                return PrometheusQueries.requestRate(selector, settings.window());
        }
    }

    @Override
    public Threshold condition() {
        return settings.condition();
    }

    @Override
    public GatePolicies policies() {
        return settings.policies();
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        String query = query(context);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(calls.timeLimit())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
        settings.headers().forEach(request::header);
        HttpCalls.Outcome outcome = calls.call(context, request.build(), MAX_ANSWER_BYTES);
        String at = "Prometheus at " + Text.redact(settings.server());
        String ofQuery = "; query: " + query;
        if (outcome instanceof HttpCalls.ShortCircuited) {
            return GateResult.inconclusive(at + ": " + ((HttpCalls.ShortCircuited) outcome).describe() + ofQuery)
                    .withMeasurement("attempts", outcome.attempts()).withMeasurement("short_circuited", 1);
        }
        if (outcome instanceof HttpCalls.NoAnswer) {
            return GateResult.inconclusive(at + " did not answer" + (outcome.attempts() > 1 ? " in " + outcome.attempts()
                    + " attempts" : "") + ": " + ((HttpCalls.NoAnswer) outcome).problem() + ofQuery)
                    .withMeasurement("attempts", outcome.attempts());
        }
        HttpCalls.Exchange answer = ((HttpCalls.Answered) outcome).exchange();
        String note = outcome.note().isEmpty() ? "" : " (" + outcome.note() + ")";
        JsonNode body = null;
        try {
            body = answer.truncated() ? null : JsonMapper.shared().readTree(answer.body());
        } catch (JacksonException e) {
            // judged below as an answer that is not Prometheus' JSON
        }
        String hint = answer.status() == 401 || answer.status() == 403 ? " (check the gate's credentials)" : "";
        if (body != null && "error".equals(body.path("status").asString(""))) {
            return measured(GateResult.inconclusive(at + " answered HTTP " + answer.status() + hint + note + ", error "
                    + body.path("errorType").asString("unknown") + ": " + body.path("error").asString("(no message)")
                    + ofQuery), answer, outcome);
        }
        if (answer.status() != 200 || body == null || !"success".equals(body.path("status").asString(""))) {
            return measured(GateResult.inconclusive(at + " answered HTTP " + answer.status() + hint + note + " with "
                    + (body == null ? "a body that is not its JSON API" : "no success status") + ": " + answer.excerpt()
                    + ofQuery), answer, outcome);
        }
        String warnings = warnings(body);
        JsonNode data = body.path("data");
        String type = data.path("resultType").asString("");
        List<Sample> samples = new ArrayList<>();
        try {
            if (type.equals("scalar")) {
                samples.add(new Sample(Map.of(), value(data.path("result").path(1))));
            } else if (type.equals("vector")) {
                for (JsonNode series : data.path("result")) {
                    Map<String, String> labels = new TreeMap<>();
                    series.path("metric").properties().forEach(label -> labels.put(label.getKey(),
                            label.getValue().asString("")));
                    samples.add(new Sample(labels, value(series.path("value").path(1))));
                }
            } else {
                return measured(GateResult.inconclusive(at + " returned a result of type '" + type + "'; a gate's "
                        + "instant query must return a vector or a scalar (a range selector such as [5m] needs a "
                        + "function such as rate())" + ofQuery + warnings), answer, outcome);
            }
        } catch (NumberFormatException e) {
            return measured(GateResult.inconclusive(at + " returned a value that is not a number (" + e.getMessage()
                    + ")" + ofQuery + warnings), answer, outcome);
        }
        GateResult verdict = settings.series() == Series.EVERY ? every(samples, ofQuery + warnings)
                : single(samples, ofQuery + warnings);
        return measured(verdict.withMeasurement("series", samples.size()), answer, outcome);
    }

    private GateResult single(List<Sample> samples, String tail) {
        Threshold condition = settings.condition();
        if (samples.isEmpty()) {
            return noData(tail);
        }
        if (samples.size() > 1) {
            return GateResult.inconclusive("the query returned " + samples.size() + " series where one was expected: "
                    + list(samples) + "; aggregate them in the query (sum, max, avg) or judge each with Series.EVERY"
                    + tail);
        }
        double value = samples.get(0).value();
        if (Double.isNaN(value)) {
            return GateResult.inconclusive("the query returned NaN: nothing to decide on (e.g. 0/0 when there was no "
                    + "traffic in the window)" + tail);
        }
        GateResult result = condition.test(value)
                ? GateResult.passed("value " + Text.number(value) + " is " + condition + tail)
                : GateResult.failed("value " + Text.number(value) + " is not " + condition + tail);
        return result.withMeasurement("value", value);
    }

    private GateResult every(List<Sample> samples, String tail) {
        Threshold condition = settings.condition();
        if (samples.isEmpty()) {
            return noData(tail);
        }
        List<Sample> failing = new ArrayList<>();
        List<Sample> nan = new ArrayList<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Sample sample : samples) {
            if (Double.isNaN(sample.value())) {
                nan.add(sample);
                continue;
            }
            min = Math.min(min, sample.value());
            max = Math.max(max, sample.value());
            if (!condition.test(sample.value())) {
                failing.add(sample);
            }
        }
        GateResult result;
        if (!failing.isEmpty()) {
            result = GateResult.failed(failing.size() + " of " + samples.size() + " series " + (failing.size() == 1
                    ? "is" : "are") + " not " + condition + ": " + list(failing) + tail);
        } else if (!nan.isEmpty()) {
            result = GateResult.inconclusive(nan.size() + " of " + samples.size() + " series " + (nan.size() == 1 ? "is"
                    : "are") + " NaN, nothing to decide on: " + list(nan) + "; the others are " + condition + tail);
        } else {
            result = GateResult.passed("all " + samples.size() + " series are " + condition + " (from "
                    + Text.number(min) + " to " + Text.number(max) + ")" + tail);
        }
        result = result.withMeasurement("failing_series", failing.size());
        if (min <= max) {
            result = result.withMeasurement("min", min).withMeasurement("max", max);
        }
        return result;
    }

    private static GateResult noData(String tail) {
        return GateResult.inconclusive("the query returned no data (no series matched); no data is never a pass: check "
                + "the selector and that Prometheus scrapes the candidate" + tail);
    }

    private static GateResult measured(GateResult result, HttpCalls.Exchange answer, HttpCalls.Outcome outcome) {
        return result.withMeasurement("attempts", outcome.attempts())
                .withMeasurement("latency_ms", answer.latency().toMillis());
    }

    private static String list(List<Sample> samples) {
        int shown = Math.min(samples.size(), 5);
        String list = samples.subList(0, shown).stream().map(Sample::describe).collect(Collectors.joining(", "));
        return samples.size() > shown ? list + " and " + (samples.size() - shown) + " more" : list;
    }

    private static String warnings(JsonNode body) {
        JsonNode warnings = body.path("warnings");
        if (!warnings.isArray() || warnings.isEmpty()) {
            return "";
        }
        List<String> texts = new ArrayList<>();
        warnings.forEach(warning -> texts.add(warning.asString("")));
        return "; Prometheus warned: " + String.join("; ", texts);
    }

    /** Prometheus writes sample values as strings: "0.25", "NaN", "+Inf", "-Inf". */
    private static double value(JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        String text = node.asString("");
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (text.isEmpty()) {
                    throw new NumberFormatException("no value");
                }
                return Double.parseDouble(text);
        }
    }

    @Override
    public String toString() {
        return "PrometheusGate[" + settings.name() + ": " + (settings.kind() == null ? "query of its own"
                : settings.kind().text() + " over " + settings.window()) + " " + settings.condition() + " at "
                + Text.redact(settings.server()) + ", series " + settings.series() + ", auth=" + settings.auth()
                + ", time limit " + calls.timeLimit() + ", " + settings.policies() + "]";
    }
}
