package dev.bluegreen.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What a {@link LoadGenerator} saw: every request it completed, by outcome, status, version and pod, with
 * latency percentiles. A request <em>failed</em> when it got no response (connection failure or timeout) or a
 * status of 400 or more; a 503 of a Service without ready endpoints is a failure. Immutable.
 */
public final class LoadReport {

    /** How a request ended. */
    public enum Outcome {
        /** A response arrived, whatever its status. */
        RESPONSE,
        /** The connection could not be opened, or closed before the response was complete. */
        CONNECTION_FAILURE,
        /** No response within the generator's request timeout. */
        TIMEOUT
    }

    /**
     * One completed request.
     *
     * @param sequence  the order in which requests were sent, from 0
     * @param startedAt when it was sent (wall clock)
     * @param offset    when it was sent, from the generator's start
     * @param latency   from sending to the end of the response (or of the failure)
     * @param outcome   how it ended
     * @param status    the HTTP status, or 0 without response
     * @param version   the version header's value, or null when absent
     * @param pod       the {@value HttpBehavior#POD_HEADER} header's value, or null when absent
     * @param error     what went wrong without response, or null
     */
    public record Sample(long sequence, Instant startedAt, Duration offset, Duration latency, Outcome outcome, int status,
            String version, String pod, String error) {

        /**
         * Tells whether the request failed: no response, or a status of 400 or more.
         *
         * @return true for a failure
         */
        public boolean failed() {
            return outcome != Outcome.RESPONSE || status >= 400;
        }
    }

    private final List<Sample> samples;
    private final Duration elapsed;
    private final int maxInFlight;
    private final boolean running;

    LoadReport(List<Sample> samples, Duration elapsed, int maxInFlight, boolean running) {
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparingLong(Sample::sequence));
        this.samples = Collections.unmodifiableList(sorted);
        this.elapsed = elapsed;
        this.maxInFlight = maxInFlight;
        this.running = running;
    }

    /**
     * Returns every completed request, in the order they were sent.
     *
     * @return the samples; never null
     */
    public List<Sample> samples() {
        return samples;
    }

    /**
     * Returns how many requests completed (with or without response).
     *
     * @return the count
     */
    public long requests() {
        return samples.size();
    }

    /**
     * Returns how many requests got a status below 400.
     *
     * @return the count
     */
    public long succeeded() {
        return requests() - failed();
    }

    /**
     * Returns how many requests failed: no response, or a status of 400 or more.
     *
     * @return the count
     */
    public long failed() {
        return count(Sample::failed);
    }

    /**
     * Returns how many requests got no connection, or lost it before the response.
     *
     * @return the count
     */
    public long connectionFailures() {
        return count(s -> s.outcome() == Outcome.CONNECTION_FAILURE);
    }

    /**
     * Returns how many requests timed out.
     *
     * @return the count
     */
    public long timeouts() {
        return count(s -> s.outcome() == Outcome.TIMEOUT);
    }

    /**
     * Counts the requests that satisfy a condition, e.g. {@code r -> r.failed() && "shop:v2".equals(r.version())}.
     *
     * @param condition the condition; not null
     * @return the count
     */
    public long count(Predicate<Sample> condition) {
        Objects.requireNonNull(condition, "condition");
        return samples.stream().filter(condition).count();
    }

    /**
     * Returns the responses by status.
     *
     * @return status to count, in ascending status order; requests without response are not in it
     */
    public Map<Integer, Long> byStatus() {
        Map<Integer, Long> counts = new TreeMap<>();
        samples.stream().filter(s -> s.outcome() == Outcome.RESPONSE).forEach(s -> counts.merge(s.status(), 1L, Long::sum));
        return Collections.unmodifiableMap(counts);
    }

    /**
     * Returns the responses by the version that answered (the version header), in the order each version
     * first answered.
     *
     * @return version to count; responses without the header are not in it
     */
    public Map<String, Long> byVersion() {
        Map<String, Long> counts = new LinkedHashMap<>();
        samples.stream().filter(s -> s.version() != null).forEach(s -> counts.merge(s.version(), 1L, Long::sum));
        return Collections.unmodifiableMap(counts);
    }

    /**
     * Returns the responses by the pod that answered (the {@value HttpBehavior#POD_HEADER} header).
     *
     * @return pod name to count, in the order each pod first answered
     */
    public Map<String, Long> byPod() {
        Map<String, Long> counts = new LinkedHashMap<>();
        samples.stream().filter(s -> s.pod() != null).forEach(s -> counts.merge(s.pod(), 1L, Long::sum));
        return Collections.unmodifiableMap(counts);
    }

    /**
     * Returns the versions that answered, in the order the requests were sent, each run of the same version
     * written once: {@code [v1, v2]} for traffic that moved once from v1 to v2 and stayed, {@code [v1, v2, v1]}
     * for a switch and a switch back. Requests sent concurrently around a switch may interleave, which shows as
     * extra changes.
     *
     * @return the sequence; never null
     */
    public List<String> versionSequence() {
        List<String> sequence = new ArrayList<>();
        for (Sample sample : samples) {
            if (sample.version() != null && (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(sample.version()))) {
                sequence.add(sample.version());
            }
        }
        return Collections.unmodifiableList(sequence);
    }

    /**
     * Returns a latency percentile of the requests that got a response (nearest rank).
     *
     * @param percentile from 0 (exclusive) to 100, e.g. 99
     * @return the latency, or zero when no request got a response
     */
    public Duration latencyPercentile(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], but was " + percentile);
        }
        long[] latencies = samples.stream().filter(s -> s.outcome() == Outcome.RESPONSE)
                .mapToLong(s -> s.latency().toNanos()).sorted().toArray();
        if (latencies.length == 0) {
            return Duration.ZERO;
        }
        int rank = (int) Math.ceil(percentile / 100 * latencies.length);
        return Duration.ofNanos(latencies[Math.max(0, rank - 1)]);
    }

    /**
     * Returns the time from the generator's start to this report.
     *
     * @return the elapsed real time
     */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * Returns the completed requests per second over {@link #elapsed()}.
     *
     * @return requests per second
     */
    public double throughput() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : requests() / seconds;
    }

    /**
     * Returns the most requests that were in flight at once, never more than the generator's concurrency.
     *
     * @return the peak
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * Tells whether the generator was still sending when the report was taken ({@link LoadGenerator#snapshot()}).
     *
     * @return false for the final report
     */
    public boolean running() {
        return running;
    }

    /**
     * Describes the report in one line.
     *
     * @return e.g. {@code 1200 requests in 3.01 s (399/s): 0 failed, statuses {200=1200}, versions {shop:v1=600,
     *         shop:v2=600}, 0 connection failures, 0 timeouts, p50 1.2 ms, p99 4.8 ms, max in flight 8}
     */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "%d requests in %.2f s (%.0f/s): %d failed, statuses %s, versions %s, %d connection failures, %d timeouts,"
                        + " p50 %.1f ms, p99 %.1f ms, max in flight %d",
                requests(), elapsed.toNanos() / 1e9, throughput(), failed(), byStatus(), byVersion(), connectionFailures(),
                timeouts(), latencyPercentile(50).toNanos() / 1e6, latencyPercentile(99).toNanos() / 1e6, maxInFlight);
    }

    /**
     * Returns {@link #summary()}.
     *
     * @return the summary
     */
    @Override
    public String toString() {
        return summary();
    }
}
