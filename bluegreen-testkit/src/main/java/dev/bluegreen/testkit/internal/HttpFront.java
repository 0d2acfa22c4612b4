package dev.bluegreen.testkit.internal;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The simulated API server's HTTP listener, which {@code masterUrl()} points to. It does what the mock's own
 * {@code HttpServerRequestHandler} does (read the body, ask the dispatcher, answer or upgrade to a WebSocket),
 * and in addition what a dispatcher cannot: close a connection without a response, and hold a request for a
 * while without blocking an event loop. It also serves watches over plain HTTP, as a streamed response of
 * one JSON event per line like a real API server ({@link HttpWatchStream}); the mock answers those with a
 * 400, and fabric8 falls back to them when a WebSocket upgrade fails without an HTTP status (a dropped
 * connection) or with 503. The mock server's own listener keeps running on another port (its lifecycle
 * needs it) but the cluster's clients do not use it.
 *
 * <p>All fronts of the JVM share one Vert.x instance with daemon threads, created on first use and never
 * closed, like the clients' (see {@link ClientFactory}).
 */
public final class HttpFront implements AutoCloseable {

    private static final String CONTENT_LENGTH = "Content-Length";
    private static final String CONTENT_TYPE = "Content-Type";
    private static final String TRANSFER_ENCODING = "Transfer-Encoding";
    /** The mock server accepts these WebSocket sub-protocols (exec, attach, port-forward); so does the front. */
    private static final List<String> WEBSOCKET_SUB_PROTOCOLS =
            List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");
    private static final long CLOSE_TIMEOUT_SECONDS = 10;

    private final RecordingDispatcher dispatcher;
    private final Vertx vertx;
    private final HttpServer server;
    private final Set<Long> delayTimers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private HttpFront(RecordingDispatcher dispatcher, Vertx vertx, HttpServer server) {
        this.dispatcher = dispatcher;
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * Starts a listener on a free port of {@code address}, serving plain HTTP/1.1.
     *
     * @param dispatcher answers the requests
     * @param address    the address to listen on, e.g. the loopback address
     * @return the running front
     * @throws IllegalStateException if the listener cannot start
     */
    public static HttpFront start(RecordingDispatcher dispatcher, InetAddress address) {
        Vertx vertx = SharedVertx.VERTX;
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(address.getHostAddress())
                .setPort(0)
                .setWebSocketSubProtocols(WEBSOCKET_SUB_PROTOCOLS)
                .setHandle100ContinueAutomatically(true)
                .setWebSocketClosingTimeout(1)
                .setHttp2ClearTextEnabled(false));
        HttpFront front = new HttpFront(dispatcher, vertx, server);
        server.requestHandler(front::handle);
        await(server.listen(), "start the simulated API server on " + address.getHostAddress());
        return front;
    }

    /**
     * Returns the port the front listens on.
     *
     * @return the port
     */
    public int port() {
        return server.actualPort();
    }

    /**
     * Stops listening and closes every connection; requests held by a delay are dropped. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        delayTimers.forEach(vertx::cancelTimer);
        delayTimers.clear();
        await(server.close(), "stop the simulated API server");
    }

    private void handle(HttpServerRequest event) {
        // As in the mock: a WebSocket upgrade must be answered from within the request handler, before the
        // request is read, or Vert.x may refuse it ("Request has already been read"). Upgrades carry no body.
        if (isWebSocketUpgrade(event)) {
            RecordedRequest request = toRecordedRequest(event, null);
            answer(event, request, dispatcher.receive(request), true);
            return;
        }
        event.resume();
        Future<Buffer> body = hasBody(event) ? event.body() : Future.succeededFuture(null);
        body.onFailure(failure(event));
        body.onSuccess(bytes -> {
            RecordedRequest request = toRecordedRequest(event, bytes);
            answer(event, request, dispatcher.receive(request), false);
        });
    }

    private void answer(HttpServerRequest event, RecordedRequest request, RecordingDispatcher.Outcome outcome, boolean upgrade) {
        if (outcome.delay() != null) {
            if (upgrade) {
                // Hold the upgrade request's (empty) stream until the delay ends; nothing is read meanwhile.
                event.pause();
            }
            long timer = vertx.setTimer(Math.max(1, outcome.delay().toMillis()), id -> {
                delayTimers.remove(id);
                if (closed) {
                    drop(event);
                } else {
                    answer(event, request, RecordingDispatcher.Outcome.respond(dispatcher.serve(request)), upgrade);
                }
            });
            delayTimers.add(timer);
            return;
        }
        if (outcome.closeConnection()) {
            drop(event);
            return;
        }
        MockResponse response = outcome.response();
        WebSocketListener listener = response.getWebSocketListener();
        if (listener != null && upgrade) {
            event.toWebSocket()
                    .onFailure(error -> {
                        // The storage registered the watcher when it answered; it must learn that nobody came.
                        listener.onFailure(new HttpWatchStream(request, null, listener), error, response);
                        failure(event).handle(error);
                    })
                    .onSuccess(new ServerWebSocketHandler(request, response));
            return;
        }
        if (listener != null) {
            HttpWatchStream.start(event, request, response, dispatcher.watchEvents(request));
            return;
        }
        if (upgrade) {
            event.resume();
        }
        send(event, response);
    }

    /** Closes the connection at once: the client gets no response, only the end of the connection. */
    private static void drop(HttpServerRequest event) {
        event.connection().close();
    }

    /** Sends a plain response as the mock does: its status, headers and body, the body after its delay if any. */
    private void send(HttpServerRequest event, MockResponse response) {
        HttpServerResponse vertxResponse = event.response();
        if (vertxResponse.closed()) {
            // The client gave up while the request was held; the request was served all the same.
            return;
        }
        vertxResponse.setStatusCode(response.code());
        response.getHeaders().toMultimap().forEach((name, values) -> vertxResponse.headers().add(name, values));
        io.fabric8.mockwebserver.http.Buffer body = response.getBody();
        if (body == null || body.size() == 0) {
            vertxResponse.end();
            return;
        }
        if (!vertxResponse.headers().contains(TRANSFER_ENCODING)) {
            vertxResponse.headers().add(CONTENT_LENGTH, String.valueOf(body.size()));
        }
        Buffer bytes = Buffer.buffer(body.getBytes());
        if (response.getBodyDelay() != null) {
            vertx.setTimer(Math.max(1, response.getBodyDelay().toMillis()), id -> vertxResponse.send(bytes));
        } else {
            vertxResponse.send(bytes);
        }
    }

    private static Handler<Throwable> failure(HttpServerRequest event) {
        return error -> {
            if (!event.response().closed() && !event.response().headWritten()) {
                event.response().setStatusCode(500).send();
            }
        };
    }

    private static RecordedRequest toRecordedRequest(HttpServerRequest event, Buffer body) {
        return new RecordedRequest(
                event.version().alpnName().toUpperCase(Locale.ROOT),
                HttpMethod.fromVertx(event.method()),
                event.uri(),
                Headers.builder().addAll(event.headers()).build(),
                new io.fabric8.mockwebserver.http.Buffer(body == null ? null : body.getBytes()));
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest event) {
        String upgrade = event.getHeader("Upgrade");
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
    }

    private static boolean hasBody(HttpServerRequest event) {
        String contentLength = event.headers().get(CONTENT_LENGTH);
        if (contentLength != null && !contentLength.isBlank()) {
            try {
                return Long.parseLong(contentLength.trim()) > 0;
            } catch (NumberFormatException e) {
                return true;
            }
        }
        return event.headers().contains(CONTENT_TYPE) || event.headers().contains(TRANSFER_ENCODING);
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not " + what, e);
        }
    }

    /** Created on first use, so that merely loading the test kit starts no threads. */
    private static final class SharedVertx {
        // Daemon threads and no file cache, as for the clients; the default event-loop count, as the mock's.
        private static final Vertx VERTX = Vertx.vertx(new VertxOptions()
                .setUseDaemonThread(true)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    }
}
