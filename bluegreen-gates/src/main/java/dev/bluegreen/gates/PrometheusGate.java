package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.internal.Args;
import dev.bluegreen.gates.internal.DefaultPrometheusGate;
import dev.bluegreen.gates.internal.PrometheusSettings;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides on a PromQL instant query through Prometheus' HTTP API ({@code POST /api/v1/query}):
 * the value it returns must satisfy a {@link Threshold}. Ready-made forms of the guide's three
 * metrics are {@link #errorRatio}, {@link #p95Latency} and {@link #minimumRequestRate}.
 *
 * <pre>{@code
 * HealthGate errors = PrometheusGate.errorRatio("error-ratio", 0.01)
 *         .server("http://prometheus.monitoring:9090")
 *         .selector(context -> "app=\"" + context.app() + "\",color=\"" + context.candidate().color().name() + "\"")
 *         .window(Duration.ofMinutes(1))
 *         .build();
 * }</pre>
 *
 * <p>How an answer is judged:
 * <ul>
 *   <li><b>No data</b> (an empty vector: no series matched) is {@link GateStatus#INCONCLUSIVE},
 *       never a pass.</li>
 *   <li><b>NaN</b> (e.g. 0/0 when there was no traffic in the window, or a quantile of empty
 *       buckets) is INCONCLUSIVE: there is nothing to decide on. {@code +Inf} and {@code -Inf}
 *       are compared as numbers (an infinite latency fails {@code below}).</li>
 *   <li><b>Several series</b>: with {@link Series#SINGLE} (the default) a query must return one
 *       series or a scalar, and several are INCONCLUSIVE, naming them (aggregate in the query with
 *       {@code sum}, {@code max} or {@code avg}); with {@link Series#EVERY} each series must
 *       satisfy the threshold: any that does not fails the gate, naming it; otherwise any NaN
 *       series makes it inconclusive.</li>
 *   <li><b>Errors</b>: an answer with {@code "status":"error"} (a bad query, a timeout inside
 *       Prometheus) is INCONCLUSIVE with its {@code errorType} and {@code error}; so are other
 *       non-200 answers (401 and 403 with a hint to check the credentials), a range vector
 *       ({@code matrix}) or string result, an answer that is not Prometheus' JSON, no answer at
 *       all, and an open circuit breaker. Prometheus' {@code warnings} are appended to the reason.</li>
 * </ul>
 * The result's measurements are {@code value} (one series or a scalar), {@code series},
 * {@code attempts} and {@code latency_ms}; with {@link Series#EVERY} also {@code failing_series},
 * {@code min} and {@code max}. Its reason names the query.
 *
 * <p>Credentials ({@link Builder#basicAuth}, {@link Builder#bearerToken}) are sent as an
 * {@code Authorization} header and never appear in results, messages, logs or {@code toString}.
 * Calls go through the gate's {@link GatePolicies}: a 503 from a Prometheus still starting is
 * retried, a 400 for a bad query is not.
 */
public interface PrometheusGate extends HealthGate {
    /** Default rate window of the ready-made queries: 1 minute. */
    Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    /** Most bytes of an answer read: 4 MiB. */
    int MAX_ANSWER_BYTES = 4 << 20;

    /** How a query that returns several series is judged. */
    enum Series {
        /** One series or a scalar is expected; several are inconclusive. */
        SINGLE,
        /** Every series must satisfy the threshold, e.g. one per pod. */
        EVERY
    }

    /**
     * @param name the gate's name; never blank
     * @return a builder for a query of your own: set {@link Builder#query(String)} and
     *         {@link Builder#condition(Threshold)}
     */
    static Builder builder(String name) {
        return new Builder(name, null, null);
    }

    /**
     * The share of 5xx answers must stay below {@code maxRatio}; see {@link PrometheusQueries#errorRatio}.
     *
     * @param name     the gate's name; never blank
     * @param maxRatio the highest ratio that passes (exclusive), from 0 to 1, e.g. 0.01 for 1%
     * @return a builder; set the server, and a selector and window if not the defaults
     */
    static Builder errorRatio(String name, double maxRatio) {
        if (!(maxRatio > 0 && maxRatio <= 1)) {
            throw new ConfigurationException("max error ratio of gate '" + name + "' must be above 0 and at most 1 "
                    + "(0.01 is 1%), but was " + maxRatio);
        }
        return new Builder(name, PrometheusSettings.Kind.ERROR_RATIO, Threshold.below(maxRatio));
    }

    /**
     * The 95th percentile of request durations must stay below {@code max}; see
     * {@link PrometheusQueries#p95Latency}.
     *
     * @param name the gate's name; never blank
     * @param max  the latency that fails; positive
     * @return a builder; set the server, and a selector and window if not the defaults
     */
    static Builder p95Latency(String name, Duration max) {
        Args.positive("max p95 latency of gate '" + name + "'", max);
        return new Builder(name, PrometheusSettings.Kind.P95_LATENCY, Threshold.below(max.toNanos() / 1e9));
    }

    /**
     * At least {@code requestsPerSecond} requests per second must reach the selected pods; see
     * {@link PrometheusQueries#requestRate}. A rate of 0 fails (traffic is not reaching them); no
     * series at all is inconclusive.
     *
     * @param name              the gate's name; never blank
     * @param requestsPerSecond the least rate that passes; zero or more
     * @return a builder; set the server, and a selector and window if not the defaults
     */
    static Builder minimumRequestRate(String name, double requestsPerSecond) {
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            throw new ConfigurationException("minimum request rate of gate '" + name + "' must be zero or more requests "
                    + "per second, but was " + requestsPerSecond);
        }
        return new Builder(name, PrometheusSettings.Kind.REQUEST_RATE, Threshold.atLeast(requestsPerSecond));
    }

    /**
     * @param context a gate context
     * @return the PromQL this gate sends for it
     */
    String query(GateContext context);

    /**
     * @return what the value must satisfy
     */
    Threshold condition();

    /**
     * @return the policies its calls go through
     */
    GatePolicies policies();

    /** Builds a {@link PrometheusGate}. Each setter validates its value. Not thread-safe; building copies the settings. */
    final class Builder {
        private final String name;
        private final PrometheusSettings.Kind kind;
        private URI server;
        private Function<GateContext, String> query;
        private Function<GateContext, String> selector = context -> "";
        private Duration window = DEFAULT_WINDOW;
        private Threshold condition;
        private Series series = Series.SINGLE;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String auth = "none";
        private Duration timeout;
        private GatePolicies policies = GatePolicies.defaults();
        private HttpClient client;

        private Builder(String name, PrometheusSettings.Kind kind, Threshold condition) {
            this.name = Args.nonBlank("gate name", name);
            this.kind = kind;
            this.condition = condition;
        }

        /**
         * @param url Prometheus' base URL, e.g. {@code http://prometheus:9090} or one with a path
         *            prefix; {@code /api/v1/query} is appended
         * @return this builder
         */
        public Builder server(String url) {
            this.server = Args.httpUrl("Prometheus URL of gate '" + name + "'", url);
            return this;
        }

        /**
         * @param promql the instant query; for {@link PrometheusGate#builder(String)} only
         * @return this builder
         */
        public Builder query(String promql) {
            Args.nonBlank("query of gate '" + name + "'", promql);
            return query(context -> promql);
        }

        /**
         * @param promql the instant query for a context, e.g. with its candidate's color; for
         *               {@link PrometheusGate#builder(String)} only; never null
         * @return this builder
         */
        public Builder query(Function<GateContext, String> promql) {
            if (kind != null) {
                throw new ConfigurationException("gate '" + name + "' is a ready-made " + kind.text() + " query: set its "
                        + "selector and window instead of a query, or use PrometheusGate.builder for a query of your own");
            }
            this.query = Args.nonNull("query function of gate '" + name + "'", promql);
            return this;
        }

        /**
         * @param selector label matchers without braces, e.g. {@code app="myapp",color="green"};
         *                 "" (the default) selects all; for the ready-made queries only
         * @return this builder
         */
        public Builder selector(String selector) {
            String checked = PrometheusQueries.selector(selector);
            return selector(context -> checked);
        }

        /**
         * @param selector label matchers for a context, e.g. with its candidate's color; for the
         *                 ready-made queries only; never null
         * @return this builder
         */
        public Builder selector(Function<GateContext, String> selector) {
            readyMadeOnly("selector");
            this.selector = Args.nonNull("selector function of gate '" + name + "'", selector);
            return this;
        }

        /**
         * @param window the rate window of the ready-made queries; at least 1 ms; default
         *               {@link #DEFAULT_WINDOW}; at least two scrape intervals long
         * @return this builder
         */
        public Builder window(Duration window) {
            readyMadeOnly("window");
            PrometheusQueries.window(window);
            this.window = window;
            return this;
        }

        /**
         * @param condition what the value must satisfy; required for a query of your own; replaces
         *                  the ready-made one's
         * @return this builder
         */
        public Builder condition(Threshold condition) {
            this.condition = Args.nonNull("condition of gate '" + name + "'", condition);
            return this;
        }

        /**
         * @param series how several series are judged; default {@link Series#SINGLE}
         * @return this builder
         */
        public Builder series(Series series) {
            this.series = Args.nonNull("series policy of gate '" + name + "'", series);
            return this;
        }

        /**
         * @param user     the user; never blank
         * @param password the password; never null; never shown anywhere
         * @return this builder
         */
        public Builder basicAuth(String user, String password) {
            Args.nonBlank("basic auth user of gate '" + name + "'", user);
            Args.nonNull("basic auth password of gate '" + name + "'", password);
            String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            headers.put("Authorization", "Basic " + token);
            this.auth = "basic";
            return this;
        }

        /**
         * @param token the bearer token; never blank; never shown anywhere
         * @return this builder
         */
        public Builder bearerToken(String token) {
            if (token == null || token.isBlank()) {
                throw new ConfigurationException("bearer token of gate '" + name + "' must not be blank");
            }
            headers.put("Authorization", "Bearer " + token.strip());
            this.auth = "bearer";
            return this;
        }

        /**
         * @param header a header to send, e.g. a tenant id for a multi-tenant Prometheus; its
         *               value is never shown
         * @param value  its value; never null
         * @return this builder
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
            headers.put(header, value);
            return this;
        }

        /**
         * @param timeout time limit of one attempt; positive; default the policies' time limit
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Args.positive("timeout of gate '" + name + "'", timeout);
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
         * @param client the HTTP client, e.g. with TLS settings of your own; must not follow
         *               redirects; default a shared client
         * @return this builder
         */
        public Builder client(HttpClient client) {
            this.client = Args.nonNull("HTTP client of gate '" + name + "'", client);
            return this;
        }

        /**
         * @return the gate
         * @throws ConfigurationException when the server, or for a query of your own the query or
         *                                the condition, is missing
         */
        public PrometheusGate build() {
            Args.required("Prometheus URL of gate '" + name + "'", server);
            if (kind == null) {
                Args.required("query of gate '" + name + "'", query);
                Args.required("condition of gate '" + name + "'", condition);
            }
            return new DefaultPrometheusGate(new PrometheusSettings(name, kind, server, query, selector, window,
                    condition, series, Map.copyOf(headers), auth, timeout, policies, client));
        }

        private void readyMadeOnly(String what) {
            if (kind == null) {
                throw new ConfigurationException("a " + what + " applies to the ready-made queries (errorRatio, "
                        + "p95Latency, minimumRequestRate); gate '" + name + "' has a query of its own: put it there");
            }
        }
    }
}
