package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.Fault;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Records every request, asks the fault rules about it, then (unless a fault says otherwise) answers it the
 * way the mock's own {@code KubernetesMixedDispatcher} does: expectations first, then the CRUD storage. The
 * body is recorded first because the CRUD handler consumes it; {@link Buffer#getBytes()} copies without
 * consuming.
 *
 * <p>{@link #receive} is the entry of the cluster's {@link HttpFront}, which can also close a connection or
 * hold a request; {@link #dispatch} serves the mock server's own listener, which can do neither, so faults
 * needing the connection are answered there with a 500 that says so.
 *
 * <p>Writes of the built-in kinds a release touches get a real API server's semantics from {@link ApiServer}
 * (defaults, validation, status subresource, graceful deletion, pod logs). Two defects of the mock are worked
 * around for the rest: JSON merge patches of whole objects are applied as RFC 7386 says ({@link MergePatches}),
 * and watch responses get a {@link SafeWatchListener}, which keeps closing a watch from hanging the server or
 * failing a concurrent write.
 *
 * <p>Deliberately not {@code Resetable}: {@code server.reset()} then clears expectations but keeps the
 * stored objects, which the controllers' informers could not follow.
 */
public final class RecordingDispatcher extends Dispatcher implements CustomResourceAware {

    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final MockDispatcher expectations;
    private final CrudStore store = new CrudStore();
    private final ApiServer apiServer;
    private final Discovery discovery = new Discovery(store);
    private final Tables tables;
    private final Object lock = new Object();
    /** Recording and fault matching happen together under this lock, so both see the same order. */
    private final Object arrivalLock = new Object();
    private final Consumer<ClientRequest> sink;
    private final Function<ClientRequest, Fault> faults;
    private final String controllerUserAgent;
    private final Clock clock;

    /**
     * Creates a dispatcher serving the mock's expectations and CRUD storage.
     *
     * @param responses           the mock server's expectation map, shared with {@code server.expect()}
     * @param sink                receives each request as it arrives
     * @param faults              chooses the fault for each request as it arrives (null for none); called in
     *                            arrival order, together with {@code sink}
     * @param controllerUserAgent the {@code User-Agent} that marks the cluster's own requests
     * @param clock               the source of arrival times
     * @param simulated           the simulated time the API server stamps objects with
     * @param logs                the containers' logs, served at {@code .../pods/<name>/log}
     * @param usage               what the running containers use, served at {@code /apis/metrics.k8s.io/v1beta1}
     */
    public RecordingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, Consumer<ClientRequest> sink,
            Function<ClientRequest, Fault> faults, String controllerUserAgent, Clock clock, SimClock simulated,
            LogStore logs, ResourceUsage usage) {
        this.apiServer = new ApiServer(store, simulated, logs, usage);
        this.tables = new Tables(simulated);
        this.responses = responses;
        this.expectations = new MockDispatcher(responses);
        this.sink = sink;
        this.faults = faults;
        this.controllerUserAgent = controllerUserAgent;
        this.clock = clock;
    }

    /**
     * Records the request and applies its fault, if any; for the mock server's own listener, which cannot
     * close or hold a connection: such faults are answered with a 500 saying so.
     *
     * @param request the request as received
     * @return the response to send
     */
    @Override
    public MockResponse dispatch(RecordedRequest request) {
        ClientRequest described = describe(request);
        Outcome outcome = receive(request, described);
        if (outcome.response() != null) {
            return outcome.response();
        }
        return FaultResponses.unsupported(outcome.fault(), described);
    }

    /**
     * Records the request, then tells how to answer it: with a response (from a status fault, the
     * expectations or the storage), by closing the connection (after applying the request for
     * {@link Fault#applyThenLoseResponse()}), or by {@link #serve serving} it after a delay.
     *
     * @param request the request as received
     * @return what to do with the connection
     */
    public Outcome receive(RecordedRequest request) {
        return receive(request, describe(request));
    }

    private Outcome receive(RecordedRequest request, ClientRequest described) {
        Fault fault;
        synchronized (arrivalLock) {
            fault = faults.apply(described);
            sink.accept(described);
        }
        if (fault == null) {
            return Outcome.respond(serve(request));
        } else if (fault instanceof Fault.HttpStatus status) {
            return Outcome.respond(FaultResponses.status(status, described));
        } else if (fault instanceof Fault.ConnectionReset) {
            return Outcome.close(fault);
        } else if (fault instanceof Fault.ApplyThenLoseResponse) {
            // Opening a watch changes nothing; serving it without opening the WebSocket would leave the
            // storage a watcher that never connects.
            if (!described.isWatch()) {
                serve(request);
            }
            return Outcome.close(fault);
        } else if (fault instanceof Fault.Delay delay) {
            return Outcome.delay(fault, delay.duration());
        }
        throw new IllegalStateException("Unknown fault " + fault);
    }

    /**
     * Answers the request from the expectations or the storage, without recording it or asking the fault
     * rules: for a request {@link #receive} has already recorded, e.g. one held by a delay.
     *
     * @param request the request as received
     * @return the response to send
     */
    public MockResponse serve(RecordedRequest request) {
        // One request at a time: the storage serializes its work anyway, a merge patch's read and write become
        // atomic, and a closing watch can take the same lock (see SafeWatchListener).
        synchronized (lock) {
            MockResponse response;
            MockResponse served;
            if (isExpected(request)) {
                response = expectations.dispatch(request);
            } else if ((served = discovery.handle(request)) != null) {
                response = served;
            } else if ((served = apiServer.handle(request)) != null) {
                response = served;
            } else if (MergePatches.isMergePatchOfObject(request)) {
                response = MergePatches.apply(request, store);
            } else if (MergePatches.isStrategicPatchOfObject(request)) {
                response = MergePatches.applyStrategic(request, store);
            } else if ((served = listWithFieldSelector(request)) != null) {
                response = served;
            } else {
                response = store.dispatch(request);
            }
            WebSocketListener listener = response.getWebSocketListener();
            if (listener != null && !(listener instanceof SafeWatchListener)) {
                response.withWebSocketUpgrade(new SafeWatchListener(listener, lock));
            }
            return listener == null ? withContentType(asTableIfAsked(request, response)) : response;
        }
    }

    /**
     * Lists with a field selector the mock does not evaluate (it knows {@code metadata.name} and
     * {@code metadata.namespace}): e.g. {@code involvedObject.name=web,involvedObject.kind=Deployment}, which
     * {@code kubectl describe} asks events with, or {@code status.phase=Running}. The storage lists without the
     * selector, then each requirement ({@code =}, {@code ==}, {@code !=} on a dotted path) filters the items.
     *
     * @return the filtered list, or null to leave the request to the storage
     */
    private MockResponse listWithFieldSelector(RecordedRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return null;
        }
        ApiPath path = ApiPath.parse(request.getPath());
        String selector = path == null ? null : path.query().get("fieldSelector");
        if (path == null || path.name() != null || selector == null || selector.isBlank()
                || "true".equals(path.query().get("watch")) || "1".equals(path.query().get("watch"))) {
            return null;
        }
        List<String[]> requirements = new ArrayList<>();
        boolean onlyKnownToTheMock = true;
        for (String part : selector.split(",")) {
            String[] requirement;
            if (part.contains("!=")) {
                requirement = new String[] {part.substring(0, part.indexOf("!=")).trim(), "!=", part.substring(part.indexOf("!=") + 2).trim()};
            } else if (part.contains("==")) {
                requirement = new String[] {part.substring(0, part.indexOf("==")).trim(), "=", part.substring(part.indexOf("==") + 2).trim()};
            } else if (part.contains("=")) {
                requirement = new String[] {part.substring(0, part.indexOf('=')).trim(), "=", part.substring(part.indexOf('=') + 1).trim()};
            } else {
                return null;
            }
            requirements.add(requirement);
            onlyKnownToTheMock &= requirement[1].equals("=")
                    && (requirement[0].equals("metadata.name") || requirement[0].equals("metadata.namespace"));
        }
        if (onlyKnownToTheMock) {
            return null;
        }
        String query = path.query().entrySet().stream().filter(e -> !e.getKey().equals("fieldSelector"))
                .map(e -> e.getKey() + "=" + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        MockResponse all = store.handleGet(path.collectionPath() + (query.isEmpty() ? "" : "?" + query));
        if (all.code() != 200 || all.getBody() == null) {
            return all;
        }
        Map<String, Object> list = Json.parse(new String(all.getBody().getBytes(), StandardCharsets.UTF_8));
        List<Object> kept = new ArrayList<>();
        for (Object item : Json.list(list, "items")) {
            boolean matches = item instanceof Map<?, ?>;
            for (String[] requirement : requirements) {
                if (!matches) {
                    break;
                }
                Object value = Json.at(Json.cast((Map<?, ?>) item), requirement[0].split("\\."));
                String text = value == null ? "" : String.valueOf(value);
                matches = requirement[1].equals("=") == text.equals(requirement[2]);
            }
            if (matches) {
                kept.add(item);
            }
        }
        list.put("items", kept);
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(io.fabric8.kubernetes.client.utils.Serialization.asJson(list));
    }

    /**
     * The mock sends its JSON without a {@code Content-Type}; client-go then decodes it as the type it asked for
     * first, protobuf for kubectl's typed clients ({@code describe}, {@code logs}, {@code rollout history}),
     * and fails. A real server always names the type it answers with.
     */
    private static MockResponse withContentType(MockResponse response) {
        if (response.getHeaders().get("Content-Type") == null && response.getBody() != null && response.getBody().size() > 0) {
            byte first = response.getBody().getBytes()[0];
            if (first == '{' || first == '[') {
                response.setHeader("Content-Type", "application/json");
            }
        }
        return response;
    }

    /**
     * Lists objects by namespace and name, as a real server does (the mock lists them in no particular order),
     * and answers a read asked for as a {@code Table} (as {@code kubectl get} asks) with the table the API
     * server's printers make of the object or list.
     */
    private MockResponse asTableIfAsked(RecordedRequest request, MockResponse response) {
        if (response.code() == 404 && ("GET".equals(request.getMethod()) || "DELETE".equals(request.getMethod()))) {
            return notFoundStatus(request, response);
        }
        if (!"GET".equals(request.getMethod()) || response.code() != 200 || response.getBody() == null) {
            return response;
        }
        ApiPath path = ApiPath.parse(request.getPath());
        if (path == null || path.subresource() != null) {
            return response;
        }
        String version = Tables.wanted(request.getHeader("Accept"));
        boolean list = path.name() == null;
        if (version == null && !list) {
            return response;
        }
        Map<String, Object> body;
        try {
            body = Json.parse(new String(response.getBody().getBytes(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return response;
        }
        if (body == null || "Status".equals(body.get("kind"))) {
            return response;
        }
        if (list && body.get("items") instanceof List<?> items) {
            // A real server lists in the order of its storage keys: by namespace, then by name.
            List<Object> sorted = new ArrayList<>(items);
            sorted.sort(Comparator.comparing((Object item) -> String.valueOf(Json.at(Json.cast((Map<?, ?>) item), "metadata", "namespace")))
                    .thenComparing(item -> String.valueOf(Json.at(Json.cast((Map<?, ?>) item), "metadata", "name"))));
            body.put("items", sorted);
            // The mock calls every list a v1 List; a real server names it after the kind, in the resource's
            // group version, which typed clients (kubectl's describe, rollout history) decode by.
            ApiCatalog.Resource resource = ApiCatalog.find(path.group(), path.version(), path.resource());
            String kind = resource != null ? resource.kind()
                    : sorted.isEmpty() ? null : Json.string(Json.cast((Map<?, ?>) sorted.get(0)), "kind");
            if (kind != null && "List".equals(body.get("kind"))) {
                Map<String, Object> typed = new java.util.LinkedHashMap<>();
                typed.put("kind", kind + "List");
                typed.put("apiVersion", path.group().isEmpty() ? path.version() : path.group() + "/" + path.version());
                typed.putAll(body);
                typed.put("kind", kind + "List");
                typed.put("apiVersion", path.group().isEmpty() ? path.version() : path.group() + "/" + path.version());
                body = typed;
            }
        }
        Object answer = version == null ? body : tables.table(path.group(), body, version, path.query().get("includeObject"));
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(io.fabric8.kubernetes.client.utils.Serialization.asJson(answer));
    }

    /**
     * The mock answers a read or delete of a missing object with a bare 404; a real server says what is
     * missing, as clients print it: {@code deployments.apps "web" not found}.
     */
    private static MockResponse notFoundStatus(RecordedRequest request, MockResponse response) {
        ApiPath path = ApiPath.parse(request.getPath());
        if (path == null || path.name() == null || path.subresource() != null) {
            return response;
        }
        if (response.getBody() != null && response.getBody().size() > 0) {
            String body = new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
            if (body.contains("\"Status\"")) {
                return response;
            }
        }
        String groupResource = path.group().isEmpty() ? path.resource() : path.resource() + "." + path.group();
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("name", path.name());
        if (!path.group().isEmpty()) {
            details.put("group", path.group());
        }
        details.put("kind", path.resource());
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", groupResource + " \"" + path.name() + "\" not found");
        status.put("reason", "NotFound");
        status.put("details", details);
        status.put("code", 404);
        return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                .setBody(io.fabric8.kubernetes.client.utils.Serialization.asJson(status));
    }

    /**
     * Tells how the events of a watch served over plain HTTP are to be rewritten before they are sent: events
     * at or before the {@code resourceVersion} the watch started from are dropped (the mock replays every
     * object as ADDED, a real server sends only what happened after that version), and objects become
     * {@code Table}s when the request asks for them.
     *
     * @param request the watch request
     * @return the rewriting: the line to send for a line of the storage, or null to send nothing
     */
    public UnaryOperator<String> watchEvents(RecordedRequest request) {
        ApiPath path = ApiPath.parse(request.getPath());
        String tableVersion = Tables.wanted(request.getHeader("Accept"));
        long from = 0;
        if (path != null) {
            try {
                from = Long.parseLong(path.query().getOrDefault("resourceVersion", "0"));
            } catch (NumberFormatException e) {
                from = 0;
            }
        }
        long since = from;
        String group = path == null ? "" : path.group();
        String includeObject = path == null ? null : path.query().get("includeObject");
        return line -> {
            if (since <= 0 && tableVersion == null) {
                return line;
            }
            Map<String, Object> event;
            try {
                event = Json.parse(line);
            } catch (RuntimeException e) {
                return line;
            }
            if (!(event.get("object") instanceof Map<?, ?> raw)) {
                return line;
            }
            Map<String, Object> object = Json.cast(raw);
            if (since > 0 && !"ERROR".equals(event.get("type")) && !"BOOKMARK".equals(event.get("type"))) {
                try {
                    if (Long.parseLong(String.valueOf(Json.at(object, "metadata", "resourceVersion"))) <= since) {
                        return null;
                    }
                } catch (NumberFormatException e) {
                    // no comparable version: send it
                }
            }
            if (tableVersion == null || "ERROR".equals(event.get("type"))) {
                return line;
            }
            Map<String, Object> rewritten = new java.util.LinkedHashMap<>(event);
            rewritten.put("object", tables.table(group, object, tableVersion, includeObject));
            return io.fabric8.kubernetes.client.utils.Serialization.asJson(rewritten);
        };
    }

    private ClientRequest describe(RecordedRequest request) {
        Buffer body = request.getBody();
        String userAgent = request.getHeader("User-Agent");
        return new ClientRequest(
                request.getMethod(),
                request.getPath(),
                body == null ? "" : new String(body.getBytes(), StandardCharsets.UTF_8),
                userAgent,
                controllerUserAgent.equals(userAgent),
                clock.instant());
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

    /**
     * How to answer a request: exactly one of a response, closing the connection, or serving the request
     * after a delay.
     *
     * @param response the response to send, or null
     * @param fault    the fault that decided otherwise than a response, or null
     * @param delay    how long to hold the request before {@link #serve serving} it, or null
     */
    public record Outcome(MockResponse response, Fault fault, Duration delay) {

        static Outcome respond(MockResponse response) {
            return new Outcome(response, null, null);
        }

        static Outcome close(Fault fault) {
            return new Outcome(null, fault, null);
        }

        static Outcome delay(Fault fault, Duration delay) {
            return new Outcome(null, fault, delay);
        }

        /**
         * Tells whether the connection is to be closed without a response.
         *
         * @return true to close it
         */
        public boolean closeConnection() {
            return response == null && delay == null;
        }
    }
}
