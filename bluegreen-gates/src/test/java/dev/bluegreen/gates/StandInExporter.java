package dev.bluegreen.gates;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * STAND-IN for the simulated cluster's per-pod {@code /metrics}, which the testkit's data plane
 * will expose (another engineer is building it): until then, the tests against a real Prometheus
 * scrape this small exporter instead. It serves {@code http_requests_total{status}} counters and an
 * {@code http_request_duration_seconds} histogram in the Prometheus text format, and each scrape
 * first adds the traffic the test asked for ({@link #perScrape}), so the values Prometheus sees
 * are driven by the test. Replace it with the data plane's pods once they serve real traffic.
 */
final class StandInExporter implements AutoCloseable {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stand-in-exporter");
        thread.setDaemon(true);
        return thread;
    });
    private final boolean declareErrors;
    private int okPerScrape;
    private int errorsPerScrape;
    private double latencySeconds = 0.02;
    private long ok;
    private long errors;
    private final long[] bucketCounts = new long[BUCKETS.length];
    private double durationSum;
    private int scrapes;

    /**
     * @param declareErrors whether the 5xx series exists before the first 5xx (a real service
     *                      exports a label combination only once it has occurred)
     */
    private StandInExporter(boolean declareErrors) throws IOException {
        this.declareErrors = declareErrors;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", this::scrape);
        server.setExecutor(executor);
        server.start();
    }

    static StandInExporter start(boolean declareErrors) throws IOException {
        return new StandInExporter(declareErrors);
    }

    /**
     * Traffic to add before answering each scrape.
     *
     * @param okRequests     requests answered 200
     * @param errorRequests  requests answered 500
     * @param latencySeconds how long each took
     * @return this exporter
     */
    synchronized StandInExporter perScrape(int okRequests, int errorRequests, double latencySeconds) {
        this.okPerScrape = okRequests;
        this.errorsPerScrape = errorRequests;
        this.latencySeconds = latencySeconds;
        return this;
    }

    /** Some traffic served before the test starts, so that the counters exist, then none. */
    synchronized StandInExporter servedBefore(int okRequests, int errorRequests) {
        record(okRequests, errorRequests);
        return this;
    }

    String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Waits until Prometheus has scraped this exporter {@code count} times, without polling.
     *
     * @return whether it did within {@code timeout}
     */
    synchronized boolean awaitScrapes(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (scrapes < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized int scrapes() {
        return scrapes;
    }

    private void record(int okRequests, int errorRequests) {
        ok += okRequests;
        errors += errorRequests;
        int requests = okRequests + errorRequests;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (latencySeconds <= BUCKETS[i]) {
                bucketCounts[i] += requests;
            }
        }
        durationSum += requests * latencySeconds;
    }

    private void scrape(HttpExchange exchange) throws IOException {
        String text;
        synchronized (this) {
            record(okPerScrape, errorsPerScrape);
            text = exposition();
            scrapes++;
            notifyAll();
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (exchange) {
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private String exposition() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP http_requests_total Requests served, by status.\n");
        out.append("# TYPE http_requests_total counter\n");
        out.append("http_requests_total{status=\"200\"} ").append(ok).append('\n');
        if (declareErrors || errors > 0) {
            out.append("http_requests_total{status=\"500\"} ").append(errors).append('\n');
        }
        out.append("# HELP http_request_duration_seconds Request durations.\n");
        out.append("# TYPE http_request_duration_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            out.append("http_request_duration_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ")
                    .append(bucketCounts[i]).append('\n');
        }
        out.append("http_request_duration_seconds_bucket{le=\"+Inf\"} ").append(ok + errors).append('\n');
        out.append("http_request_duration_seconds_sum ").append(String.format(Locale.ROOT, "%.6f", durationSum)).append('\n');
        out.append("http_request_duration_seconds_count ").append(ok + errors).append('\n');
        return out.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
