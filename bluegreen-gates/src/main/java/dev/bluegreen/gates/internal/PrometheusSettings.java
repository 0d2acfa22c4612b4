package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.gates.GatePolicies;
import dev.bluegreen.gates.PrometheusGate;
import dev.bluegreen.gates.Threshold;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@code PrometheusGate.Builder} collected. Internal: not part of the API.
 *
 * @param name      the gate's name
 * @param kind      the ready-made query, or null for a query of its own
 * @param server    Prometheus' base URL
 * @param query     the query of its own, or null
 * @param selector  the selector of a ready-made query
 * @param window    the window of a ready-made query
 * @param condition what the value must satisfy
 * @param series    how several series are judged
 * @param headers   headers to send (credentials among them); never shown
 * @param auth      "none", "basic" or "bearer", for {@code toString}
 * @param timeout   time limit of one attempt, or null for the policies'
 * @param policies  the call policies
 * @param client    the HTTP client, or null for the shared one
 */
public record PrometheusSettings(String name, Kind kind, URI server, Function<GateContext, String> query,
                                 Function<GateContext, String> selector, Duration window, Threshold condition,
                                 PrometheusGate.Series series, Map<String, String> headers, String auth,
                                 Duration timeout, GatePolicies policies, HttpClient client) {

    /** The ready-made queries. */
    public enum Kind {
        /** {@code PrometheusQueries.errorRatio}. */
        ERROR_RATIO("error ratio"),
        /** {@code PrometheusQueries.p95Latency}. */
        P95_LATENCY("p95 latency"),
        /** {@code PrometheusQueries.requestRate}. */
        REQUEST_RATE("request rate");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        /** @return e.g. "error ratio" */
        public String text() {
            return text;
        }
    }

    /**
     * Hides the headers, which may hold credentials.
     *
     * @return the settings without header values
     */
    @Override
    public String toString() {
        return "PrometheusSettings[" + name + ", " + server + ", auth=" + auth + ", headers=" + headers.keySet() + "]";
    }
}
