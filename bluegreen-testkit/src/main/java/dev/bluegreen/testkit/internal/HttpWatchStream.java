package dev.bluegreen.testkit.internal;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * A watch served over plain HTTP, as {@code kubectl get -w} and fabric8's fallback ask for it: a chunked
 * {@code 200} response carrying one JSON watch event per line. It plays the WebSocket the mock's watch
 * listener expects, so the storage's watch machinery serves it unchanged; when the client goes away the
 * listener is told the socket closed, which unregisters it.
 */
final class HttpWatchStream implements WebSocket {

    private final RecordedRequest request;
    /** Null for a stream that never started (an upgrade that failed), whose sends go nowhere. */
    private final HttpServerResponse response;
    private final WebSocketListener listener;
    private final AtomicBoolean closed;
    private final UnaryOperator<String> rewrite;

    HttpWatchStream(RecordedRequest request, HttpServerResponse response, WebSocketListener listener) {
        this(request, response, listener, UnaryOperator.identity());
    }

    HttpWatchStream(RecordedRequest request, HttpServerResponse response, WebSocketListener listener,
            UnaryOperator<String> rewrite) {
        this.request = request;
        this.response = response;
        this.listener = listener;
        this.closed = new AtomicBoolean(response == null);
        this.rewrite = rewrite;
    }

    /**
     * Answers a plain HTTP watch request with the stream of events of the storage's watch listener.
     *
     * @param event    the request, not upgraded
     * @param request  the request as the dispatcher saw it
     * @param answer   the dispatcher's answer, which carries the watch listener
     * @param rewrite  rewrites each event line before it is sent; null drops it
     */
    static void start(HttpServerRequest event, RecordedRequest request, MockResponse answer, UnaryOperator<String> rewrite) {
        WebSocketListener listener = answer.getWebSocketListener();
        HttpServerResponse response = event.response();
        if (response.closed()) {
            // The client left while the request was held: unregister the watcher the storage just added.
            listener.onClosed(new HttpWatchStream(request, null, listener), 1001, "the client closed the connection");
            return;
        }
        HttpWatchStream stream = new HttpWatchStream(request, response, listener, rewrite);
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        response.closeHandler(ignored -> stream.clientGone());
        response.writeHead();
        listener.onBeforeAccept(stream, answer);
        listener.onOpen(stream, answer);
    }

    @Override
    public RecordedRequest request() {
        return request;
    }

    @Override
    public boolean send(String text) {
        if (closed.get()) {
            return false;
        }
        String line = rewrite.apply(text.strip());
        if (line != null) {
            response.write(line + "\n");
        }
        return true;
    }

    @Override
    public boolean send(byte[] bytes) {
        if (closed.get()) {
            return false;
        }
        response.write(Buffer.buffer(bytes));
        return true;
    }

    /** The server ends the watch: end the response, then let the listener unregister. */
    @Override
    public boolean close(int code, String reason) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        if (!response.ended()) {
            response.end();
        }
        listener.onClosed(this, code, reason);
        return true;
    }

    private void clientGone() {
        if (closed.compareAndSet(false, true)) {
            listener.onClosed(this, 1001, "the client closed the connection");
        }
    }
}
