package dev.bluegreen.testkit;

import dev.bluegreen.testkit.internal.ClientFactory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A bounded HTTP load generator for tests: {@code concurrency} virtual clients, each sending one request at a
 * time to one URL (keep-alive connections), as fast as possible or together at most a target rate, for a
 * duration, up to a number of requests, or until {@link #stop()}. It counts every request by outcome, status,
 * version (the {@value HttpBehavior#VERSION_HEADER} header by default) and pod, with latencies; see
 * {@link LoadReport}.
 *
 * <p>Bounded by construction: at most {@code concurrency} requests are in flight (at most
 * {@value #MAX_CONCURRENCY}), at most {@code maxRequests} are sent (default {@value #DEFAULT_MAX_REQUESTS}, at most
 * {@value #MAX_REQUESTS}), and nothing queues: a virtual client sends its next request only when its previous one
 * ended, so when the target is slower than the rate, the rate is not reached (the report shows it) instead of
 * requests piling up. It runs on the test kit's shared Vert.x (no thread of its own), so it is light enough to
 * run next to a simulated cluster on a small machine.
 *
 * <pre>{@code
 * try (LoadGenerator load = LoadGenerator.to(cluster.dataPlane().serviceUrl("default", "shop-service"))
 *         .concurrency(8).ratePerSecond(400).start()) {
 *   load.whenResponses(s -> "shop:v1".equals(s.version()), 20).get(5, TimeUnit.SECONDS);
 *   // ... release shop:v2 ...
 *   load.whenResponses(s -> "shop:v2".equals(s.version()), 20).get(5, TimeUnit.SECONDS);
 *   LoadReport report = load.stop();
 *   assertEquals(0, report.failed(), report::summary);
 * }
 * }</pre>
 */
public final class LoadGenerator implements AutoCloseable {

    /** The most virtual clients a generator may have. */
    public static final int MAX_CONCURRENCY = 1024;
    /** The most requests a generator may be allowed to send. */
    public static final long MAX_REQUESTS = 1_000_000;
    /** The requests a generator sends at most unless {@link Builder#maxRequests} says otherwise. */
    public static final long DEFAULT_MAX_REQUESTS = 100_000;
    /** The request timeout unless {@link Builder#requestTimeout} says otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** A virtual client waiting for its slot looks at least this often whether it should stop. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final URI target;
    private final int concurrency;
    private final double rate;
    private final long maxRequests;
    private final long endNanos;
    private final Duration requestTimeout;
    private final HttpMethod method;
    private final Map<String, String> headers;
    private final Buffer body;
    private final String versionHeader;
    private final Vertx vertx = ClientFactory.vertx();
    private final HttpClientAgent client;
    private final long startNanos;
    private final Instant startInstant;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger activeClients;
    private final List<LoadReport.Sample> samples = new ArrayList<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean stopping;
    private volatile long finishedNanos;

    private LoadGenerator(Builder builder) {
        this.target = builder.target;
        this.concurrency = builder.concurrency;
        this.rate = builder.rate;
        this.maxRequests = builder.maxRequests;
        this.requestTimeout = builder.requestTimeout;
        this.method = HttpMethod.valueOf(builder.method);
        this.headers = Map.copyOf(builder.headers);
        this.body = builder.body == null ? null : Buffer.buffer(builder.body);
        this.versionHeader = builder.versionHeader;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(concurrency).setMaxWaitQueueSize(concurrency));
        this.activeClients = new AtomicInteger(concurrency);
        this.startNanos = System.nanoTime();
        this.startInstant = Instant.now();
        this.endNanos = builder.duration == null ? Long.MAX_VALUE : startNanos + builder.duration.toNanos();
    }

    /**
     * Starts describing a load.
     *
     * @param target an {@code http} URL, e.g. from {@link DataPlane#serviceUrl}; its path and query are requested
     * @return a builder
     * @throws IllegalArgumentException if the URL is not absolute {@code http}
     */
    public static Builder to(URI target) {
        Objects.requireNonNull(target, "target");
        if (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("target must be an absolute http URL, but was " + target);
        }
        return new Builder(target);
    }

    private void begin() {
        for (int i = 0; i < concurrency; i++) {
            next();
        }
    }

    /** A virtual client is free: it sends its next request, waits for its slot, or ends. */
    private void next() {
        long now = System.nanoTime();
        if (stopping || now >= endNanos) {
            clientDone();
            return;
        }
        long sequence = issued.getAndIncrement();
        if (sequence >= maxRequests) {
            clientDone();
            return;
        }
        if (rate <= 0) {
            send(sequence);
            return;
        }
        long due = startNanos + (long) (sequence * 1e9 / rate);
        waitFor(sequence, due);
    }

    private void waitFor(long sequence, long due) {
        long now = System.nanoTime();
        // A request whose slot is not within the duration is never sent, not even a little early.
        if (stopping || now >= endNanos || due >= endNanos) {
            clientDone();
            return;
        }
        long wait = due - now;
        if (wait < TimeUnit.MILLISECONDS.toNanos(1)) {
            send(sequence);
            return;
        }
        long step = Math.min(Math.min(wait, MAX_WAIT_NANOS), endNanos - now);
        vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(step)), id -> waitFor(sequence, due));
    }

    private void send(long sequence) {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        long sent = System.nanoTime();
        RequestOptions options = new RequestOptions().setAbsoluteURI(target.toString()).setMethod(method)
                .setTimeout(requestTimeout.toMillis()).setConnectTimeout(requestTimeout.toMillis());
        headers.forEach(options::putHeader);
        client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(ignored -> response))
                .onComplete(result -> {
                    long latency = System.nanoTime() - sent;
                    LoadReport.Sample sample;
                    if (result.succeeded()) {
                        HttpClientResponse response = result.result();
                        sample = sample(sequence, sent, latency, LoadReport.Outcome.RESPONSE, response.statusCode(),
                                response.getHeader(versionHeader), response.getHeader(HttpBehavior.POD_HEADER), null);
                    } else {
                        Throwable error = result.cause();
                        boolean timeout = error instanceof TimeoutException
                                || String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT).contains("timeout");
                        sample = sample(sequence, sent, latency, timeout ? LoadReport.Outcome.TIMEOUT
                                : LoadReport.Outcome.CONNECTION_FAILURE, 0, null, null, String.valueOf(error));
                    }
                    inFlight.decrementAndGet();
                    record(sample);
                    next();
                });
    }

    private LoadReport.Sample sample(long sequence, long sent, long latency, LoadReport.Outcome outcome, int status,
            String version, String pod, String error) {
        Duration offset = Duration.ofNanos(sent - startNanos);
        return new LoadReport.Sample(sequence, startInstant.plus(offset), offset, Duration.ofNanos(latency), outcome,
                status, version, pod, error);
    }

    private void record(LoadReport.Sample sample) {
        synchronized (samples) {
            samples.add(sample);
        }
        for (Watcher watcher : watchers) {
            if (watcher.matching.test(sample) && watcher.remaining.decrementAndGet() == 0) {
                watchers.remove(watcher);
                watcher.future.complete(sample);
            }
        }
    }

    private void clientDone() {
        if (activeClients.decrementAndGet() == 0) {
            finishedNanos = System.nanoTime();
            client.close();
            watchers.forEach(w -> w.future.completeExceptionally(new IllegalStateException("the load generator ended after "
                    + requests() + " requests, " + w.remaining.get() + " responses short of the awaited ones")));
            watchers.clear();
            finished.complete(null);
        }
    }

    private long requests() {
        synchronized (samples) {
            return samples.size();
        }
    }

    /** Completes with the {@code count}-th sample that matches. */
    private record Watcher(Predicate<LoadReport.Sample> matching, AtomicLong remaining, CompletableFuture<LoadReport.Sample> future) {
    }

    /**
     * Returns a future that completes with the {@code count}-th completed request, from now on, that satisfies
     * {@code matching}: e.g. to wait, without sleeping, until the new version has answered 20 requests. It
     * fails if the generator ends first.
     *
     * @param matching the condition; called on an event loop, must be quick; not null
     * @param count    how many matching requests to wait for; positive
     * @return the future
     */
    public CompletableFuture<LoadReport.Sample> whenResponses(Predicate<LoadReport.Sample> matching, long count) {
        Objects.requireNonNull(matching, "matching");
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive, but was " + count);
        }
        Watcher watcher = new Watcher(matching, new AtomicLong(count), new CompletableFuture<>());
        watchers.add(watcher);
        if (finished.isDone() && watchers.remove(watcher)) {
            watcher.future.completeExceptionally(new IllegalStateException("the load generator has ended"));
        }
        return watcher.future;
    }

    /**
     * Returns what the generator has seen so far, while it keeps running.
     *
     * @return a report of the requests completed so far
     */
    public LoadReport snapshot() {
        List<LoadReport.Sample> copy;
        synchronized (samples) {
            copy = new ArrayList<>(samples);
        }
        boolean done = finished.isDone();
        long end = done ? finishedNanos : System.nanoTime();
        return new LoadReport(copy, Duration.ofNanos(end - startNanos), maxInFlight.get(), !done);
    }

    /**
     * Tells whether the generator still sends requests or waits for answers.
     *
     * @return false once every virtual client has ended
     */
    public boolean isRunning() {
        return !finished.isDone();
    }

    /**
     * Sends no more requests, waits for those in flight (each within the request timeout) and returns the final
     * report. Idempotent. Must not be called on a Vert.x event loop.
     *
     * @return the final report
     */
    public LoadReport stop() {
        stopping = true;
        return awaitFinished(requestTimeout.plusSeconds(5));
    }

    /**
     * Waits until the generator ends by itself (its duration has passed or its requests are sent) and returns the
     * final report. Must not be called on a Vert.x event loop.
     *
     * @param timeout how long to wait at most; not null
     * @return the final report
     * @throws AssertionError if it does not end in time; it is then stopped
     */
    public LoadReport awaitEnd(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return awaitFinished(timeout);
        } catch (AssertionError e) {
            stop();
            throw e;
        }
    }

    private LoadReport awaitFinished(Duration timeout) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("waiting for the load generator on an event loop would block it");
        }
        try {
            finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the load generator", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("The load generator to " + target + " did not end within " + timeout + "; so far: "
                    + snapshot().summary());
        }
        return snapshot();
    }

    /**
     * Stops the generator, like {@link #stop()}.
     */
    @Override
    public void close() {
        stop();
    }

    /**
     * Describes the generator.
     *
     * @return its target and settings
     */
    @Override
    public String toString() {
        return "LoadGenerator[" + method + " " + target + ", concurrency " + concurrency
                + (rate > 0 ? ", " + rate + "/s" : ", unthrottled") + ", max " + maxRequests + " requests]";
    }

    /**
     * Describes a load; {@link #start()} starts it. Defaults: 4 virtual clients, as fast as possible, until
     * stopped or {@value LoadGenerator#DEFAULT_MAX_REQUESTS} requests, {@code GET}, 5 s request timeout.
     */
    public static final class Builder {

        private final URI target;
        private int concurrency = 4;
        private double rate;
        private Duration duration;
        private long maxRequests = DEFAULT_MAX_REQUESTS;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private String method = "GET";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body;
        private String versionHeader = HttpBehavior.VERSION_HEADER;

        private Builder(URI target) {
            this.target = target;
        }

        /**
         * Sets the number of virtual clients, i.e. the most requests in flight at once.
         *
         * @param clients 1 to {@value LoadGenerator#MAX_CONCURRENCY}; default 4
         * @return this builder
         */
        public Builder concurrency(int clients) {
            if (clients < 1 || clients > MAX_CONCURRENCY) {
                throw new IllegalArgumentException("concurrency must be between 1 and " + MAX_CONCURRENCY + ", but was " + clients);
            }
            this.concurrency = clients;
            return this;
        }

        /**
         * Sets the target rate of all clients together; requests are spread evenly over time. A slow target
         * lowers the rate, it never queues requests.
         *
         * @param requestsPerSecond positive
         * @return this builder
         */
        public Builder ratePerSecond(double requestsPerSecond) {
            if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
                throw new IllegalArgumentException("requestsPerSecond must be positive, but was " + requestsPerSecond);
            }
            this.rate = requestsPerSecond;
            return this;
        }

        /**
         * Sends as fast as the target answers (the default).
         *
         * @return this builder
         */
        public Builder unthrottled() {
            this.rate = 0;
            return this;
        }

        /**
         * Stops sending after this real time; requests in flight then complete.
         *
         * @param duration positive
         * @return this builder
         */
        public Builder duration(Duration duration) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive, but was " + duration);
            }
            this.duration = duration;
            return this;
        }

        /**
         * Sets the most requests to send.
         *
         * @param maxRequests 1 to {@value LoadGenerator#MAX_REQUESTS}; default {@value LoadGenerator#DEFAULT_MAX_REQUESTS}
         * @return this builder
         */
        public Builder maxRequests(long maxRequests) {
            if (maxRequests < 1 || maxRequests > MAX_REQUESTS) {
                throw new IllegalArgumentException("maxRequests must be between 1 and " + MAX_REQUESTS + ", but was " + maxRequests);
            }
            this.maxRequests = maxRequests;
            return this;
        }

        /**
         * Sets how long a request may go without an answer before it counts as a timeout.
         *
         * @param timeout positive; default 5 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("requestTimeout must be at least 1 ms, but was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets the method.
         *
         * @param method e.g. {@code POST}; default {@code GET}
         * @return this builder
         */
        public Builder method(String method) {
            if (method == null || !method.matches("[A-Z]+")) {
                throw new IllegalArgumentException("method must be an upper-case HTTP method, but was " + method);
            }
            this.method = method;
            return this;
        }

        /**
         * Adds a request header.
         *
         * @param name  the name; not blank
         * @param value the value; not null
         * @return this builder
         */
        public Builder header(String name, String value) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("header name must not be blank");
            }
            headers.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets the body of every request.
         *
         * @param body UTF-8 text, or null for none
         * @return this builder
         */
        public Builder body(String body) {
            this.body = body;
            return this;
        }

        /**
         * Sets the response header that names the version that answered.
         *
         * @param name default {@value HttpBehavior#VERSION_HEADER}
         * @return this builder
         */
        public Builder versionHeader(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("versionHeader must not be blank");
            }
            this.versionHeader = name;
            return this;
        }

        /**
         * Starts sending.
         *
         * @return the running generator; stop it (or close it) when done
         */
        public LoadGenerator start() {
            LoadGenerator generator = new LoadGenerator(this);
            generator.begin();
            return generator;
        }
    }
}
