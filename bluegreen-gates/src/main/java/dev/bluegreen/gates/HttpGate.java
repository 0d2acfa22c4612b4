package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.internal.Args;
import dev.bluegreen.gates.internal.DefaultHttpGate;
import dev.bluegreen.gates.internal.HttpGateSettings;
import tools.jackson.core.JsonPointer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Calls the candidate over HTTP and passes when it answers an expected status (by default any
 * 2xx) and, optionally, when fields of its JSON answer satisfy conditions: a smoke test as a gate.
 *
 * <pre>{@code
 * HealthGate health = HttpGate.builder("health")
 *         .url(context -> "http://myapp-" + context.candidate().color().name() + ".shop.svc:8080/health")
 *         .jsonField("/status", JsonCondition.equalTo("UP"))
 *         .timeout(Duration.ofSeconds(2))
 *         .build();
 * }</pre>
 *
 * <p>Verdicts: {@link GateStatus#PASSED} when the answer's status is expected and every JSON
 * condition holds; {@link GateStatus#FAILED} when the status is not expected, a JSON condition does
 * not hold, the body is not JSON where fields are checked, the target does not answer at all
 * (refused connection, time limit; after the policies' retries), its circuit breaker is open (it
 * kept failing), or it redirects elsewhere; {@link GateStatus#INCONCLUSIVE} only when a body
 * checked for JSON fields is larger than {@link Builder#maxBodyBytes(int)}. The result's reason
 * names the method, URL, status and latency, and on failure a trimmed body; its measurements are
 * {@code status}, {@code latency_ms} (the last attempt), {@code attempts} and, when followed,
 * {@code redirects}.
 *
 * <p>Redirects: a redirect to another host (another scheme, host or port) is never followed; it
 * fails the gate naming where it pointed. A redirect on the same host is followed only when
 * {@link Builder#followSameHostRedirects(boolean)} is on (at most {@link #DEFAULT_MAX_REDIRECTS});
 * a 303, and a 301 or 302 answering a POST, are followed with a GET, as browsers do. A redirect
 * status listed in {@link Builder#expectStatus(int...)} is a plain answer and is not followed.
 *
 * <p>Calls go through the gate's {@link GatePolicies} (retries, time limit, circuit breaker).
 */
public interface HttpGate extends HealthGate {
    /** Most redirects followed on the same host when following is on: 5. */
    int DEFAULT_MAX_REDIRECTS = 5;
    /** Most bytes of a body read: 1 MiB. */
    int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    /**
     * @param name the gate's name in results and events; never blank
     * @return a builder
     */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * @return the HTTP method, e.g. {@code GET}
     */
    String method();

    /**
     * @return the policies its calls go through
     */
    GatePolicies policies();

    /** Builds an {@link HttpGate}. Each setter validates its value. Not thread-safe; building copies the settings. */
    final class Builder {
        private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

        private final String name;
        private String method = "GET";
        private Function<GateContext, String> url;
        private String urlDescription;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private String body;
        private TreeSet<Integer> expected;
        private final List<HttpGateSettings.JsonCheck> json = new ArrayList<>();
        private Duration timeout;
        private boolean followSameHost;
        private int maxRedirects = DEFAULT_MAX_REDIRECTS;
        private int maxBody = DEFAULT_MAX_BODY_BYTES;
        private GatePolicies policies = GatePolicies.defaults();
        private HttpClient client;

        private Builder(String name) {
            this.name = Args.nonBlank("gate name", name);
        }

        /**
         * @param method the HTTP method, e.g. GET, POST, HEAD; case-insensitive; default GET
         * @return this builder
         */
        public Builder method(String method) {
            if (method == null || !TOKEN.matcher(method).matches()) {
                throw new ConfigurationException("method of gate '" + name + "' must be an HTTP method such as GET or "
                        + "POST, but was " + Args.quote(method));
            }
            this.method = method.toUpperCase(Locale.ROOT);
            return this;
        }

        /**
         * @param url an absolute http or https URL, the same for every evaluation
         * @return this builder
         */
        public Builder url(String url) {
            URI uri = Args.httpUrl("url of gate '" + name + "'", url);
            this.url = context -> uri.toString();
            this.urlDescription = uri.toString();
            return this;
        }

        /**
         * @param url the URL for a context, e.g. derived from its candidate's color; must give an
         *            absolute http or https URL (otherwise the evaluation is an error, inconclusive);
         *            never null
         * @return this builder
         */
        public Builder url(Function<GateContext, String> url) {
            this.url = Args.nonNull("url function of gate '" + name + "'", url);
            this.urlDescription = "(from the context)";
            return this;
        }

        /**
         * @param header a header name; not one the HTTP client sets itself (Host, Content-Length, ...)
         * @param value  its value; never null; never shown in results or logs
         * @return this builder (a header may be given several times)
         */
        public Builder header(String header, String value) {
            Args.nonBlank("header name of gate '" + name + "'", header);
            Args.nonNull("value of header '" + header + "'", value);
            try {
                HttpRequest.newBuilder(URI.create("http://localhost/")).header(header, value);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("header " + Args.quote(header) + " of gate '" + name + "' cannot be set: "
                        + e.getMessage());
            }
            headers.computeIfAbsent(header, ignored -> new ArrayList<>()).add(value);
            return this;
        }

        /**
         * @param body        the request body, sent as UTF-8; never null
         * @param contentType its content type, e.g. {@code application/json}; never blank
         * @return this builder
         */
        public Builder body(String body, String contentType) {
            this.body = Args.nonNull("body of gate '" + name + "'", body);
            Args.nonBlank("content type of gate '" + name + "'", contentType);
            headers.put("Content-Type", new ArrayList<>(List.of(contentType)));
            return this;
        }

        /**
         * @param statuses the statuses that pass, each from 100 to 599; at least one; replaces the
         *                 default (any 2xx)
         * @return this builder
         */
        public Builder expectStatus(int... statuses) {
            if (statuses == null || statuses.length == 0) {
                throw new ConfigurationException("expected statuses of gate '" + name + "' must name at least one status");
            }
            TreeSet<Integer> set = new TreeSet<>();
            for (int status : statuses) {
                if (status < 100 || status > 599) {
                    throw new ConfigurationException("expected status of gate '" + name + "' must be from 100 to 599, "
                            + "but was " + status);
                }
                set.add(status);
            }
            this.expected = set;
            return this;
        }

        /**
         * Adds a condition on a field of the JSON answer; every condition must hold.
         *
         * @param pointer   a JSON Pointer (RFC 6901), e.g. {@code /status}; "" is the whole document
         * @param condition what the field must satisfy; never null
         * @return this builder
         */
        public Builder jsonField(String pointer, JsonCondition condition) {
            Args.nonNull("JSON pointer of gate '" + name + "'", pointer);
            Args.nonNull("JSON condition of gate '" + name + "'", condition);
            try {
                JsonPointer.compile(pointer);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("JSON pointer of gate '" + name + "' must be empty or start with '/', "
                        + "but was " + Args.quote(pointer));
            }
            json.add(new HttpGateSettings.JsonCheck(pointer, condition));
            return this;
        }

        /**
         * @param timeout time limit of one attempt, the body included; positive; default the
         *                policies' time limit
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Args.positive("timeout of gate '" + name + "'", timeout);
            return this;
        }

        /**
         * @param follow whether to follow redirects to the same scheme, host and port (at most
         *               {@link #DEFAULT_MAX_REDIRECTS}); default false: a redirect fails the gate
         *               unless its status is expected. Redirects to another host are never followed.
         * @return this builder
         */
        public Builder followSameHostRedirects(boolean follow) {
            this.followSameHost = follow;
            return this;
        }

        /**
         * @param bytes most bytes of a body read; at least 1; default {@link #DEFAULT_MAX_BODY_BYTES}
         * @return this builder
         */
        public Builder maxBodyBytes(int bytes) {
            this.maxBody = Args.atLeast("max body bytes of gate '" + name + "'", 1, bytes);
            return this;
        }

        /**
         * @param policies retries, time limit and circuit breaker; never null; default
         *                 {@link GatePolicies#defaults()}
         * @return this builder
         */
        public Builder policies(GatePolicies policies) {
            this.policies = Args.nonNull("policies of gate '" + name + "'", policies);
            return this;
        }

        /**
         * @param client the HTTP client, e.g. with TLS settings of your own; must be built with
         *               {@code followRedirects(HttpClient.Redirect.NEVER)}; default a shared client
         * @return this builder
         */
        public Builder client(HttpClient client) {
            this.client = Args.nonNull("HTTP client of gate '" + name + "'", client);
            return this;
        }

        /**
         * @return the gate
         * @throws ConfigurationException when no URL was set, or the client follows redirects
         */
        public HttpGate build() {
            Args.required("url of gate '" + name + "'", url);
            Map<String, List<String>> copy = new LinkedHashMap<>();
            headers.forEach((header, values) -> copy.put(header, List.copyOf(values)));
            return new DefaultHttpGate(new HttpGateSettings(name, method, url, urlDescription, Map.copyOf(copy), body,
                    expected == null ? null : List.copyOf(expected), List.copyOf(json), timeout, followSameHost,
                    maxRedirects, maxBody, policies, client));
        }
    }
}
