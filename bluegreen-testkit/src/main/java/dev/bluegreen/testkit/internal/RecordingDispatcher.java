package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.ClientRequest;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * Records every request, then answers it the way the mock's own {@code KubernetesMixedDispatcher} does:
 * expectations first, then the CRUD storage. The body is recorded first because the CRUD handler consumes
 * it; {@link Buffer#getBytes()} copies without consuming.
 *
 * <p>Two defects of the mock are worked around on the way: JSON merge patches of whole objects are applied
 * as RFC 7386 says ({@link MergePatches}), and watch responses get a {@link SafeWatchListener}, which keeps
 * closing a watch from hanging the server or failing a concurrent write.
 *
 * <p>Deliberately not {@code Resetable}: {@code server.reset()} then clears expectations but keeps the
 * stored objects, which the controllers' informers could not follow.
 */
public final class RecordingDispatcher extends Dispatcher implements CustomResourceAware {

    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final MockDispatcher expectations;
    private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private final Object lock = new Object();
    private final Consumer<ClientRequest> sink;
    private final String controllerUserAgent;
    private final Clock clock;

    /**
     * Creates a dispatcher serving the mock's expectations and CRUD storage.
     *
     * @param responses           the mock server's expectation map, shared with {@code server.expect()}
     * @param sink                receives each request as it arrives
     * @param controllerUserAgent the {@code User-Agent} that marks the cluster's own requests
     * @param clock               the source of arrival times
     */
    public RecordingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, Consumer<ClientRequest> sink,
            String controllerUserAgent, Clock clock) {
        this.responses = responses;
        this.expectations = new MockDispatcher(responses);
        this.sink = sink;
        this.controllerUserAgent = controllerUserAgent;
        this.clock = clock;
    }

    /**
     * Records the request, then answers it from the expectations or the storage.
     *
     * @param request the request as received
     * @return the response to send
     */
    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Buffer body = request.getBody();
        String userAgent = request.getHeader("User-Agent");
        sink.accept(new ClientRequest(
                request.getMethod(),
                request.getPath(),
                body == null ? "" : new String(body.getBytes(), StandardCharsets.UTF_8),
                userAgent,
                controllerUserAgent.equals(userAgent),
                clock.instant()));
        // One request at a time: the storage serializes its work anyway, a merge patch's read and write become
        // atomic, and a closing watch can take the same lock (see SafeWatchListener).
        synchronized (lock) {
            MockResponse response;
            if (isExpected(request)) {
                response = expectations.dispatch(request);
            } else if (MergePatches.isMergePatchOfObject(request)) {
                response = MergePatches.apply(request, store);
            } else {
                response = store.dispatch(request);
            }
            WebSocketListener listener = response.getWebSocketListener();
            if (listener != null && !(listener instanceof SafeWatchListener)) {
                response.withWebSocketUpgrade(new SafeWatchListener(listener, lock));
            }
            return response;
        }
    }

    /** Expectations set with {@code server.expect()} answer before the storage, as in the mock's own dispatcher. */
    private boolean isExpected(RecordedRequest request) {
        Queue<ServerResponse> expected = responses.get(new SimpleRequest(request.method(), request.getPath()));
        return expected != null && !expected.isEmpty();
    }

    /**
     * Serves discovery for a custom resource kind, as {@code KubernetesMockServer.expectCustomResource} asks.
     *
     * @param context the custom resource's group, version, kind and plural
     */
    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
        store.expectCustomResource(context);
    }

    /**
     * Shuts down the expectations and the storage with the server.
     */
    @Override
    public void shutdown() {
        expectations.shutdown();
        store.shutdown();
    }

    /**
     * Releases what the expectations and the storage hold.
     */
    @Override
    public void releaseResources() {
        expectations.releaseResources();
        store.releaseResources();
    }
}
