package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.gates.internal.Args;

import java.time.Duration;

/**
 * The PromQL of the guide's three release metrics, over the conventional metric names
 * {@code http_requests_total} (a counter with a {@code status} label) and
 * {@code http_request_duration_seconds} (a histogram). A selector is a list of label matchers
 * without braces, e.g. {@code app="myapp",color="green"}; "" selects every series.
 */
public final class PrometheusQueries {
    private PrometheusQueries() {
    }

    /**
     * The share of requests answered 5xx:
     * {@code (sum(rate(http_requests_total{status=~"5..",<selector>}[w])) or vector(0)) / sum(rate(http_requests_total{<selector>}[w]))}.
     * The {@code or vector(0)} makes a service that never answered 5xx (whose 5xx series does not
     * exist) measure 0 instead of no data; without requests the ratio is 0/0 = NaN or no data,
     * which the gate reports as inconclusive.
     *
     * @param selector label matchers without braces; "" for all; never null
     * @param window   the rate window; at least 1 ms
     * @return the query
     */
    public static String errorRatio(String selector, Duration window) {
        String w = window(window);
        return "(sum(rate(http_requests_total" + matchers("status=~\"5..\"", selector) + "[" + w + "])) or vector(0))"
                + " / sum(rate(http_requests_total" + matchers("", selector) + "[" + w + "]))";
    }

    /**
     * The 95th percentile of request durations in seconds:
     * {@code histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{<selector>}[w])) by (le))}.
     * Without requests in the window it is NaN, which the gate reports as inconclusive.
     *
     * @param selector label matchers without braces; "" for all; never null
     * @param window   the rate window; at least 1 ms
     * @return the query
     */
    public static String p95Latency(String selector, Duration window) {
        return "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket" + matchers("", selector) + "["
                + window(window) + "])) by (le))";
    }

    /**
     * Requests per second: {@code sum(rate(http_requests_total{<selector>}[w]))}. Zero is a
     * measurement (no traffic reached the selected pods); no series at all is no data.
     *
     * @param selector label matchers without braces; "" for all; never null
     * @param window   the rate window; at least 1 ms
     * @return the query
     */
    public static String requestRate(String selector, Duration window) {
        return "sum(rate(http_requests_total" + matchers("", selector) + "[" + window(window) + "]))";
    }

    /**
     * @param selector label matchers to check
     * @return {@code selector}; throws echoing it when it has braces
     */
    static String selector(String selector) {
        Args.nonNull("selector", selector);
        if (selector.contains("{") || selector.contains("}")) {
            throw new ConfigurationException("selector must be label matchers without braces, e.g. "
                    + "app=\"myapp\",color=\"green\", but was " + Args.quote(selector));
        }
        return selector.strip();
    }

    /**
     * @param window a rate window
     * @return it as a PromQL duration, e.g. {@code 30s}, {@code 1500ms}
     */
    static String window(Duration window) {
        Args.positive("window", window);
        if (window.toMillis() < 1) {
            throw new ConfigurationException("window must be at least 1 ms, but was " + window);
        }
        long millis = window.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static String matchers(String first, String selector) {
        String rest = selector(selector);
        if (first.isEmpty()) {
            return rest.isEmpty() ? "" : "{" + rest + "}";
        }
        return "{" + first + (rest.isEmpty() ? "" : "," + rest) + "}";
    }
}
