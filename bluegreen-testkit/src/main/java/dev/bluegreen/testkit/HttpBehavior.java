package dev.bluegreen.testkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * How the pods of an image answer HTTP on the {@link DataPlane}, chosen with
 * {@link SimulatedCluster#markImage(String, HttpBehavior)} or {@link SimulatedCluster.Builder#image(String, HttpBehavior)}.
 * Unmarked images behave as {@link #DEFAULT}: no added latency, no errors, version = the image. A pod takes the
 * behavior of its serving container's image when that container starts, so marking an image later affects only
 * containers started later, as with {@link PodBehavior}.
 *
 * <p>Every pod answers these paths itself, at once, whatever its behavior:
 * <ul>
 *   <li>{@code /health}: 200 while the container runs (liveness);</li>
 *   <li>{@code /ready}: 200 while the pod is ready as its simulated readiness probe says, else 503;</li>
 *   <li>{@code /version}: 200 with {@link #version()} (by default the image);</li>
 *   <li>{@code /metrics}: 200 with Prometheus text-format counters of what the pod served.</li>
 * </ul>
 * Any other path is the application's: it gets the {@link #latency() latency}, then either an error (per the
 * {@link #errorRatio() error ratio}) or its {@link #withResponse custom response} or a 200 with a short text
 * body. Every answer carries the headers {@value #VERSION_HEADER} (the version) and {@value #POD_HEADER} (the
 * pod's name). Latencies are real time (they are what a load generator measures), unlike the cluster's
 * simulated time.
 *
 * <pre>{@code
 * cluster.markImage("shop:v2", HttpBehavior.DEFAULT
 *     .withVersion("2.0.0")
 *     .withLatency(Duration.ofMillis(2), Duration.ofMillis(8))
 *     .withErrorRatio(0.2)
 *     .withResponse("/api/flags", 200, "{\"beta\":true}"));
 * }</pre>
 */
public final class HttpBehavior {

    /** The response header that names the version that answered. */
    public static final String VERSION_HEADER = "X-Version";
    /** The response header that names the pod that answered. */
    public static final String POD_HEADER = "X-Pod";
    /** The paths every pod answers itself; custom responses cannot replace them. */
    public static final Set<String> BUILT_IN_PATHS = Set.of("/health", "/ready", "/version", "/metrics");

    /** No added latency, no errors, the image as version, a 200 with a short body for every other path. */
    public static final HttpBehavior DEFAULT = new HttpBehavior(null, Latency.NONE, 0, null, 500, Map.of());

    private final String version;
    private final Latency latency;
    private final double errorRatio;
    private final Long errorSeed;
    private final int errorStatus;
    private final Map<String, Handler> handlers;

    private HttpBehavior(String version, Latency latency, double errorRatio, Long errorSeed, int errorStatus,
            Map<String, Handler> handlers) {
        this.version = version;
        this.latency = latency;
        this.errorRatio = errorRatio;
        this.errorSeed = errorSeed;
        this.errorStatus = errorStatus;
        this.handlers = handlers;
    }

    /**
     * Returns this behavior with another version string, served by {@code /version} and in the
     * {@value #VERSION_HEADER} header.
     *
     * @param version e.g. {@code 2.0.0}; not blank
     * @return a new behavior
     */
    public HttpBehavior withVersion(String version) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version must not be blank, but was " + version);
        }
        return new HttpBehavior(version, latency, errorRatio, errorSeed, errorStatus, handlers);
    }

    /**
     * Returns this behavior with a fixed latency before every application answer.
     *
     * @param latency zero or more, real time
     * @return a new behavior
     */
    public HttpBehavior withLatency(Duration latency) {
        return withLatency(Latency.fixed(latency));
    }

    /**
     * Returns this behavior with a latency drawn uniformly between {@code min} and {@code max}.
     *
     * @param min zero or more, real time
     * @param max at least {@code min}
     * @return a new behavior
     */
    public HttpBehavior withLatency(Duration min, Duration max) {
        return withLatency(Latency.uniform(min, max));
    }

    /**
     * Returns this behavior with latencies drawn from {@code latency}, e.g. {@link Latency#logNormal}.
     *
     * @param latency the distribution; not null
     * @return a new behavior
     */
    public HttpBehavior withLatency(Latency latency) {
        Objects.requireNonNull(latency, "latency");
        return new HttpBehavior(version, latency, errorRatio, errorSeed, errorStatus, handlers);
    }

    /**
     * Returns this behavior answering a fraction of the application's requests with an error, deterministically:
     * each pod fails its k-th application request exactly when {@code floor(k * ratio) > floor((k - 1) * ratio)},
     * so that of its first n requests exactly {@code floor(n * ratio)} fail, evenly spread (with 0.2, the 5th,
     * 10th, 15th...).
     *
     * @param ratio from 0 (never) to 1 (always)
     * @return a new behavior
     */
    public HttpBehavior withErrorRatio(double ratio) {
        return new HttpBehavior(version, latency, requireRatio(ratio), null, errorStatus, handlers);
    }

    /**
     * Returns this behavior answering each application request with an error with probability {@code ratio},
     * drawn from a generator seeded with {@code seed} (each pod has its own generator with that seed, so a pod
     * fails the same requests in every run).
     *
     * @param ratio from 0 (never) to 1 (always)
     * @param seed  the seed of each pod's generator
     * @return a new behavior
     */
    public HttpBehavior withErrorRatio(double ratio, long seed) {
        return new HttpBehavior(version, latency, requireRatio(ratio), seed, errorStatus, handlers);
    }

    /**
     * Returns this behavior with another status for its errors.
     *
     * @param status 500 to 599; default 500
     * @return a new behavior
     */
    public HttpBehavior withErrorStatus(int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("the error status must be a 5xx, but was " + status);
        }
        return new HttpBehavior(version, latency, errorRatio, errorSeed, status, handlers);
    }

    /**
     * Returns this behavior answering {@code path} (exactly, without query) with a fixed response.
     *
     * @param path   an absolute path other than the {@link #BUILT_IN_PATHS}
     * @param status 100 to 599
     * @param body   the body, sent as {@code text/plain; charset=utf-8}; not null
     * @return a new behavior
     */
    public HttpBehavior withResponse(String path, int status, String body) {
        Response response = new Response(status, body, Map.of());
        CompletableFuture<Response> answer = CompletableFuture.completedFuture(response);
        return withHandler(path, request -> answer);
    }

    /**
     * Returns this behavior answering {@code path} (exactly, without query) with what {@code handler} returns,
     * e.g. a response that a test completes later, to hold a request in flight. Latency and errors apply before
     * the handler is called; an error answer does not call it.
     *
     * @param path    an absolute path other than the {@link #BUILT_IN_PATHS}
     * @param handler called on an event loop of the shared Vert.x: it must not block; not null
     * @return a new behavior
     */
    public HttpBehavior withHandler(String path, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', but was " + path);
        }
        if (BUILT_IN_PATHS.contains(path)) {
            throw new IllegalArgumentException(path + " is answered by every pod itself; choose another path");
        }
        Map<String, Handler> copy = new LinkedHashMap<>(handlers);
        copy.put(path, handler);
        return new HttpBehavior(version, latency, errorRatio, errorSeed, errorStatus, Map.copyOf(copy));
    }

    /**
     * Returns the version the pods report.
     *
     * @return the version, or empty to report the image
     */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /**
     * Returns the latency added before application answers.
     *
     * @return the distribution; {@link Latency#NONE} by default
     */
    public Latency latency() {
        return latency;
    }

    /**
     * Returns the fraction of application requests answered with an error.
     *
     * @return 0 to 1
     */
    public double errorRatio() {
        return errorRatio;
    }

    /**
     * Returns the seed of the error draws.
     *
     * @return the seed, or empty when errors are spread deterministically
     */
    public Optional<Long> errorSeed() {
        return Optional.ofNullable(errorSeed);
    }

    /**
     * Returns the status of error answers.
     *
     * @return 500 unless configured otherwise
     */
    public int errorStatus() {
        return errorStatus;
    }

    /**
     * Returns the handlers of custom paths.
     *
     * @return path to handler; never null
     */
    public Map<String, Handler> handlers() {
        return handlers;
    }

    /**
     * Describes the behavior.
     *
     * @return e.g. {@code HttpBehavior[version=2.0.0, latency=fixed(PT0.005S), errorRatio=0.2, paths=[/api]]}
     */
    @Override
    public String toString() {
        return "HttpBehavior[version=" + (version == null ? "<image>" : version) + ", latency=" + latency
                + ", errorRatio=" + errorRatio + (errorSeed == null ? "" : " (seed " + errorSeed + ")")
                + ", errorStatus=" + errorStatus + ", paths=" + List.copyOf(handlers.keySet()) + "]";
    }

    private static double requireRatio(double ratio) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("ratio must be between 0 and 1, but was " + ratio);
        }
        return ratio;
    }

    /** A distribution of latencies. */
    @FunctionalInterface
    public interface Latency {

        /** No added latency. */
        Latency NONE = new Latency() {
            @Override
            public Duration next(RandomGenerator random) {
                return Duration.ZERO;
            }

            @Override
            public String toString() {
                return "none";
            }
        };

        /**
         * Draws the next latency.
         *
         * @param random the pod's generator
         * @return zero or more, real time
         */
        Duration next(RandomGenerator random);

        /**
         * Always the same latency.
         *
         * @param latency zero or more
         * @return the distribution
         */
        static Latency fixed(Duration latency) {
            requireNotNegative(latency, "latency");
            return new Latency() {
                @Override
                public Duration next(RandomGenerator random) {
                    return latency;
                }

                @Override
                public String toString() {
                    return "fixed(" + latency + ")";
                }
            };
        }

        /**
         * Latencies spread uniformly between {@code min} and {@code max}.
         *
         * @param min zero or more
         * @param max at least {@code min}
         * @return the distribution
         */
        static Latency uniform(Duration min, Duration max) {
            requireNotNegative(min, "min");
            requireNotNegative(max, "max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("max must be at least min, but was " + max + " < " + min);
            }
            long span = max.toNanos() - min.toNanos();
            return new Latency() {
                @Override
                public Duration next(RandomGenerator random) {
                    return span == 0 ? min : min.plusNanos(random.nextLong(span + 1));
                }

                @Override
                public String toString() {
                    return "uniform(" + min + ", " + max + ")";
                }
            };
        }

        /**
         * Latencies with a long tail, as services have: log-normal with the given median and 99th percentile.
         *
         * @param median the median; positive
         * @param p99    the 99th percentile; at least the median
         * @return the distribution
         */
        static Latency logNormal(Duration median, Duration p99) {
            requireNotNegative(median, "median");
            requireNotNegative(p99, "p99");
            if (median.isZero() || p99.compareTo(median) < 0) {
                throw new IllegalArgumentException("median must be positive and p99 at least the median, but were "
                        + median + " and " + p99);
            }
            double mu = Math.log(median.toNanos());
            // z(0.99) = 2.3263...
            double sigma = (Math.log(p99.toNanos()) - mu) / 2.3263478740408408;
            return new Latency() {
                @Override
                public Duration next(RandomGenerator random) {
                    return Duration.ofNanos((long) Math.exp(mu + sigma * random.nextGaussian()));
                }

                @Override
                public String toString() {
                    return "logNormal(median " + median + ", p99 " + p99 + ")";
                }
            };
        }

        private static void requireNotNegative(Duration value, String name) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be zero or positive, but was " + value);
            }
        }
    }

    /**
     * Answers the requests of one custom path.
     */
    @FunctionalInterface
    public interface Handler {
        /**
         * Answers a request.
         *
         * @param request what the pod received
         * @return the answer, possibly completed later; a stage that fails makes the pod answer 500
         */
        CompletionStage<Response> handle(Request request);
    }

    /**
     * A request a pod received.
     *
     * @param pod     the pod's name
     * @param method  e.g. {@code GET}
     * @param path    the path, without query
     * @param query   the query string, or null
     * @param headers the request headers (names in lower case, the first value of each)
     * @param body    the body as UTF-8 text; empty when there is none
     */
    public record Request(String pod, String method, String path, String query, Map<String, String> headers, String body) {
    }

    /**
     * An answer of a custom path.
     *
     * @param status  100 to 599
     * @param body    the body, sent as UTF-8; not null
     * @param headers extra response headers; not null
     */
    public record Response(int status, String body, Map<String, String> headers) {

        /**
         * Checks and copies the parts.
         *
         * @param status  100 to 599
         * @param body    not null
         * @param headers not null
         */
        public Response {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status must be between 100 and 599, but was " + status);
            }
            Objects.requireNonNull(body, "body");
            headers = Map.copyOf(headers);
        }

        /**
         * A 200 with a body.
         *
         * @param body the body; not null
         * @return the response
         */
        public static Response ok(String body) {
            return new Response(200, body, Map.of());
        }
    }
}
