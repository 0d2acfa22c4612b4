package dev.bluegreen.testkit;

import dev.bluegreen.testkit.internal.ClientFactory;
import dev.bluegreen.testkit.internal.ControlPlane;
import dev.bluegreen.testkit.internal.HttpFront;
import dev.bluegreen.testkit.internal.RecordingDispatcher;
import dev.bluegreen.testkit.internal.RequestHooks;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Kubernetes cluster simulated in-process for fast tests: fabric8's mock API server in CRUD mode over
 * plain HTTP, plus the controllers a real cluster runs, so that what a release does to Deployments and
 * Services has the consequences it has on a real cluster.
 *
 * <ul>
 *   <li>Deployments get pods (labels of the template plus {@code pod-template-hash}, owner reference, IP
 *       {@code 10.244.x.y}, node {@code sim-node-1}) that turn ready after {@link Builder#readinessDelay},
 *       or never, or crash-loop, depending on their image ({@link #markImage}); Deployment status follows
 *       the pods as {@code kubectl rollout status} expects, including {@code ProgressDeadlineExceeded}.
 *       A template change replaces all old pods at once (no rolling update). Pods created directly run
 *       likewise if bound to that node ({@code spec.nodeName: sim-node-1}); others stay unscheduled.</li>
 *   <li>Services with a selector get Endpoints and an EndpointSlice listing the selected pods, updated
 *       within milliseconds of a selector or readiness change.</li>
 *   <li>Every request is recorded in {@link #requests()}; {@link #beforeNextRequest} injects a concurrent
 *       edit right before a request.</li>
 *   <li>Fault injection: {@link #faults()} makes the server answer chosen requests with an error status and a
 *       Kubernetes {@code Status}, close their connection without a response (before or after applying
 *       them), or hold them for a while. Rules choose requests with a matcher (or by position, "the i-th
 *       request of the code under test from now on"), apply only to user requests unless told otherwise,
 *       and record every fault they apply. The server applies them, so they reach every client of
 *       {@link #masterUrl()}; see {@link Fault} for what a fabric8 client sees, including its own retries.
 *       {@code server().expect()} still works too, but affects the controllers' requests as well and does
 *       not show in {@code faults().injected()}.</li>
 * </ul>
 *
 * <p>The controllers react to watch events on one background thread; nothing polls. Use
 * {@link #awaitDeployment} and {@link #awaitSettled} instead of sleeping. The mock differs from a real
 * API server in ways listed in the project's notes; in particular a PUT or merge patch of an object wipes
 * its status, which the simulated controllers rewrite at once. Three defects of the mock are corrected:
 * JSON merge patches follow RFC 7386 (arrays are replaced, {@code null} removes a key), closing a watch
 * while events flow no longer hangs the server, and watches are served over plain HTTP too (one JSON event
 * per line), as {@code kubectl get -w} asks and as fabric8 falls back to when a WebSocket upgrade fails.
 *
 * <pre>{@code
 * try (SimulatedCluster cluster = SimulatedCluster.start()) {
 *   cluster.client().apps().deployments().resource(deployment).create();
 *   cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), Duration.ofSeconds(5));
 *
 *   cluster.faults().when(RequestMatchers.method("PATCH").and(RequestMatchers.pathEndingWith("/services/web")))
 *       .inject(Fault.conflict());
 *   FaultRule lost = cluster.faults().atUserRequest(3).inject(Fault.applyThenLoseResponse());
 *   // ... run the code under test, then e.g. assertEquals(1, lost.timesFired());
 * }
 * }</pre>
 */
public final class SimulatedCluster implements AutoCloseable {

    /** The namespace of {@link #client()} unless {@link Builder#namespace} says otherwise. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** The time from pod creation to its final state unless {@link Builder#readinessDelay} says otherwise. */
    public static final Duration DEFAULT_READINESS_DELAY = Duration.ofMillis(10);
    /** The {@code User-Agent} of the cluster's own requests, which {@link RequestLog#fromUsers()} leaves out. */
    public static final String CONTROLLER_USER_AGENT = "bluegreen-testkit-controllers";

    private final String namespace;
    private final RequestLog requests = new RequestLog();
    private final Faults faults = new Faults();
    private final Map<String, PodBehavior> imageBehaviors;
    private final RequestHooks hooks;
    private final KubernetesMockServer server;
    private final HttpFront front;
    private final String masterUrl;
    private final ClientFactory clients;
    private final KubernetesClient controllerClient;
    private final KubernetesClient client;
    private final ControlPlane controlPlane;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SimulatedCluster(Builder builder) {
        Clock clock = Clock.systemUTC();
        namespace = builder.namespace;
        imageBehaviors = new ConcurrentHashMap<>(builder.images);
        hooks = new RequestHooks(clock);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        RecordingDispatcher dispatcher = new RecordingDispatcher(responses, requests::record, faults::match,
                CONTROLLER_USER_AGENT, clock);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server.init(loopback, 0);
        try {
            front = HttpFront.start(dispatcher, loopback);
        } catch (RuntimeException e) {
            server.destroy();
            throw e;
        }
        String host = loopback.getHostAddress();
        masterUrl = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + front.port() + "/";
        clients = new ClientFactory(masterUrl);
        try {
            controllerClient = clients.create(namespace, CONTROLLER_USER_AGENT, null);
            client = clients.create(namespace, null, hooks);
            ControlPlane.Settings settings = new ControlPlane.Settings(builder.readinessDelay, builder.endpointSlices,
                    image -> imageBehaviors.getOrDefault(image, PodBehavior.HEALTHY));
            controlPlane = ControlPlane.start(controllerClient, settings, clock);
        } catch (RuntimeException e) {
            clients.close();
            front.close();
            server.destroy();
            throw e;
        }
    }

    /**
     * Starts a cluster with the defaults: namespace {@value #DEFAULT_NAMESPACE}, readiness delay 10 ms,
     * EndpointSlices on, every image healthy.
     *
     * @return the running cluster; close it when done
     */
    public static SimulatedCluster start() {
        return builder().start();
    }

    /**
     * Returns a builder for a cluster with non-default settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the client for the code under test: its default namespace is {@link #namespace()}, its requests
     * count as user requests and pass {@link #beforeNextRequest} hooks.
     *
     * @return the user client; closed with the cluster
     */
    public KubernetesClient client() {
        return client;
    }

    /**
     * Builds another user client on the same server with its own connection pool, e.g. to play a second
     * operator editing objects concurrently. It sends the same {@code User-Agent} as {@link #client()} and
     * passes the same hooks.
     *
     * @return a new client; closed with the cluster
     */
    public KubernetesClient newClient() {
        requireOpen();
        return clients.create(namespace, null, hooks);
    }

    /**
     * Builds another user client, like {@link #newClient()}, with its configuration adjusted; e.g. without
     * fabric8's own retries, which otherwise absorb a 5xx or 429 {@link Fault} that fires once:
     * {@code cluster.newClient(config -> config.withRequestRetryBackoffLimit(0))}.
     *
     * @param configuration receives the builder preset with the master URL, the namespace and HTTP/1.1, and
     *                      returns it adjusted; not null
     * @return a new client; closed with the cluster
     * @throws IllegalArgumentException if {@code configuration} returns null
     */
    public KubernetesClient newClient(UnaryOperator<ConfigBuilder> configuration) {
        Objects.requireNonNull(configuration, "configuration");
        requireOpen();
        return clients.create(namespace, null, hooks, configuration);
    }

    /**
     * Returns the fault injection of the simulated API server: rules that answer chosen requests with an
     * error status, drop their connection (before or after applying them) or hold them. See {@link Faults}.
     *
     * @return the cluster's faults; never null
     */
    public Faults faults() {
        return faults;
    }

    /**
     * Returns the default namespace of the user clients.
     *
     * @return {@value #DEFAULT_NAMESPACE} unless configured otherwise
     */
    public String namespace() {
        return namespace;
    }

    /**
     * Returns the URL of the simulated API server, for code that builds its own client.
     *
     * @return e.g. {@code http://127.0.0.1:40123/}
     */
    public String masterUrl() {
        return masterUrl;
    }

    /**
     * Returns the log of every request the server received.
     *
     * @return the request log; never null
     */
    public RequestLog requests() {
        return requests;
    }

    /**
     * Makes pods created from now on run containers of {@code image} with {@code behavior}.
     *
     * @param image    the exact image reference, e.g. {@code shop:v2}; not blank
     * @param behavior how its containers behave; not null
     */
    public void markImage(String image, PodBehavior behavior) {
        imageBehaviors.put(requireText(image, "image"), Objects.requireNonNull(behavior, "behavior"));
    }

    /**
     * Runs {@code action} once, on the sending thread, right before the next request of a user client that
     * matches {@code matcher} is sent; typically to simulate someone else editing an object between the
     * code's read and its write. The action may write through {@link #newClient()}; the matcher sees the
     * method, the path with query string and the body the client is about to send. An exception thrown by
     * the action fails the hooked request.
     *
     * <pre>{@code
     * cluster.beforeNextRequest(r -> r.method().equals("PATCH") && r.path().endsWith("/services/web"),
     *     () -> other.services().withName("web").edit(s -> ...));
     * }</pre>
     *
     * @param matcher selects the request; not null
     * @param action  what to run before it; not null
     */
    public void beforeNextRequest(Predicate<ClientRequest> matcher, Runnable action) {
        hooks.add(matcher, action);
    }

    /**
     * Waits, with a watch, until the Deployment exists and satisfies {@code condition}.
     *
     * @param namespace the Deployment's namespace; not null
     * @param name      the Deployment's name; not null
     * @param condition the state to wait for, e.g. {@link DeploymentConditions#rolloutComplete()}; it is only
     *                  called with an existing Deployment
     * @param timeout   how long to wait at most; not null
     * @return the Deployment in the state that satisfied the condition
     * @throws AssertionError on timeout, naming the Deployment and its last status
     */
    public Deployment awaitDeployment(String namespace, String name, Predicate<Deployment> condition, Duration timeout) {
        return await(Deployment.class, namespace, name, condition, timeout, SimulatedCluster::describe);
    }

    /**
     * Waits, with a watch, until the Endpoints object exists and satisfies {@code condition}.
     *
     * @param namespace the namespace; not null
     * @param name      the name, which is the Service's; not null
     * @param condition the state to wait for; only called with an existing object
     * @param timeout   how long to wait at most; not null
     * @return the Endpoints in the state that satisfied the condition
     * @throws AssertionError on timeout, naming the object and the addresses it last listed
     */
    public Endpoints awaitEndpoints(String namespace, String name, Predicate<Endpoints> condition, Duration timeout) {
        return await(Endpoints.class, namespace, name, condition, timeout, SimulatedCluster::describe);
    }

    /**
     * Waits until the controllers have nothing left to do: no queued work, no pod start-up due, every
     * Deployment's pods and status and every selector Service's Endpoints (and EndpointSlice) matching the
     * objects on the server. Progress deadlines that lie further ahead do not count.
     *
     * @param timeout how long to wait at most; not null
     * @throws AssertionError if the cluster does not settle in time, naming what is still pending
     */
    public void awaitSettled(Duration timeout) {
        requireOpen();
        controlPlane.awaitSettled(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Returns the underlying mock server, e.g. for its expectations:
     * {@code server().expect().patch().withPath(path).andReturn(500, status).once()}. Expectations take
     * priority over the simulated storage for every client, the controllers' included; the path must
     * include the query string. Prefer {@link #faults()}, which leaves the controllers alone by default,
     * records what it did and can also drop connections.
     *
     * <p>The mock server's own listener ({@code server().getPort()}, {@code url()}, {@code createClient()}) is
     * not {@link #masterUrl()}: requests sent there reach the same storage and are recorded, but watches are
     * served there over WebSocket only, and faults that need the connection (reset, lost response, delay)
     * are answered with a 500 saying so.
     *
     * @return the mock server
     */
    public KubernetesMockServer server() {
        return server;
    }

    /**
     * Stops the controllers, closes every client and stops the server. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        controlPlane.close();
        // Clients first, so that the server does not tear connections down under them.
        clients.close();
        front.close();
        server.destroy();
    }

    /**
     * Tells whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Describes the cluster for logs.
     *
     * @return the server URL and namespace
     */
    @Override
    public String toString() {
        return "SimulatedCluster[" + masterUrl + ", namespace=" + namespace + "]";
    }

    /** The client the test kit's own helpers use; its requests count as the cluster's, not the user's. */
    KubernetesClient controllerClient() {
        return controllerClient;
    }

    private <T extends HasMetadata> T await(Class<T> type, String namespace, String name, Predicate<T> condition,
            Duration timeout, Function<T, String> describe) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(timeout, "timeout");
        requireOpen();
        try {
            return controllerClient.resources(type).inNamespace(namespace).withName(name)
                    .waitUntilCondition(object -> object != null && condition.test(object), timeout.toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            T last = controllerClient.resources(type).inNamespace(namespace).withName(name).get();
            throw new AssertionError(type.getSimpleName() + " " + namespace + "/" + name
                    + " did not reach the expected state within " + timeout + "; last seen: "
                    + (last == null ? "it does not exist" : describe.apply(last)), e);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static String describe(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus();
        String generation = "generation " + deployment.getMetadata().getGeneration();
        if (status == null) {
            return generation + ", no status";
        }
        return generation + ", observedGeneration " + status.getObservedGeneration()
                + ", replicas " + orZero(status.getReplicas())
                + ", updated " + orZero(status.getUpdatedReplicas())
                + ", ready " + orZero(status.getReadyReplicas())
                + ", available " + orZero(status.getAvailableReplicas())
                + ", conditions " + status.getConditions().stream()
                .map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ": " + c.getMessage() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String describe(Endpoints endpoints) {
        return "ready " + endpoints.getSubsets().stream().flatMap(s -> s.getAddresses().stream())
                .map(EndpointAddress::getIp).toList()
                + ", not ready " + endpoints.getSubsets().stream().map(EndpointSubset::getNotReadyAddresses)
                .flatMap(List::stream).map(EndpointAddress::getIp).toList();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was " + (value == null ? "null" : "\"" + value + "\""));
        }
        return value;
    }

    /**
     * Configures a {@link SimulatedCluster}. {@link #start()} copies the settings, so a builder can start
     * several clusters.
     */
    public static final class Builder {

        private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

        private String namespace = DEFAULT_NAMESPACE;
        private Duration readinessDelay = DEFAULT_READINESS_DELAY;
        private boolean endpointSlices = true;
        private final Map<String, PodBehavior> images = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the default namespace of the user clients.
         *
         * @param namespace a DNS-1123 label, e.g. {@code shop}
         * @return this builder
         * @throws IllegalArgumentException if {@code namespace} is not a DNS-1123 label
         */
        public Builder namespace(String namespace) {
            if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("namespace must be a DNS-1123 label (lower-case letters, digits and '-',"
                        + " at most 63), but was " + (namespace == null ? "null" : "\"" + namespace + "\""));
            }
            this.namespace = namespace;
            return this;
        }

        /**
         * Sets the time from a pod's creation to its final state (ready, never ready, crash-looping).
         *
         * @param readinessDelay zero (immediately) or more; default 10 ms
         * @return this builder
         * @throws IllegalArgumentException if negative or null
         */
        public Builder readinessDelay(Duration readinessDelay) {
            if (readinessDelay == null || readinessDelay.isNegative()) {
                throw new IllegalArgumentException("readinessDelay must be zero or positive, but was " + readinessDelay);
            }
            this.readinessDelay = readinessDelay;
            return this;
        }

        /**
         * Chooses whether the endpoints controller also maintains EndpointSlices (the default) or only
         * Endpoints, to test clients' fallback for clusters without slices.
         *
         * @param on true to maintain EndpointSlices
         * @return this builder
         */
        public Builder endpointSlices(boolean on) {
            this.endpointSlices = on;
            return this;
        }

        /**
         * Marks an image before start, like {@link SimulatedCluster#markImage}.
         *
         * @param image    the exact image reference; not blank
         * @param behavior how its containers behave; not null
         * @return this builder
         */
        public Builder image(String image, PodBehavior behavior) {
            images.put(requireText(image, "image"), Objects.requireNonNull(behavior, "behavior"));
            return this;
        }

        /**
         * Starts the cluster: server, clients, informers and controllers. Returns once the controllers watch.
         *
         * @return the running cluster; close it when done
         */
        public SimulatedCluster start() {
            return new SimulatedCluster(this);
        }
    }
}
