package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.HttpBehavior;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated cluster's data plane: an HTTP server per running pod ({@link PodServer}, started and stopped by
 * the kubelet's reports, so before any controller sees the change), and local proxy listeners for Services,
 * Ingress hosts, the Gateway's hosts and single HTTPRoutes. The proxies route each request afresh from
 * informer caches of Services, EndpointSlices (or Endpoints), Ingresses and HTTPRoutes, so they follow every
 * change of those objects as soon as its watch event arrives, as kube-proxy and ingress controllers do.
 * Everything runs on the test kit's shared Vert.x; nothing here blocks an event loop.
 */
public final class DataPlaneRuntime implements AutoCloseable {

    /** The address every server of the data plane listens on. */
    static final String LOOPBACK = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(DataPlaneRuntime.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");
    /** The response header that says why the data plane itself answered instead of a pod. */
    public static final String REASON_HEADER = "X-Dataplane-Reason";

    private final KubernetesClient client;
    private final boolean slicesEnabled;
    private final Function<String, HttpBehavior> behaviors;
    private final Vertx vertx = ClientFactory.vertx();
    private final HttpClientAgent http;

    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private final Map<String, Map<String, EndpointSlice>> slicesByService = new ConcurrentHashMap<>();
    private final Map<String, String> sliceOwners = new ConcurrentHashMap<>();
    private final Map<String, Endpoints> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Ingress> ingresses = new ConcurrentHashMap<>();
    private final Map<String, HTTPRoute> routes = new ConcurrentHashMap<>();
    private final Map<String, PodServer> podsByUid = new ConcurrentHashMap<>();
    private final Map<String, PodServer> podsByIp = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> roundRobin = new ConcurrentHashMap<>();
    private final Map<String, Routing.SmoothWeighted> weighted = new ConcurrentHashMap<>();
    private final Map<String, Frontend> frontends = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final List<Future<Void>> stopping = new ArrayList<>();
    private final Object events = new Object();
    private long eventCount;
    private boolean ingressesWatched;
    private boolean routesWatched;
    private volatile boolean closed;

    private DataPlaneRuntime(KubernetesClient client, boolean slicesEnabled, Function<String, HttpBehavior> behaviors) {
        this.client = client;
        this.slicesEnabled = slicesEnabled;
        this.behaviors = behaviors;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setIdleTimeout(60),
                new PoolOptions().setHttp1MaxSize(256));
    }

    /**
     * Starts the data plane: servers for the pods that run now, informers for Services and their slices (or
     * Endpoints). Returns once they have listed, so that routing starts from the server's current state.
     *
     * @param client        the controllers' client
     * @param controlPlane  the control plane whose kubelet reports the pods
     * @param slicesEnabled whether the cluster maintains EndpointSlices (else Endpoints are read)
     * @param behaviors     the HTTP behavior of an image
     * @return the running data plane
     */
    public static DataPlaneRuntime start(KubernetesClient client, ControlPlane controlPlane, boolean slicesEnabled,
            Function<String, HttpBehavior> behaviors) {
        DataPlaneRuntime runtime = new DataPlaneRuntime(client, slicesEnabled, behaviors);
        try {
            List<SharedIndexInformer<?>> started = new ArrayList<>();
            started.add(runtime.inform(client.services().inAnyNamespace(), runtime.services));
            if (slicesEnabled) {
                started.add(runtime.inform(client.discovery().v1().endpointSlices().inAnyNamespace(),
                        runtime::sliceChanged, runtime::sliceDeleted));
            } else {
                started.add(runtime.inform(client.endpoints().inAnyNamespace(), runtime.endpoints));
            }
            awaitStarted(started);
            await(controlPlane.watchPodRuntime(runtime::podChanged), "start the pods' HTTP servers");
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    // ---- public API ----

    /**
     * Returns the local address of a Service port; see {@code DataPlane#serviceUrl}.
     *
     * @param namespace the Service's namespace
     * @param name      the Service's name
     * @param port      the port's name or number, or null for the first port
     * @return e.g. {@code http://127.0.0.1:40123/}
     */
    public synchronized URI serviceUrl(String namespace, String name, String port) {
        Integer number = port != null && port.chars().allMatch(Character::isDigit) ? Integer.valueOf(port) : null;
        String portName = number == null ? port : null;
        String key = "service " + ObjectStore.key(namespace, name) + ":" + (port == null ? "" : port);
        return frontend(key, request -> serviceTarget(new Routing.ServiceRef(namespace, name, number, portName)));
    }

    /**
     * Returns the local address of an Ingress host.
     *
     * @param host the host clients ask for, e.g. {@code shop.example.com}
     * @return the address
     */
    public synchronized URI ingressUrl(String host) {
        watchIngresses();
        String normalized = host.toLowerCase(Locale.ROOT);
        return frontend("ingress " + normalized, request -> Routing.ingressBackend(List.copyOf(ingresses.values()), normalized, request.path())
                .map(this::serviceTarget)
                .orElseGet(() -> new Refusal(404, "no Ingress rule for host " + normalized + " and path " + request.path())));
    }

    /**
     * Returns the local address of the Gateway for a host: every HTTPRoute whose hostnames match it (or that
     * has none).
     *
     * @param host the host clients ask for
     * @return the address
     */
    public synchronized URI gatewayUrl(String host) {
        watchRoutes();
        String normalized = host.toLowerCase(Locale.ROOT);
        return frontend("gateway " + normalized, request -> routeTarget(List.copyOf(routes.values()), normalized, request));
    }

    /**
     * Returns the local address of one HTTPRoute: its rules, whatever its hostnames.
     *
     * @param namespace the route's namespace
     * @param name      the route's name
     * @return the address
     */
    public synchronized URI httpRouteUrl(String namespace, String name) {
        watchRoutes();
        String key = ObjectStore.key(namespace, name);
        return frontend("route " + key, request -> {
            HTTPRoute route = routes.get(key);
            if (route == null) {
                return new Refusal(404, "no HTTPRoute " + key);
            }
            return routeTarget(List.of(route), null, request);
        });
    }

    /**
     * Returns the address of a pod's own server while its serving container runs.
     *
     * @param namespace the pod's namespace
     * @param name      the pod's name
     * @return the address, or empty when the pod does not run (yet, or any more)
     */
    public Optional<URI> podUrl(String namespace, String name) {
        for (PodServer pod : podsByUid.values()) {
            if (pod.namespace().equals(namespace) && pod.name().equals(name)) {
                try {
                    int port = await(pod.port().toCompletionStage().toCompletableFuture(), "bind the port of pod " + name);
                    return Optional.of(url(port));
                } catch (IllegalStateException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Blocks until the data plane's caches hold what the API server holds now (the same objects at the same
     * resourceVersions), so that the next request is routed by the objects as they are.
     *
     * @param timeout how long to wait at most
     * @throws AssertionError if the caches do not catch up in time
     */
    public void awaitSynced(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            synchronized (events) {
                seen = eventCount;
            }
            Optional<String> behind = behind();
            if (behind.isEmpty()) {
                return;
            }
            synchronized (events) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("The data plane did not catch up with the API server within " + timeout
                            + ": " + behind.get());
                }
                if (eventCount == seen) {
                    try {
                        // A list may be older than the cache as well as newer: look again after an event, or soon.
                        TimeUnit.NANOSECONDS.timedWait(events, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(20)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while waiting for the data plane", e);
                    }
                }
            }
        }
    }

    /**
     * Stops the informers, every listener and every pod's server; returns once their ports are released.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            informers.forEach(SharedIndexInformer::close);
        }
        List<Future<Void>> closing = new ArrayList<>();
        frontends.values().forEach(f -> closing.add(f.server.close()));
        podsByUid.values().forEach(p -> closing.add(p.stop()));
        synchronized (stopping) {
            closing.addAll(stopping);
        }
        podsByUid.clear();
        podsByIp.clear();
        try {
            await(Future.join(closing).toCompletionStage().toCompletableFuture(), "release the data plane's ports");
        } catch (IllegalStateException e) {
            LOG.warn("Some ports of the data plane were not released: {}", e.toString());
        }
        http.close();
    }

    // ---- pods ----

    /** On the controllers' thread, right before the kubelet reports a pod's new state. */
    private void podChanged(PodRuntime pod) {
        if (closed) {
            return;
        }
        PodServer existing = podsByUid.get(pod.uid());
        if (pod.running()) {
            if (existing == null) {
                PodServer server = PodServer.start(vertx, pod, behaviors.apply(pod.image()));
                podsByUid.put(pod.uid(), server);
                podsByIp.put(pod.ip(), server);
                server.port().onFailure(e -> LOG.warn("Pod {}/{} could not serve HTTP: {}", pod.namespace(), pod.name(), e.toString()));
            } else {
                existing.ready(pod.ready());
            }
        } else if (existing != null) {
            podsByUid.remove(pod.uid());
            podsByIp.remove(pod.ip(), existing);
            Future<Void> stopped = existing.stop();
            synchronized (stopping) {
                stopping.removeIf(Future::isComplete);
                stopping.add(stopped);
            }
        }
    }

    // ---- routing ----

    /** What a listener does with a request. */
    private sealed interface Target permits Forward, Refusal {
    }

    /** Forward to a pod's server. */
    private record Forward(PodServer pod) implements Target {
    }

    /** Answer without a backend. */
    private record Refusal(int status, String reason) implements Target {
    }

    /** Picks the next ready endpoint of a Service port, round robin, as the request is routed. */
    private Target serviceTarget(Routing.ServiceRef ref) {
        Service service = services.get(ref.key());
        if (service == null) {
            return new Refusal(503, "no Service " + ref.key());
        }
        Optional<ServicePort> port = Routing.servicePort(service, ref.portNumber(), ref.portName());
        if (port.isEmpty()) {
            return new Refusal(503, "Service " + ref.key() + " has no port "
                    + (ref.portNumber() != null ? ref.portNumber() : ref.portName() != null ? ref.portName() : ""));
        }
        List<Routing.Address> ready = slicesEnabled
                ? Routing.readyAddresses(port.get(), slicesByService.getOrDefault(ref.key(), Map.of()).values())
                : Routing.readyAddresses(port.get(), endpoints.get(ref.key()));
        if (ready.isEmpty()) {
            return new Refusal(503, "no ready endpoints for Service " + ref.key());
        }
        long n = roundRobin.computeIfAbsent(ref.key() + ":" + port.get().getName(), k -> new AtomicLong()).getAndIncrement();
        Routing.Address address = ready.get((int) Math.floorMod(n, (long) ready.size()));
        PodServer pod = podsByIp.get(address.ip());
        if (pod == null) {
            return new Refusal(502, "connection refused by " + address.ip() + ":" + address.port() + " (no container runs there)");
        }
        return new Forward(pod);
    }

    private Target routeTarget(Collection<HTTPRoute> candidates, String host, Routing.RequestInfo request) {
        Optional<Routing.RuleMatch> match = Routing.routeRule(candidates, host, request);
        if (match.isEmpty()) {
            return new Refusal(404, "no HTTPRoute rule for " + (host == null ? "" : "host " + host + " and ") + "path " + request.path());
        }
        List<Routing.WeightedRef> refs = Routing.backends(match.get().route(), match.get().rule());
        if (refs.isEmpty()) {
            return new Refusal(500, "HTTPRoute rule " + match.get().key() + " has no backendRefs");
        }
        int[] weights = refs.stream().mapToInt(Routing.WeightedRef::weight).toArray();
        String signature = match.get().key() + " " + refs + " " + match.get().route().getMetadata().getUid();
        int picked = weighted.computeIfAbsent(signature, k -> new Routing.SmoothWeighted(weights)).next();
        if (picked < 0) {
            return new Refusal(500, "every backendRef of HTTPRoute rule " + match.get().key() + " has weight 0");
        }
        Routing.ServiceRef service = refs.get(picked).service();
        if (service == null || !services.containsKey(service.key())) {
            return new Refusal(500, "HTTPRoute rule " + match.get().key() + " refers to a backend that does not exist: "
                    + (service == null ? "not a Service" : service.key()));
        }
        return serviceTarget(service);
    }

    // ---- listeners ----

    /** A local listener and how it routes. */
    private record Frontend(HttpServer server, URI url) {
    }

    private URI frontend(String key, Function<Routing.RequestInfo, Target> router) {
        if (closed) {
            throw new IllegalStateException("the data plane is closed");
        }
        Frontend existing = frontends.get(key);
        if (existing != null) {
            return existing.url();
        }
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(LOOPBACK).setPort(0)
                .setHttp2ClearTextEnabled(false));
        server.requestHandler(request -> proxy(request, router));
        int port = await(server.listen().toCompletionStage().toCompletableFuture(), "open the data plane's " + key).actualPort();
        Frontend frontend = new Frontend(server, url(port));
        frontends.put(key, frontend);
        return frontend.url();
    }

    private void proxy(HttpServerRequest request, Function<Routing.RequestInfo, Target> router) {
        request.body().onComplete(body -> {
            if (body.failed()) {
                return;
            }
            Target target;
            try {
                target = router.apply(requestInfo(request));
            } catch (RuntimeException e) {
                target = new Refusal(500, "routing failed: " + e);
            }
            if (target instanceof Refusal refusal) {
                refuse(request, refusal.status(), refusal.reason());
            } else if (target instanceof Forward forward) {
                forward(request, body.result(), forward.pod());
            }
        });
    }

    private void forward(HttpServerRequest request, Buffer body, PodServer pod) {
        pod.port().compose(port -> http.request(new RequestOptions().setHost(LOOPBACK).setPort(port)
                        .setMethod(request.method()).setURI(request.uri()))
                .compose(out -> {
                    copyHeaders(request.headers(), out.headers());
                    out.putHeader("X-Forwarded-For", request.remoteAddress() == null ? LOOPBACK : request.remoteAddress().hostAddress());
                    return body == null || body.length() == 0 ? out.send() : out.send(body);
                })
                .compose(response -> response.body().map(bytes -> {
                    HttpServerResponse answer = request.response();
                    if (answer.closed() || answer.ended()) {
                        return null;
                    }
                    answer.setStatusCode(response.statusCode());
                    copyHeaders(response.headers(), answer.headers());
                    answer.end(bytes);
                    return null;
                })))
                .onFailure(error -> refuse(request, 502, "upstream connect error or disconnect/reset before headers ("
                        + pod.name() + "): " + error));
    }

    private static void refuse(HttpServerRequest request, int status, String reason) {
        HttpServerResponse response = request.response();
        if (response.closed() || response.ended()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader(REASON_HEADER, reason.replaceAll("[\\r\\n]", " "))
                .end(reason + "\n");
    }

    private static void copyHeaders(MultiMap from, MultiMap to) {
        from.forEach(entry -> {
            if (!HOP_BY_HOP.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
                to.add(entry.getKey(), entry.getValue());
            }
        });
    }

    private static Routing.RequestInfo requestInfo(HttpServerRequest request) {
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        Map<String, List<String>> query = new LinkedHashMap<>();
        String raw = request.query();
        if (raw != null) {
            MultiMap params = request.params();
            params.names().forEach(name -> query.put(name, params.getAll(name)));
        }
        return new Routing.RequestInfo(request.method().name(), request.path(), headers, query);
    }

    private static URI url(int port) {
        return URI.create("http://" + LOOPBACK + ":" + port + "/");
    }

    // ---- caches ----

    private synchronized void watchIngresses() {
        if (!ingressesWatched) {
            awaitStarted(List.of(inform(client.network().v1().ingresses().inAnyNamespace(), ingresses)));
            ingressesWatched = true;
        }
    }

    private synchronized void watchRoutes() {
        if (!routesWatched) {
            awaitStarted(List.of(inform(client.resources(HTTPRoute.class).inAnyNamespace(), routes)));
            routesWatched = true;
        }
    }

    private void sliceChanged(EndpointSlice slice) {
        String sliceKey = ObjectStore.keyOf(slice);
        String service = slice.getMetadata().getLabels() == null ? null
                : slice.getMetadata().getLabels().get(EndpointsController.SERVICE_NAME_LABEL);
        String owner = service == null ? null : ObjectStore.key(slice.getMetadata().getNamespace(), service);
        String before = owner == null ? sliceOwners.remove(sliceKey) : sliceOwners.put(sliceKey, owner);
        if (before != null && !before.equals(owner)) {
            slicesByService.computeIfPresent(before, (k, slices) -> {
                slices.remove(sliceKey);
                return slices.isEmpty() ? null : slices;
            });
        }
        if (owner != null) {
            slicesByService.computeIfAbsent(owner, k -> new ConcurrentHashMap<>()).put(sliceKey, slice);
        }
    }

    private void sliceDeleted(EndpointSlice slice) {
        String sliceKey = ObjectStore.keyOf(slice);
        String owner = sliceOwners.remove(sliceKey);
        if (owner != null) {
            slicesByService.computeIfPresent(owner, (k, slices) -> {
                slices.remove(sliceKey);
                return slices.isEmpty() ? null : slices;
            });
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(Informable<T> resources, Map<String, T> cache) {
        return inform(resources, object -> cache.put(ObjectStore.keyOf(object), object),
                object -> cache.remove(ObjectStore.keyOf(object)));
    }

    private synchronized <T extends HasMetadata> SharedIndexInformer<T> inform(Informable<T> resources, Consumer<T> upserted,
            Consumer<T> deleted) {
        if (closed) {
            throw new IllegalStateException("the data plane is closed");
        }
        SharedIndexInformer<T> informer = resources.runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                upserted.accept(object);
                signal();
            }

            @Override
            public void onUpdate(T before, T after) {
                upserted.accept(after);
                signal();
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                deleted.accept(object);
                signal();
            }
        });
        informers.add(informer);
        return informer;
    }

    private void signal() {
        synchronized (events) {
            eventCount++;
            events.notifyAll();
        }
    }

    private static void awaitStarted(List<SharedIndexInformer<?>> started) {
        CompletableFuture<?>[] futures = started.stream().map(i -> i.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        await(CompletableFuture.allOf(futures), "start the data plane's informers");
    }

    /** Names the first kind whose cache differs from the server's list, or empty when every cache is current. */
    private Optional<String> behind() {
        List<Supplier<Optional<String>>> checks = new ArrayList<>();
        checks.add(() -> differs("Services", client.services().inAnyNamespace().list().getItems(), services));
        if (slicesEnabled) {
            checks.add(() -> {
                Map<String, EndpointSlice> cached = new HashMap<>();
                slicesByService.values().forEach(cached::putAll);
                List<EndpointSlice> listed = client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems()
                        .stream().filter(s -> s.getMetadata().getLabels() != null
                                && s.getMetadata().getLabels().containsKey(EndpointsController.SERVICE_NAME_LABEL))
                        .toList();
                return differs("EndpointSlices", listed, cached);
            });
        } else {
            checks.add(() -> differs("Endpoints", client.endpoints().inAnyNamespace().list().getItems(), endpoints));
        }
        synchronized (this) {
            if (ingressesWatched) {
                checks.add(() -> differs("Ingresses", client.network().v1().ingresses().inAnyNamespace().list().getItems(),
                        ingresses));
            }
            if (routesWatched) {
                checks.add(() -> differs("HTTPRoutes", client.resources(HTTPRoute.class).inAnyNamespace().list().getItems(),
                        routes));
            }
        }
        for (Supplier<Optional<String>> check : checks) {
            Optional<String> difference = check.get();
            if (difference.isPresent()) {
                return difference;
            }
        }
        return Optional.empty();
    }

    private static <T extends HasMetadata> Optional<String> differs(String kind, List<T> listed, Map<String, T> cache) {
        Map<String, String> server = new HashMap<>();
        listed.forEach(o -> server.put(ObjectStore.keyOf(o), o.getMetadata().getResourceVersion()));
        Map<String, String> cached = new HashMap<>();
        cache.values().forEach(o -> cached.put(ObjectStore.keyOf(o), o.getMetadata().getResourceVersion()));
        return server.equals(cached) ? Optional.empty()
                : Optional.of(kind + ": the server has " + server + ", the data plane " + cached);
    }

    private static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not " + what, e);
        }
    }
}
