package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.HttpBehavior;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP server of one running pod, on its own port of 127.0.0.1: the built-in paths ({@code /health},
 * {@code /ready}, {@code /version}, {@code /metrics}) and the application's, as the image's {@link HttpBehavior}
 * says. It runs while the kubelet says the pod's serving container runs; stopping it closes its connections at
 * once, as a container killed at the end of its grace period drops the requests it still had.
 */
final class PodServer {

    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String METRICS = "text/plain; version=0.0.4; charset=utf-8";

    private final String uid;
    private final String namespace;
    private final String name;
    private final String ip;
    private final String version;
    private final HttpBehavior behavior;
    private final Vertx vertx;
    private final HttpServer server;
    private final Future<Integer> port;
    private final HttpMetrics metrics = new HttpMetrics();
    private final AtomicLong applicationRequests = new AtomicLong();
    private final Random random;
    private volatile boolean ready;

    private PodServer(Vertx vertx, PodRuntime pod, HttpBehavior behavior) {
        this.uid = pod.uid();
        this.namespace = pod.namespace();
        this.name = pod.name();
        this.ip = pod.ip();
        this.version = behavior.version().orElse(pod.image());
        this.behavior = behavior;
        this.vertx = vertx;
        this.ready = pod.ready();
        this.random = new Random(behavior.errorSeed().orElse(0L));
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost(DataPlaneRuntime.LOOPBACK).setPort(0)
                .setHttp2ClearTextEnabled(false));
        server.requestHandler(this::handle);
        this.port = server.listen().map(HttpServer::actualPort);
    }

    /**
     * Starts serving a pod whose container just started.
     *
     * @param vertx    the shared Vert.x
     * @param pod      the pod, running
     * @param behavior its image's behavior
     * @return the server, binding its port
     */
    static PodServer start(Vertx vertx, PodRuntime pod, HttpBehavior behavior) {
        return new PodServer(vertx, pod, behavior);
    }

    String uid() {
        return uid;
    }

    String namespace() {
        return namespace;
    }

    String name() {
        return name;
    }

    String ip() {
        return ip;
    }

    /**
     * Returns the port, once bound.
     *
     * @return completes with the port, or fails if it could not be bound
     */
    Future<Integer> port() {
        return port;
    }

    void ready(boolean ready) {
        this.ready = ready;
    }

    /**
     * Stops at once: the port is released and requests in flight are cut.
     *
     * @return completes when the port is released
     */
    Future<Void> stop() {
        return server.close();
    }

    private void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        metrics.started();
        request.body().onComplete(body -> {
            if (body.failed()) {
                metrics.abandoned();
                return;
            }
            String path = request.path();
            switch (path) {
                case "/health" -> answer(request, start, 200, "ok\n", TEXT, Map.of());
                case "/ready" -> answer(request, start, ready ? 200 : 503, ready ? "ready\n" : "not ready\n", TEXT, Map.of());
                case "/version" -> answer(request, start, 200, version + "\n", TEXT, Map.of());
                case "/metrics" -> {
                    // Scrapes do not count.
                    metrics.abandoned();
                    String exposition = metrics.exposition();
                    send(request, 200, exposition, METRICS, Map.of());
                }
                default -> application(request, start, body.result());
            }
        });
    }

    private void application(HttpServerRequest request, long start, Buffer body) {
        long k = applicationRequests.incrementAndGet();
        boolean fail;
        Duration delay;
        synchronized (random) {
            double ratio = behavior.errorRatio();
            fail = behavior.errorSeed().isPresent() ? random.nextDouble() < ratio
                    : ratio > 0 && Math.floor(k * ratio) > Math.floor((k - 1) * ratio);
            delay = behavior.latency().next(random);
        }
        Runnable respond = () -> {
            if (fail) {
                answer(request, start, behavior.errorStatus(), "simulated error from " + name + " (" + version + ")\n",
                        TEXT, Map.of());
                return;
            }
            HttpBehavior.Handler handler = behavior.handlers().get(request.path());
            if (handler == null) {
                answer(request, start, 200, "Hello from " + name + " (" + version + ")\n", TEXT, Map.of());
                return;
            }
            Context context = vertx.getOrCreateContext();
            CompletionStage<HttpBehavior.Response> stage;
            try {
                stage = handler.handle(new HttpBehavior.Request(name, request.method().name(), request.path(),
                        request.query(), headers(request), body == null ? "" : body.toString(StandardCharsets.UTF_8)));
            } catch (RuntimeException e) {
                answer(request, start, 500, "handler failed: " + e + "\n", TEXT, Map.of());
                return;
            }
            stage.whenComplete((response, error) -> context.runOnContext(ignored -> {
                if (error != null || response == null) {
                    answer(request, start, 500, "handler failed: " + error + "\n", TEXT, Map.of());
                } else {
                    answer(request, start, response.status(), response.body(), TEXT, response.headers());
                }
            }));
        };
        long millis = (delay.toNanos() + 999_999) / 1_000_000;
        if (millis <= 0) {
            respond.run();
        } else {
            vertx.setTimer(millis, id -> respond.run());
        }
    }

    private static Map<String, String> headers(HttpServerRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(entry -> headers.putIfAbsent(entry.getKey().toLowerCase(java.util.Locale.ROOT), entry.getValue()));
        return headers;
    }

    /** Sends an answer and counts it once it is written. */
    private void answer(HttpServerRequest request, long start, int status, String body, String contentType,
            Map<String, String> headers) {
        String method = request.method().name();
        String path = request.path();
        Future<Void> sent = send(request, status, body, contentType, headers);
        if (sent == null) {
            metrics.abandoned();
            return;
        }
        sent.onComplete(result -> {
            if (result.succeeded()) {
                metrics.record(method, path, status, System.nanoTime() - start);
            } else {
                metrics.abandoned();
            }
        });
    }

    private Future<Void> send(HttpServerRequest request, int status, String body, String contentType,
            Map<String, String> headers) {
        HttpServerResponse response = request.response();
        if (response.closed() || response.ended()) {
            return null;
        }
        response.setStatusCode(status);
        response.putHeader("Content-Type", contentType);
        response.putHeader(HttpBehavior.VERSION_HEADER, version);
        response.putHeader(HttpBehavior.POD_HEADER, name);
        headers.forEach(response::putHeader);
        return response.end(body);
    }
}
