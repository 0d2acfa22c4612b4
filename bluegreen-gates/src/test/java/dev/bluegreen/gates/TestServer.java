package dev.bluegreen.gates;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A JDK HTTP server on 127.0.0.1 and a free port, answering each path with a handler the test
 * gives, and recording every request.
 */
final class TestServer implements AutoCloseable {

    /** A request as received. */
    record Request(String method, String path, String query, Headers headers, String body) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** An answer to give. */
    record Response(int status, Map<String, String> headers, String body) {
        static Response of(int status, String body) {
            return new Response(status, Map.of(), body);
        }

        static Response json(int status, String body) {
            return new Response(status, Map.of("Content-Type", "application/json"), body);
        }

        Response with(String header, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(header, value);
            return new Response(status, copy, body);
        }
    }

    /** Answers a request; may block (e.g. on {@link #released()}). */
    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch released = new CountDownLatch(1);

    private TestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    static TestServer start() throws IOException {
        return new TestServer();
    }

    TestServer on(String path, Handler handler) {
        handlers.put(path, handler);
        return this;
    }

    /** Answers in turn with the given responses, repeating the last one. */
    TestServer onSequence(String path, Response... responses) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        return on(path, request -> responses[Math.min(next.getAndIncrement(), responses.length - 1)]);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    String url(String path) {
        return uri(path).toString();
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Request> requests(String path) {
        synchronized (requests) {
            return requests.stream().filter(request -> request.path().equals(path)).collect(Collectors.toList());
        }
    }

    /** A latch that handlers may block on; {@link #close()} opens it. */
    CountDownLatch released() {
        return released;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
            requests.add(request);
            Handler handler = handlers.get(request.path());
            Response response;
            try {
                response = handler == null ? Response.of(404, "no handler for " + request.path()) : handler.handle(request);
            } catch (Exception e) {
                response = Response.of(599, "handler threw " + e);
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
