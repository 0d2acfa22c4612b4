package dev.bluegreen.testkit;

import dev.bluegreen.testkit.internal.ClientFactory;
import dev.bluegreen.testkit.internal.ControlPlane;
import dev.bluegreen.testkit.internal.DataPlaneRuntime;
import dev.bluegreen.testkit.internal.HttpFront;
import dev.bluegreen.testkit.internal.LogStore;
import dev.bluegreen.testkit.internal.RecordingDispatcher;
import dev.bluegreen.testkit.internal.RequestHooks;
import dev.bluegreen.testkit.internal.ResourceUsage;
import dev.bluegreen.testkit.internal.SimClock;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *   <li>The API server has a real one's write semantics for the kinds a release touches: defaults
 *       (Deployment strategy 25%/25%, {@code progressDeadlineSeconds} 600, {@code revisionHistoryLimit} 10,
 *       pod {@code terminationGracePeriodSeconds} 30, Service cluster IP and type), 422 {@code Invalid} for
 *       invalid names, a selector that does not match the template, a changed immutable field (Deployment
 *       selector, Service cluster IP), status kept by writes of the object and written through
 *       {@code /status}, finalizers, and graceful deletion of pods.</li>
 *   <li>Deployments roll out through ReplicaSets as the real controller does: {@code pod-template-hash},
 *       revisions, rolling updates within {@code maxSurge}/{@code maxUnavailable}, Recreate, {@code paused},
 *       {@code minReadySeconds}, {@code revisionHistoryLimit}, and the {@code Available} and
 *       {@code Progressing} conditions with the progress deadline counted from the last progress.</li>
 *   <li>The kubelet runs the pods bound to node {@code sim-node-1} (IP {@code 10.244.x.y}): {@code Pending}
 *       for the start delay, then as the image's {@link PodBehavior} says ({@link #markImage}): ready by the
 *       readiness probe's timing, never ready, crash-looping, failing to pull, turning unready; a deleted pod
 *       keeps running until its grace period ends. Logs: {@link #podLogs()}.</li>
 *   <li>Services with a selector get Endpoints and EndpointSlices (100 endpoints per slice) listing the
 *       selected pods, terminating ones as not ready, serving and terminating.</li>
 *   <li>Jobs ({@code batch/v1}) run as the Job controller runs them: pods from the template (labels
 *       {@code job-name}, {@code controller-uid} and their {@code batch.kubernetes.io/} forms, owner reference),
 *       {@code completions}, {@code parallelism}, the back-off between failed pods, {@code backoffLimit}
 *       ({@code Failed}, {@code BackoffLimitExceeded}), {@code activeDeadlineSeconds} ({@code DeadlineExceeded}),
 *       {@code ttlSecondsAfterFinished}; status counts, times and the conditions {@code SuccessCriteriaMet}/
 *       {@code Complete} or {@code FailureTarget}/{@code Failed}. Their containers succeed or fail as the image's
 *       {@link PodBehavior#succeedsAfter} or {@link PodBehavior#failsAfter} says, with their log lines; failed
 *       pods stay, so {@code GET .../pods/<name>/log} reads why.</li>
 *   <li>ResourceQuotas: {@code status.hard} and {@code status.used} from the namespace's pods ({@code pods},
 *       {@code requests.*}, {@code limits.*} for CPU and memory), and the quota admission plug-in: a pod past a
 *       quota is refused with 403 {@code Forbidden} and the server's message ({@code exceeded quota: <name>,
 *       requested: ..., used: ..., limited: ...}, or {@code failed quota: <name>: must specify ...}); a ReplicaSet
 *       whose pods are refused reports {@code ReplicaFailure} ({@code FailedCreate}), which its Deployment copies,
 *       and {@code FailedCreate} Events.</li>
 *   <li>Ingresses ({@code networking.k8s.io/v1}) are validated as the API server validates them (422 worded as it
 *       words it) and get {@code status.loadBalancer.ingress} {@code 127.0.0.1} from the simulated ingress
 *       controller. The Gateway API's CRDs are installed ({@code gateway.networking.k8s.io}); HTTPRoutes get their
 *       schema's defaults and, per parent Gateway, {@code status.parents[]} with {@code Accepted} and
 *       {@code ResolvedRefs} ({@code BackendNotFound} for a missing Service); Gateways get {@code Accepted},
 *       {@code Programmed}, an address and per-listener status.</li>
 *   <li>The resource metrics API ({@code metrics.k8s.io/v1beta1} {@code PodMetrics} and {@code NodeMetrics}), as
 *       {@code kubectl top} and fabric8's {@code client.top()} read it, reports per running container the CPU and
 *       memory its image's {@link PodBehavior#withUsage} states.</li>
 *   <li>Time: everything the objects state in seconds runs on a simulated clock ({@link #clock()}),
 *       {@link Builder#timeScale} times faster than real time (default 100).</li>
 *   <li>kubectl works against it ({@link #writeKubeconfig}, {@link Kubectl}): {@code /version}, discovery (aggregated
 *       and legacy), OpenAPI documents that make kubectl validate through the server, server-side printing
 *       (the columns of {@code kubectl get}), strategic merge patches with the built-in kinds' merge keys and
 *       directives (a 415 for custom resources), the scale subresource as {@code autoscaling/v1 Scale},
 *       field validation ({@code fieldValidation=Strict|Warn|Ignore}), lists sorted by namespace and name,
 *       and watches over plain HTTP that start after the resourceVersion they ask for.</li>
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
 *   <li>Data plane ({@link #dataPlane()}, started on first use): every pod whose container runs answers real
 *       HTTP on its own port of 127.0.0.1 ({@code /health}, {@code /ready}, {@code /version}, {@code /metrics},
 *       any other path) as its image's {@link HttpBehavior} says ({@link #markImage(String, HttpBehavior)}:
 *       latency, error ratio, version, custom paths), from the container's start to the end of its grace
 *       period. {@code serviceUrl}, {@code ingressUrl}, {@code gatewayUrl} and {@code httpRouteUrl} are local
 *       proxies that route each request to a ready endpoint, as the EndpointSlices, Ingresses and HTTPRoutes
 *       say when the request arrives, so they follow a selector switch within milliseconds and never send a new
 *       request to a terminating pod while letting its requests in flight finish. {@link LoadGenerator} sends
 *       bounded load to such an address and counts every request by status and version.</li>
 * </ul>
 *
 * <h2>What differs from a real cluster</h2>
 * <ul>
 *   <li>One node ({@code sim-node-1}); the ReplicaSet controller binds pods to it directly: no scheduler, no
 *       resource accounting, no node failures.</li>
 *   <li>Readiness is simulated from the probe's timing and the image's {@link PodBehavior}; probes are not HTTP
 *       requests to the pod (its {@code /ready} reports the simulated state), and liveness probes are not
 *       run.</li>
 *   <li>Kinds other than those the API server simulates (see the test kit's README; StatefulSets, DaemonSets,
 *       CronJobs and custom resources among them) keep the mock's handling: stored as sent, without defaults,
 *       validation or status.</li>
 *   <li>Jobs: non-indexed only; {@code podFailurePolicy}, {@code successPolicy} and {@code backoffLimitPerIndex}
 *       are not simulated; pods get no {@code batch.kubernetes.io/job-tracking} finalizer and are created all at
 *       once (no slow-start batches); a Job container whose image has no {@link PodBehavior#succeedsAfter} or
 *       {@link PodBehavior#failsAfter} runs until it is stopped, as a server would. Container exits are not
 *       pending work for {@link #awaitSettled}: wait with {@link #awaitJob}.</li>
 *   <li>ResourceQuotas are enforced from the moment they exist, from the pods stored at admission (a real server
 *       waits for the quota controller's first status, then charges {@code status.used}); only what pods use is
 *       evaluated ({@code pods}, {@code count/pods}, {@code cpu}, {@code memory}, {@code requests.*},
 *       {@code limits.*}): object counts, storage, extended resources and scopes are not.</li>
 *   <li>Every Ingress gets the address {@code 127.0.0.1} whatever its class; TLS sections and class names are
 *       not validated. Every Gateway is taken whatever its GatewayClass, ReferenceGrants are not checked (a
 *       cross-namespace backend resolves) and the Gateway API CRDs' schemas validate nothing.</li>
 *   <li>Argo Rollouts: the CRDs of {@code argoproj.io/v1alpha1} Rollout and AnalysisRun are installed, and a
 *       blue-green controller runs Rollouts on simulated ReplicaSets (a ReplicaSet per template with
 *       {@code rollouts-pod-template-hash} and {@code rollout.argoproj.io/revision}, preview Service on the new
 *       revision, {@code BlueGreenPause} when {@code autoPromotionEnabled} is false, promote, abort and retry,
 *       {@code scaleDownDelaySeconds}, {@code abortScaleDownDelaySeconds}, {@code restartAt}, the status and phase
 *       the real controller writes). Canary, analysis (AnalysisRuns are only stored), {@code workloadRef},
 *       {@code previewReplicaCount} beyond the count, {@code rollbackWindow} and the revision history limit are not
 *       simulated, and template hashes differ from Argo's.</li>
 *   <li>Metrics: each image's usage is constant, is there as soon as a container runs (metrics-server needs a
 *       scrape or two, 15 s or more) and the window is always 15 s.</li>
 *   <li>The data plane balances per request, round robin over the ready endpoints (kube-proxy: per
 *       connection, at random); with no ready endpoint it answers 503 at once, where kube-proxy 1.28 and later
 *       would still use serving terminating endpoints; a pod answers on any port; each Service port, Ingress
 *       host, Gateway host and HTTPRoute has its own local HTTP/1.1 address instead of a cluster IP or a shared
 *       load balancer address with virtual hosts; Gateways, {@code parentRefs}, route filters and ingress
 *       classes are not looked at. See {@link DataPlane}.</li>
 *   <li>Durations stated in objects run on the simulated clock, {@link #timeScale()} times faster; HTTP
 *       latencies of the data plane are real time.</li>
 * </ul>
 *
 * <p>The controllers react to watch events on one background thread; nothing polls. Use
 * {@link #awaitDeployment}, {@link #awaitPod} and {@link #awaitSettled} instead of sleeping. The mock's
 * per-request logging is off unless the system property {@code bluegreen.testkit.verbose} is {@code true}
 * or a logging configuration sets a level for it. Defects of the mock corrected for every resource: JSON
 * merge patches follow RFC 7386 (arrays are replaced, {@code null} removes a key), closing a watch while
 * events flow no longer hangs the server, and watches are served over plain HTTP too (one JSON event per
 * line), as {@code kubectl get -w} asks and as fabric8 falls back to when a WebSocket upgrade fails.
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
 *
 * // Real HTTP under a release: no request may fail while the Service switches.
 * cluster.markImage("shop:v2", HttpBehavior.DEFAULT.withLatency(Duration.ofMillis(2)));
 * URI shop = cluster.dataPlane().serviceUrl("default", "shop-service");
 * try (LoadGenerator load = LoadGenerator.to(shop).concurrency(8).ratePerSecond(400).start()) {
 *   // ... release shop:v2 ...
 *   LoadReport report = load.stop();
 *   assertEquals(0, report.failed(), report::summary);   // report.byVersion(): {shop:v1=..., shop:v2=...}
 * }
 * }</pre>
 */
public final class SimulatedCluster implements AutoCloseable {

    /** The namespace of {@link #client()} unless {@link Builder#namespace} says otherwise. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** The real time from a pod's creation to its containers starting unless {@link Builder#startDelay} says otherwise. */
    public static final Duration DEFAULT_START_DELAY = Duration.ofMillis(10);
    /**
     * The former name of {@link #DEFAULT_START_DELAY}.
     *
     * @deprecated pods now become ready as their readiness probe says; use {@link #DEFAULT_START_DELAY}
     */
    @Deprecated
    public static final Duration DEFAULT_READINESS_DELAY = DEFAULT_START_DELAY;
    /**
     * Simulated seconds per real second unless {@link Builder#timeScale} says otherwise: a simulated second
     * lasts 10 real milliseconds, so a probe's 5 s initial delay takes 50 ms, a 30 s grace period 0.3 s and the
     * default 600 s progress deadline 6 s. Faster scales make tests faster but let a stalled machine (the
     * controllers' own work takes real time) look like a stalled rollout sooner.
     */
    public static final double DEFAULT_TIME_SCALE = 100;
    /** The {@code User-Agent} of the cluster's own requests, which {@link RequestLog#fromUsers()} leaves out. */
    public static final String CONTROLLER_USER_AGENT = "bluegreen-testkit-controllers";
    /** The name of the cluster, user and context in the files {@link #writeKubeconfig} writes. */
    public static final String KUBECONFIG_CONTEXT = "bluegreen-simulated";

    private final String namespace;
    private final RequestLog requests = new RequestLog();
    private final Faults faults = new Faults();
    private final Map<String, PodBehavior> imageBehaviors;
    private final Map<String, HttpBehavior> httpBehaviors;
    private final boolean endpointSlices;
    private final RequestHooks hooks;
    private final KubernetesMockServer server;
    private final HttpFront front;
    private final String masterUrl;
    private final ClientFactory clients;
    private final KubernetesClient controllerClient;
    private final KubernetesClient client;
    private final ControlPlane controlPlane;
    private final SimClock simulatedClock;
    private final PodLogs podLogs;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object dataPlaneLock = new Object();
    /** Started on first use; guarded by {@link #dataPlaneLock}. */
    private DataPlaneRuntime dataPlaneRuntime;
    private DataPlane dataPlane;

    private SimulatedCluster(Builder builder) {
        QuietLogging.apply();
        Clock clock = Clock.systemUTC();
        simulatedClock = new SimClock(builder.timeScale);
        LogStore logs = new LogStore();
        podLogs = new PodLogs(logs, simulatedClock);
        namespace = builder.namespace;
        imageBehaviors = new ConcurrentHashMap<>(builder.images);
        httpBehaviors = new ConcurrentHashMap<>(builder.httpImages);
        endpointSlices = builder.endpointSlices;
        hooks = new RequestHooks(clock);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        ResourceUsage usage = new ResourceUsage();
        RecordingDispatcher dispatcher = new RecordingDispatcher(responses, requests::record, faults::match,
                CONTROLLER_USER_AGENT, clock, simulatedClock, logs, usage);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server.init(loopback, 0);
        // The mock answers /version with major "0" and no gitVersion through an expectation it sets on start;
        // the simulated API server answers it as a real one. An expectation a test sets still comes first.
        responses.remove(new io.fabric8.mockwebserver.internal.SimpleRequest(io.fabric8.mockwebserver.dsl.HttpMethod.GET,
                "/version"));
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
            ControlPlane.Settings settings = new ControlPlane.Settings(simulatedClock.toSimulated(builder.startDelay),
                    builder.endpointSlices, image -> imageBehaviors.getOrDefault(image, PodBehavior.HEALTHY), logs, usage);
            controlPlane = ControlPlane.start(controllerClient, settings, simulatedClock);
        } catch (RuntimeException e) {
            clients.close();
            front.close();
            server.destroy();
            throw e;
        }
    }

    /**
     * Starts a cluster with the defaults: namespace {@value #DEFAULT_NAMESPACE}, start delay 10 ms, time scale
     * 100, EndpointSlices on, every image healthy.
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
     * Writes a kubeconfig file that points at this cluster, so that {@code kubectl} (or any client that reads
     * kubeconfig files) can talk to it: one cluster, user and context named {@value #KUBECONFIG_CONTEXT}, the
     * context's namespace {@link #namespace()}, plain HTTP to {@link #masterUrl()} and no credentials (the
     * simulated API server authenticates nobody). Use it as {@code kubectl --kubeconfig <file> ...} or with the
     * {@code KUBECONFIG} environment variable. The file names the cluster's port, so it is only good while the
     * cluster runs.
     *
     * <p>kubectl finds what it needs on the simulated server: version, discovery, server-side printing for
     * {@code kubectl get}, OpenAPI documents that let it validate through the server
     * ({@code fieldValidation=Strict}) without {@code --validate=false}, strategic merge patches, the scale
     * subresource and watches over plain HTTP.
     *
     * @param file where to write; its parent directories are created; an existing file is replaced
     * @return {@code file}
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public Path writeKubeconfig(Path file) {
        Objects.requireNonNull(file, "file");
        requireOpen();
        String server = masterUrl.endsWith("/") ? masterUrl.substring(0, masterUrl.length() - 1) : masterUrl;
        String yaml = "apiVersion: v1\n"
                + "kind: Config\n"
                + "preferences: {}\n"
                + "clusters:\n"
                + "- name: " + KUBECONFIG_CONTEXT + "\n"
                + "  cluster:\n"
                + "    server: " + server + "\n"
                + "users:\n"
                + "- name: " + KUBECONFIG_CONTEXT + "\n"
                + "  user: {}\n"
                + "contexts:\n"
                + "- name: " + KUBECONFIG_CONTEXT + "\n"
                + "  context:\n"
                + "    cluster: " + KUBECONFIG_CONTEXT + "\n"
                + "    user: " + KUBECONFIG_CONTEXT + "\n"
                + "    namespace: " + namespace + "\n"
                + "current-context: " + KUBECONFIG_CONTEXT + "\n";
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the kubeconfig file " + file, e);
        }
    }

    /**
     * Returns the cluster's simulated time, which every timestamp the cluster writes comes from (conditions,
     * events, creation and deletion timestamps) and which the simulated controllers wait by (probe periods,
     * grace periods, back-offs, progress deadlines, {@code minReadySeconds}). It runs {@link #timeScale()}
     * times faster than real time from the cluster's start.
     *
     * @return the simulated clock, in UTC
     */
    public Clock clock() {
        return simulatedClock;
    }

    /**
     * Returns how many simulated seconds pass per real second.
     *
     * @return {@link #DEFAULT_TIME_SCALE} unless configured otherwise
     */
    public double timeScale() {
        return simulatedClock.scale();
    }

    /**
     * Returns the containers' logs, as {@code GET .../pods/<name>/log} serves them; tests may add lines.
     *
     * @return the logs; never null
     */
    public PodLogs podLogs() {
        return podLogs;
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
     * Makes the pods of {@code image} whose serving container starts from now on answer HTTP on the
     * {@link #dataPlane()} with {@code behavior}: latency, error ratio, version string, custom paths. Independent
     * of the image's {@link PodBehavior}, which says whether and when the container runs and is ready. Setting
     * it does not start the data plane.
     *
     * @param image    the exact image reference, e.g. {@code shop:v2}; not blank
     * @param behavior how its pods answer HTTP; not null
     */
    public void markImage(String image, HttpBehavior behavior) {
        httpBehaviors.put(requireText(image, "image"), Objects.requireNonNull(behavior, "behavior"));
    }

    /**
     * Returns the cluster's loopback HTTP data plane, starting it on the first call: every running pod answers
     * HTTP on its own port of 127.0.0.1, and Services, Ingress hosts and HTTPRoutes get local addresses that
     * route to their ready pods and follow every change. Starting it takes a few milliseconds (informers for
     * Services and EndpointSlices, a server per running pod); a cluster that never calls this method runs no
     * part of it. See {@link DataPlane}.
     *
     * @return the data plane; stopped, with its ports released, when the cluster closes
     * @throws IllegalStateException if the cluster is closed
     */
    public DataPlane dataPlane() {
        synchronized (dataPlaneLock) {
            requireOpen();
            if (dataPlane == null) {
                dataPlaneRuntime = DataPlaneRuntime.start(controllerClient, controlPlane, endpointSlices,
                        image -> httpBehaviors.getOrDefault(image, HttpBehavior.DEFAULT));
                dataPlane = new DataPlane(dataPlaneRuntime);
            }
            return dataPlane;
        }
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
     * Waits, with a watch, until the pod exists and satisfies {@code condition}.
     *
     * @param namespace the pod's namespace; not null
     * @param name      the pod's name; not null
     * @param condition the state to wait for; only called with an existing pod
     * @param timeout   how long to wait at most, in real time; not null
     * @return the pod in the state that satisfied the condition
     * @throws AssertionError on timeout, naming the pod and its last phase and conditions
     */
    public Pod awaitPod(String namespace, String name, Predicate<Pod> condition, Duration timeout) {
        return await(Pod.class, namespace, name, condition, timeout, SimulatedCluster::describe);
    }

    /**
     * Waits, with a watch, until the Job exists and satisfies {@code condition}, e.g. until it has finished:
     * {@code job -> job.getStatus() != null && job.getStatus().getCompletionTime() != null}.
     *
     * @param namespace the Job's namespace; not null
     * @param name      the Job's name; not null
     * @param condition the state to wait for; only called with an existing Job
     * @param timeout   how long to wait at most, in real time; not null
     * @return the Job in the state that satisfied the condition
     * @throws AssertionError on timeout, naming the Job and its last counts and conditions
     */
    public Job awaitJob(String namespace, String name, Predicate<Job> condition, Duration timeout) {
        return await(Job.class, namespace, name, condition, timeout, SimulatedCluster::describe);
    }

    /**
     * Waits until the controllers have nothing left to do: no queued work, no pod start-up, probe or graceful
     * termination due, every Deployment's ReplicaSets and status, every ReplicaSet's pods and status and every
     * selector Service's Endpoints (and EndpointSlices) matching the objects on the server. Events further
     * ahead that a settled cluster may be waiting for do not count: progress deadlines, crash-loop restarts,
     * a {@link PodBehavior#readyThenUnready} pod turning unready.
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
     * Stops the data plane (releasing its ports) and the controllers, closes every client and stops the
     * server. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (dataPlaneLock) {
            if (dataPlaneRuntime != null) {
                dataPlaneRuntime.close();
            }
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

    private static String describe(Pod pod) {
        if (pod.getStatus() == null) {
            return "no status";
        }
        return "phase " + pod.getStatus().getPhase()
                + (pod.getMetadata().getDeletionTimestamp() == null ? "" : ", deletionTimestamp " + pod.getMetadata().getDeletionTimestamp())
                + ", conditions " + pod.getStatus().getConditions().stream()
                .map(c -> c.getType() + "=" + c.getStatus()).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String describe(Job job) {
        JobStatus status = job.getStatus();
        if (status == null) {
            return "no status";
        }
        return "active " + orZero(status.getActive()) + ", succeeded " + orZero(status.getSucceeded())
                + ", failed " + orZero(status.getFailed()) + ", conditions " + status.getConditions().stream()
                .map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ")")
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
        private Duration startDelay = DEFAULT_START_DELAY;
        private double timeScale = DEFAULT_TIME_SCALE;
        private boolean endpointSlices = true;
        private final Map<String, PodBehavior> images = new LinkedHashMap<>();
        private final Map<String, HttpBehavior> httpImages = new LinkedHashMap<>();

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
         * Sets the real time from a pod's creation to its containers starting (image pull and start), while the
         * pod is {@code Pending}. Readiness follows, as the containers' readiness probes say.
         *
         * @param startDelay zero (immediately) or more, in real time; default 10 ms
         * @return this builder
         * @throws IllegalArgumentException if negative or null
         */
        public Builder startDelay(Duration startDelay) {
            if (startDelay == null || startDelay.isNegative()) {
                throw new IllegalArgumentException("startDelay must be zero or positive, but was " + startDelay);
            }
            this.startDelay = startDelay;
            return this;
        }

        /**
         * The former name of {@link #startDelay}.
         *
         * @param readinessDelay zero or more, in real time
         * @return this builder
         * @throws IllegalArgumentException if negative or null
         * @deprecated pods now become ready as their readiness probe says once started; use {@link #startDelay}
         */
        @Deprecated
        public Builder readinessDelay(Duration readinessDelay) {
            if (readinessDelay == null || readinessDelay.isNegative()) {
                throw new IllegalArgumentException("readinessDelay must be zero or positive, but was " + readinessDelay);
            }
            this.startDelay = readinessDelay;
            return this;
        }

        /**
         * Sets how many simulated seconds pass per real second: the durations objects state (probe delays and
         * periods, grace periods, back-offs, progress deadlines, {@code minReadySeconds}) take that many times
         * less real time. 1 runs in real time.
         *
         * @param simulatedSecondsPerSecond positive; default {@value SimulatedCluster#DEFAULT_TIME_SCALE}
         * @return this builder
         * @throws IllegalArgumentException if not positive and finite
         */
        public Builder timeScale(double simulatedSecondsPerSecond) {
            if (!(simulatedSecondsPerSecond > 0) || Double.isInfinite(simulatedSecondsPerSecond)) {
                throw new IllegalArgumentException("timeScale must be positive, but was " + simulatedSecondsPerSecond);
            }
            this.timeScale = simulatedSecondsPerSecond;
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
         * Sets, before start, how the pods of an image answer HTTP on the data plane, like
         * {@link SimulatedCluster#markImage(String, HttpBehavior)}.
         *
         * @param image    the exact image reference; not blank
         * @param behavior how its pods answer HTTP; not null
         * @return this builder
         */
        public Builder image(String image, HttpBehavior behavior) {
            httpImages.put(requireText(image, "image"), Objects.requireNonNull(behavior, "behavior"));
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
