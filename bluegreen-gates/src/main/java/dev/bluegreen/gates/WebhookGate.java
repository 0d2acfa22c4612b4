package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.internal.Args;
import dev.bluegreen.gates.internal.DefaultWebhookGate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Asks another system whether the release may go on, as Flagger's webhooks do: POSTs a JSON
 * description of the release to a URL, and passes when the answer is 2xx. The body it posts:
 *
 * <pre>{@code
 * {
 *   "name": "myapp", "app": "myapp", "namespace": "shop", "releaseId": "r-42",
 *   "phase": "pre-switch", "stage": "PRE_SWITCH",
 *   "version": "myapp:v2",
 *   "candidate": {"color": "green", "version": "myapp:v2", "identity": "generation 7",
 *                 "object": "Deployment shop/myapp-green", "reachAt": "..."},
 *   "previous": {"color": "blue"},
 *   "metadata": {"team": "payments"}
 * }
 * }</pre>
 * {@code name} repeats {@code app} for receivers written for Flagger; {@code phase} is
 * {@code pre-switch} (before the switch, against the idle color) or {@code post-switch} (observing
 * the new live color); {@code previous} is null when the color live before the release is unknown.
 *
 * <p>Verdicts: {@link GateStatus#PASSED} on a 2xx answer, {@link GateStatus#FAILED} on any other
 * (the receiver said no, or broke: Flagger counts both as a failed check),
 * {@link GateStatus#INCONCLUSIVE} when the receiver could not be reached (after the policies'
 * retries) or its circuit breaker is open. The answer's body is kept, trimmed, in the reason; the
 * measurements are {@code status}, {@code latency_ms} and {@code attempts}. Header values are never
 * shown.
 */
public interface WebhookGate extends HealthGate {

    /**
     * @param name the gate's name; never blank
     * @return a builder
     */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * @param context a gate context
     * @return the JSON this gate posts for it
     */
    String payload(GateContext context);

    /**
     * @return the policies its calls go through
     */
    GatePolicies policies();

    /** Builds a {@link WebhookGate}. Each setter validates its value. Not thread-safe; building copies the settings. */
    final class Builder {
        private final String name;
        private Function<GateContext, String> url;
        private String urlDescription;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private Duration timeout;
        private GatePolicies policies = GatePolicies.defaults();
        private HttpClient client;

        private Builder(String name) {
            this.name = Args.nonBlank("gate name", name);
        }

        /**
         * @param url the receiver, an absolute http or https URL
         * @return this builder
         */
        public Builder url(String url) {
            URI uri = Args.httpUrl("url of gate '" + name + "'", url);
            this.url = context -> uri.toString();
            this.urlDescription = uri.toString();
            return this;
        }

        /**
         * @param url the receiver for a context; must give an absolute http or https URL; never null
         * @return this builder
         */
        public Builder url(Function<GateContext, String> url) {
            this.url = Args.nonNull("url function of gate '" + name + "'", url);
            this.urlDescription = "(from the context)";
            return this;
        }

        /**
         * @param header a header to send, e.g. a shared secret; its value is never shown
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
         * @param key   a key of the payload's {@code metadata} object; never blank
         * @param value its value; never null
         * @return this builder
         */
        public Builder metadata(String key, String value) {
            Args.nonBlank("metadata key of gate '" + name + "'", key);
            metadata.put(key, Args.nonNull("metadata value of '" + key + "'", value));
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
         * @param client the HTTP client; must not follow redirects; default a shared client
         * @return this builder
         */
        public Builder client(HttpClient client) {
            this.client = Args.nonNull("HTTP client of gate '" + name + "'", client);
            return this;
        }

        /**
         * @return the gate
         * @throws ConfigurationException when no URL was set
         */
        public WebhookGate build() {
            Args.required("url of gate '" + name + "'", url);
            return new DefaultWebhookGate(name, url, urlDescription, Map.copyOf(headers),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata)), timeout, policies, client);
        }
    }
}
