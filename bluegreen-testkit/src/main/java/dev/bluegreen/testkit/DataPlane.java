package dev.bluegreen.testkit;

import dev.bluegreen.testkit.internal.DataPlaneRuntime;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The simulated cluster's loopback HTTP data plane, from {@link SimulatedCluster#dataPlane()}: pods that answer
 * real HTTP on 127.0.0.1, and local addresses for Services, Ingress hosts and Gateway API HTTPRoutes that route
 * to the ready pods behind them, following the objects as they change. It starts on the first call of
 * {@link SimulatedCluster#dataPlane()} (a cluster that never asks for it pays nothing) and stops with the
 * cluster, which releases every port.
 *
 * <h2>Pods</h2>
 * Every pod whose serving container (the first container that declares a port, else the first) runs has its
 * own port on 127.0.0.1 ({@link #podUrl}), from the moment the simulated kubelet starts the container until it
 * stops it: a pod that is deleted keeps serving through its grace period, then its connections are closed, as a
 * container killed at the end of its grace period. It answers as its image's {@link HttpBehavior} says:
 * {@code /health}, {@code /ready} (200 while the pod is ready per its simulated readiness probe, else 503),
 * {@code /version}, {@code /metrics} (Prometheus text format) and any other path, with the headers
 * {@value HttpBehavior#VERSION_HEADER} and {@value HttpBehavior#POD_HEADER}. A pod answers whatever port the
 * request was meant for.
 *
 * <h2>Services</h2>
 * {@link #serviceUrl} is a local proxy for one Service port. For each request it reads the Service's
 * EndpointSlices as the data plane's informer last saw them (the Endpoints object when the cluster runs without
 * slices) and sends the request to the next endpoint, round robin, among those whose {@code ready} condition is
 * true, as kube-proxy does: not-ready pods and terminating pods (listed by the endpoints controller as
 * {@code ready=false, serving, terminating}) get no new requests, while the requests they already have run to
 * completion because the pod keeps serving through its grace period. A switch of the Service's selector is
 * followed as soon as the controller's new slice reaches the informer (milliseconds). No ready endpoint: 503.
 * A ready endpoint whose container does not run (a hand-made slice): 502; a backend that drops the connection
 * mid-request: 502. Answers the data plane gives itself carry a header {@value #REASON_HEADER} that says why.
 *
 * <h2>Ingress and Gateway API</h2>
 * {@link #ingressUrl} routes requests for one host by every Ingress's rules ({@code networking.k8s.io/v1}):
 * exact host before wildcard before rules without host, the longest matching path ({@code Exact},
 * {@code Prefix} by path elements; {@code ImplementationSpecific} as {@code Prefix}), else the oldest
 * {@code defaultBackend}, else 404; ingress classes are not looked at. {@link #gatewayUrl} routes requests for
 * one host by every HTTPRoute ({@code gateway.networking.k8s.io/v1}) whose hostnames match it (or that has
 * none), with the Gateway API's match precedence (path, method, headers, query parameters, age) and its
 * {@code backendRefs} weights, split exactly by smooth weighted round robin (weights 9 and 1: 9 and 1 of every
 * 10 requests); {@link #httpRouteUrl} does the same for one route's rules whatever its hostnames. Gateways,
 * {@code parentRefs}, filters and cross-namespace reference grants are not looked at. Backends are Services,
 * reached through their ready endpoints as above; a missing Service or all weights 0: 500; no match: 404.
 *
 * <h2>What differs from a real cluster</h2>
 * <ul>
 *   <li>Balancing is per request, round robin, not per connection at random as kube-proxy's iptables rules:
 *       a client's keep-alive connection does not pin it to a pod, and no backend is ever picked twice in a row
 *       while another is ready.</li>
 *   <li>When no endpoint is ready, the proxy answers 503 at once; kube-proxy (1.28 and later) would still send
 *       new connections to serving terminating endpoints until they stop.</li>
 *   <li>A pod answers on any port; a real container only on the ports it listens on.</li>
 *   <li>The listeners are HTTP/1.1 proxies: other protocols, TLS and {@code Host}-based virtual hosting on one
 *       address are not served; each host has its own address instead.</li>
 *   <li>Latencies and error ratios are the image's, in real time; probes are not HTTP requests (the kubelet's
 *       readiness is simulated, and {@code /ready} reports it).</li>
 * </ul>
 *
 * <p>The methods block briefly (binding a port, waiting for an informer) and must not be called on a Vert.x
 * event loop, e.g. from an {@link HttpBehavior.Handler}.
 *
 * <pre>{@code
 * cluster.markImage("shop:v2", HttpBehavior.DEFAULT.withErrorRatio(0.2));
 * URI shop = cluster.dataPlane().serviceUrl("default", "shop-service");
 * try (LoadGenerator load = LoadGenerator.to(shop).concurrency(8).ratePerSecond(400).start()) {
 *   // ... switch the Service to the pods of shop:v2 ...
 *   LoadReport report = load.stop();
 *   assertEquals(0, report.failed());
 * }
 * }</pre>
 */
public final class DataPlane {

    /** The response header that says why the data plane answered itself instead of a pod (404, 500, 502, 503). */
    public static final String REASON_HEADER = DataPlaneRuntime.REASON_HEADER;

    private final DataPlaneRuntime runtime;

    DataPlane(DataPlaneRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Returns the local address of a Service's first port. Asking for it opens the listener; the address
     * stays the same for the cluster's life and follows the Service as it changes, is deleted or is created
     * later (503 while it does not exist).
     *
     * @param namespace the Service's namespace; not null
     * @param service   the Service's name; not null
     * @return e.g. {@code http://127.0.0.1:40123/}
     */
    public URI serviceUrl(String namespace, String service) {
        return runtime.serviceUrl(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(service, "service"), null);
    }

    /**
     * Returns the local address of one port of a Service, like {@link #serviceUrl(String, String)}.
     *
     * @param namespace the Service's namespace; not null
     * @param service   the Service's name; not null
     * @param port      the port's name (e.g. {@code http}) or number (e.g. {@code 80}); not null
     * @return the address
     */
    public URI serviceUrl(String namespace, String service, String port) {
        return runtime.serviceUrl(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(service, "service"),
                Objects.requireNonNull(port, "port"));
    }

    /**
     * Returns the local address where requests count as sent to {@code host} through the cluster's ingress
     * controller, routed by every Ingress's rules as they are at each request.
     *
     * @param host a host name as clients send it, e.g. {@code shop.example.com}; not blank
     * @return the address
     */
    public URI ingressUrl(String host) {
        return runtime.ingressUrl(requireHost(host));
    }

    /**
     * Returns the local address where requests count as sent to {@code host} through the cluster's Gateway,
     * routed by every HTTPRoute whose hostnames match it or that has none, as they are at each request.
     *
     * @param host a host name as clients send it; not blank
     * @return the address
     */
    public URI gatewayUrl(String host) {
        return runtime.gatewayUrl(requireHost(host));
    }

    /**
     * Returns the local address of one HTTPRoute: requests are routed by its rules as they are at each request,
     * whatever its hostnames (404 while it does not exist).
     *
     * @param namespace the route's namespace; not null
     * @param name      the route's name; not null
     * @return the address
     */
    public URI httpRouteUrl(String namespace, String name) {
        return runtime.httpRouteUrl(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(name, "name"));
    }

    /**
     * Returns the address of a pod's own HTTP server, which answers whether or not the pod is ready.
     *
     * @param namespace the pod's namespace; not null
     * @param pod       the pod's name; not null
     * @return the address while the pod's serving container runs; empty before it starts and after it stops
     */
    public Optional<URI> podUrl(String namespace, String pod) {
        return runtime.podUrl(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(pod, "pod"));
    }

    /**
     * Waits until the data plane routes by the objects the API server holds now: its informers have seen the
     * current version of every Service, EndpointSlice (or Endpoints), and of every Ingress and HTTPRoute once an
     * address of theirs was asked for. Together with {@link SimulatedCluster#awaitSettled} it makes the next
     * request's route certain.
     *
     * @param timeout how long to wait at most; not null
     * @throws AssertionError if the data plane does not catch up in time
     */
    public void awaitSynced(Duration timeout) {
        runtime.awaitSynced(Objects.requireNonNull(timeout, "timeout"));
    }

    private static String requireHost(String host) {
        if (host == null || host.isBlank() || host.contains("/") || host.contains(":")) {
            throw new IllegalArgumentException("host must be a host name without scheme, port or path, but was " + host);
        }
        return host;
    }
}
