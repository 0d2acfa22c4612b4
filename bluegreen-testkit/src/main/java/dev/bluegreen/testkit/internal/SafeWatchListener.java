package dev.bluegreen.testkit.internal;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the 8.0.0 mock's watch listener to remove two races that show up as soon as watches open and close
 * while objects change, which is what informers and {@code waitUntilCondition} do all the time:
 * <ol>
 *   <li>Closing a watch waits, on the server's event loop, for the watch's sender thread, which may itself
 *       wait for a write that only that event loop can perform: the server hangs for 30 s. Here sends are
 *       queued and performed by another thread, so the sender thread never waits.</li>
 *   <li>Between shutting its sender down and unregistering itself, a closing watch rejects events; a write
 *       arriving then fails without a response. Here closing holds the lock under which the dispatcher
 *       serves requests.</li>
 * </ol>
 */
final class SafeWatchListener extends WebSocketListener {

    private static final Logger LOG = LoggerFactory.getLogger(SafeWatchListener.class);

    /**
     * Shared by every cluster of the JVM and never shut down: sends may still be queued while a server
     * shuts down. Idle threads end after a second.
     */
    private static final Executor SENDERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS,
            new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "bluegreen-testkit-watch-sender");
                thread.setDaemon(true);
                return thread;
            });

    private final WebSocketListener delegate;
    private final Object dispatchLock;
    private volatile QueuedWebSocket queued;

    SafeWatchListener(WebSocketListener delegate, Object dispatchLock) {
        this.delegate = delegate;
        this.dispatchLock = dispatchLock;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
        delegate.onBeforeAccept(queued(webSocket), response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        delegate.onOpen(queued(webSocket), response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        delegate.onMessage(queued(webSocket), text);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
        delegate.onMessage(queued(webSocket), bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
        delegate.onPing(queued(webSocket), bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        delegate.onClosing(queued(webSocket), code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        synchronized (dispatchLock) {
            delegate.onClosed(queued(webSocket), code, reason);
        }
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
        synchronized (dispatchLock) {
            delegate.onFailure(queued(webSocket), failure, response);
        }
    }

    /** One listener serves one WebSocket; the same wrapper must be handed out every time to keep order. */
    private synchronized WebSocket queued(WebSocket webSocket) {
        if (queued == null) {
            queued = new QueuedWebSocket(webSocket);
        }
        return queued;
    }

    /** A WebSocket whose sends and close run in order on a sender thread, so callers never wait. */
    private static final class QueuedWebSocket implements WebSocket {

        private final WebSocket delegate;
        private final Queue<Runnable> pending = new ArrayDeque<>();
        private boolean draining;

        private QueuedWebSocket(WebSocket delegate) {
            this.delegate = delegate;
        }

        @Override
        public RecordedRequest request() {
            return delegate.request();
        }

        @Override
        public boolean send(String text) {
            enqueue(() -> delegate.send(text));
            return true;
        }

        @Override
        public boolean send(byte[] bytes) {
            enqueue(() -> delegate.send(bytes));
            return true;
        }

        @Override
        public boolean close(int code, String reason) {
            enqueue(() -> delegate.close(code, reason));
            return true;
        }

        private synchronized void enqueue(Runnable action) {
            pending.add(action);
            if (!draining) {
                draining = true;
                SENDERS.execute(this::drain);
            }
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = pending.poll();
                    if (next == null) {
                        draining = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    // A watch whose connection is gone has nobody left to tell.
                    LOG.debug("Sending on a closed watch failed", e);
                }
            }
        }
    }
}
