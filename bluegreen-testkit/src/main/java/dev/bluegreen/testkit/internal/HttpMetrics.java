package dev.bluegreen.testkit.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one simulated pod served, in the Prometheus text format (version 0.0.4) that {@code /metrics} answers:
 * a counter {@code http_requests_total{status,method,path}}, a histogram
 * {@code http_request_duration_seconds{method,path}} with Prometheus' default buckets, and a gauge
 * {@code http_requests_in_flight}. Scrapes of {@code /metrics} itself are not counted. At most
 * {@value #MAX_SERIES} method and path pairs are kept apart; later ones count under path {@value #OTHER_PATH}.
 * Thread-safe.
 */
final class HttpMetrics {

    /** Prometheus' default histogram buckets, in seconds. */
    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final int MAX_SERIES = 1000;
    static final String OTHER_PATH = "<other>";

    private final Map<Series, SeriesData> series = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();

    private record Series(String method, String path) {
    }

    /** Counts and durations of one method and path. */
    private static final class SeriesData {
        private final Map<Integer, Long> byStatus = new TreeMap<>();
        private final long[] buckets = new long[BUCKETS.length];
        private long count;
        private double sum;

        private synchronized void record(int status, double seconds) {
            byStatus.merge(status, 1L, Long::sum);
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i]++;
                }
            }
            count++;
            sum += seconds;
        }
    }

    /** Counts a request as started. */
    void started() {
        inFlight.incrementAndGet();
    }

    /**
     * Counts a request as finished without an answer (its connection went away).
     */
    void abandoned() {
        inFlight.decrementAndGet();
    }

    /**
     * Counts an answered request.
     *
     * @param method        e.g. {@code GET}
     * @param path          the path without query
     * @param status        the status sent
     * @param durationNanos from the request's arrival to the end of the answer
     */
    void record(String method, String path, int status, long durationNanos) {
        inFlight.decrementAndGet();
        Series key = new Series(method, path);
        SeriesData data = series.get(key);
        if (data == null) {
            if (series.size() >= MAX_SERIES) {
                key = new Series(method, OTHER_PATH);
            }
            data = series.computeIfAbsent(key, k -> new SeriesData());
        }
        data.record(status, durationNanos / 1e9);
    }

    /**
     * Renders the metrics.
     *
     * @return the Prometheus text exposition
     */
    String exposition() {
        List<Map.Entry<Series, SeriesData>> entries = new ArrayList<>(series.entrySet());
        entries.sort(Comparator.comparing((Map.Entry<Series, SeriesData> e) -> e.getKey().path())
                .thenComparing(e -> e.getKey().method()));
        StringBuilder out = new StringBuilder();
        out.append("# HELP http_requests_total Requests answered, by status, method and path.\n");
        out.append("# TYPE http_requests_total counter\n");
        for (Map.Entry<Series, SeriesData> entry : entries) {
            Map<Integer, Long> byStatus;
            synchronized (entry.getValue()) {
                byStatus = new TreeMap<>(entry.getValue().byStatus);
            }
            byStatus.forEach((status, count) -> out.append("http_requests_total{status=\"").append(status)
                    .append("\",method=\"").append(escape(entry.getKey().method()))
                    .append("\",path=\"").append(escape(entry.getKey().path())).append("\"} ")
                    .append(count).append('\n'));
        }
        out.append("# HELP http_request_duration_seconds Time from a request's arrival to the end of its answer.\n");
        out.append("# TYPE http_request_duration_seconds histogram\n");
        for (Map.Entry<Series, SeriesData> entry : entries) {
            String labels = "method=\"" + escape(entry.getKey().method()) + "\",path=\"" + escape(entry.getKey().path()) + "\"";
            SeriesData data = entry.getValue();
            long[] buckets;
            long count;
            double sum;
            synchronized (data) {
                buckets = data.buckets.clone();
                count = data.count;
                sum = data.sum;
            }
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append("http_request_duration_seconds_bucket{").append(labels).append(",le=\"")
                        .append(format(BUCKETS[i])).append("\"} ").append(buckets[i]).append('\n');
            }
            out.append("http_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count).append('\n');
            out.append("http_request_duration_seconds_sum{").append(labels).append("} ").append(format(sum)).append('\n');
            out.append("http_request_duration_seconds_count{").append(labels).append("} ").append(count).append('\n');
        }
        out.append("# HELP http_requests_in_flight Requests received and not answered yet.\n");
        out.append("# TYPE http_requests_in_flight gauge\n");
        out.append("http_requests_in_flight ").append(inFlight.get()).append('\n');
        return out.toString();
    }

    private static String format(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value)) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return Double.toString(value);
    }

    /** Label values escape backslash, double quote and line feed. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
