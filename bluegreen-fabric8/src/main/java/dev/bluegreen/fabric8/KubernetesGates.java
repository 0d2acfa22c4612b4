package dev.bluegreen.fabric8;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.internal.DeploymentAvailableGate;
import dev.bluegreen.fabric8.internal.EndpointsReadyGate;
import dev.bluegreen.fabric8.internal.JobGate;
import dev.bluegreen.fabric8.internal.LogErrorsGate;
import dev.bluegreen.fabric8.internal.PodRestartsGate;
import dev.bluegreen.fabric8.internal.ResourceUsageGate;
import dev.bluegreen.fabric8.internal.ServiceHttpGate;
import dev.bluegreen.fabric8.internal.VersionGate;
import dev.bluegreen.gates.HttpGate;
import dev.bluegreen.internal.Checks;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Kubernetes-native health gates: the checks the blue-green guide does by hand with kubectl and curl,
 * as {@link HealthGate}s. Every gate takes the namespace, the candidate's Deployment, the live Service,
 * the pod selector and the color label from the release's candidate ({@link KubernetesCandidate}, set by
 * the plans of {@link KubernetesBlueGreen}), never from a copy of the conventions; a gate given a
 * candidate of another adapter is inconclusive and says so. Repeat any of them with
 * {@link HealthGate#observe}.
 *
 * <pre>{@code
 * KubernetesGates k8s = KubernetesGates.using(client);
 * ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(client, myapp)
 *         .version("registry.example.com/myapp:v2")
 *         .preSwitchGate(k8s.deploymentAvailable())
 *         .preSwitchGate(k8s.podRestarts(Duration.ofSeconds(30)))
 *         .postSwitchGate(HealthGate.allOf("live",
 *                 k8s.endpointsReady(3), k8s.version(10), k8s.logErrors(), k8s.resourceUsageOfLimits(0.8)))
 *         .build();
 * }</pre>
 *
 * <p>Before the switch the live Service still selects the previous color: the gates that go through a
 * Service ({@link #endpointsReady(int)}, {@link #http}, {@link #version(int)}) belong after the switch,
 * or take another Service (e.g. a test Service of the candidate) where they offer it. Immutable.
 */
public final class KubernetesGates {
    /** Default pattern of {@link #logErrors()}: {@code ERROR}. */
    public static final Pattern DEFAULT_ERROR_PATTERN = Pattern.compile("ERROR");
    /** Default number of recent log lines read per container: 500. */
    public static final int DEFAULT_TAIL_LINES = 500;
    /** Default response header the version gate reads first: {@code X-Version}. */
    public static final String DEFAULT_VERSION_HEADER = "X-Version";

    private final KubernetesClient client;
    private final ServiceAddressResolver resolver;

    private KubernetesGates(KubernetesClient client, ServiceAddressResolver resolver) {
        this.client = client;
        this.resolver = resolver;
    }

    /**
     * @param client the client the gates read with; never null; never closed here
     * @return the gates, reaching Services with {@link ServiceAddressResolver#automatic(KubernetesClient)}
     */
    public static KubernetesGates using(KubernetesClient client) {
        Checks.nonNull("kubernetes client", client);
        return new KubernetesGates(client, ServiceAddressResolver.automatic(client));
    }

    /**
     * @param resolver how the HTTP gates reach a Service, e.g. the simulated cluster's data plane in tests; never null
     * @return gates that use it
     */
    public KubernetesGates serviceAddresses(ServiceAddressResolver resolver) {
        return new KubernetesGates(client, Checks.nonNull("service address resolver", resolver));
    }

    /**
     * The candidate's Deployment has every replica updated and available, and its rollout is complete
     * as {@code kubectl rollout status} decides.
     *
     * @return the gate, named {@code deployment-available}
     */
    public HealthGate deploymentAvailable() {
        return new DeploymentAvailableGate(client);
    }

    /**
     * The live Service has at least {@code minReady} ready addresses and every one is a pod of the
     * candidate's color (after the switch: traffic reaches only the new color).
     *
     * @param minReady the fewest ready addresses that pass; at least 1
     * @return the gate, named {@code endpoints-ready}
     */
    public HealthGate endpointsReady(int minReady) {
        Checks.atLeast("minimum ready endpoints", 1, minReady);
        return new EndpointsReadyGate(client, null, minReady);
    }

    /**
     * Like {@link #endpointsReady(int)} for another Service, e.g. the candidate's test Service before the switch.
     *
     * @param service  the Service's name for a context, e.g. {@code ctx -> "myapp-" + ctx.candidate().color() + "-test"}; never null
     * @param minReady the fewest ready addresses that pass; at least 1
     * @return the gate, named {@code endpoints-ready}
     */
    public HealthGate endpointsReady(Function<GateContext, String> service, int minReady) {
        Checks.nonNull("service", service);
        Checks.atLeast("minimum ready endpoints", 1, minReady);
        return new EndpointsReadyGate(client, service, minReady);
    }

    /**
     * No container of the candidate's pods restarted and none is in {@code CrashLoopBackOff}, at the
     * start and at the end of a window waited through the release's clock.
     *
     * @param window how long to watch; zero or positive
     * @return the gate, named {@code pod-restarts}
     */
    public HealthGate podRestarts(Duration window) {
        return podRestarts(window, 0);
    }

    /**
     * @param window      how long to watch; zero or positive
     * @param maxRestarts the most container restarts, summed over the candidate's pods, that pass; zero or more
     * @return the gate, named {@code pod-restarts}; {@code CrashLoopBackOff} always fails it
     */
    public HealthGate podRestarts(Duration window, int maxRestarts) {
        Checks.notNegative("restart window", window);
        Checks.atLeast("maximum restarts", 0, maxRestarts);
        return new PodRestartsGate(client, window, maxRestarts);
    }

    /**
     * No line containing {@code ERROR} in the last {@value #DEFAULT_TAIL_LINES} lines of any container of
     * the candidate's pods.
     *
     * @return the gate, named {@code log-errors}
     */
    public HealthGate logErrors() {
        return logErrors(DEFAULT_ERROR_PATTERN, 0, DEFAULT_TAIL_LINES);
    }

    /**
     * @param pattern   what an error line contains (found anywhere in it); never null
     * @param maxLines  the most matching lines, summed over the candidate's pods, that pass; zero or more
     * @param tailLines how many recent lines of each container are read; at least 1
     * @return the gate, named {@code log-errors}
     */
    public HealthGate logErrors(Pattern pattern, int maxLines, int tailLines) {
        Checks.nonNull("log pattern", pattern);
        Checks.atLeast("maximum matching log lines", 0, maxLines);
        Checks.atLeast("log tail lines", 1, tailLines);
        return new LogErrorsGate(client, pattern, maxLines, tailLines);
    }

    /**
     * The HTTP gate of bluegreen-gates against the candidate's live Service (after the switch), at an
     * address this module resolves for it (see {@link #serviceAddresses}).
     *
     * @param name      the gate's name; never blank
     * @param path      the request's path, e.g. {@code /health}; starts with {@code /}
     * @param configure sets what the response must satisfy ({@code expectStatus}, {@code jsonField}, headers,
     *                  policies) on the builder it is given; the URL it sets is replaced; never null
     * @return the gate
     */
    public HealthGate http(String name, String path, UnaryOperator<HttpGate.Builder> configure) {
        return http(name, null, null, path, configure);
    }

    /**
     * The HTTP gate of bluegreen-gates against a Service chosen per context, e.g. the candidate's test
     * Service before the switch.
     *
     * @param name      the gate's name; never blank
     * @param service   the Service's name for a context; null means the candidate's live Service
     * @param port      the Service port's name or number; null means its first port
     * @param path      the request's path; starts with {@code /}
     * @param configure sets what the response must satisfy; never null
     * @return the gate
     */
    public HealthGate http(String name, Function<GateContext, String> service, String port, String path,
                           UnaryOperator<HttpGate.Builder> configure) {
        Checks.nonBlank("gate name", name);
        path(path);
        Checks.nonNull("HTTP gate configuration", configure);
        return new ServiceHttpGate(name, resolver, service, port, path, configure);
    }

    /**
     * The guide's {@code curl /version} loop: {@code requests} GETs of {@code /version} through the live
     * Service all answer the release's version ({@link GateContext#version()}), read from the
     * {@value #DEFAULT_VERSION_HEADER} header when the answer has it, else from the body.
     *
     * @param requests how many requests; at least 1
     * @return the gate, named {@code version}
     */
    public HealthGate version(int requests) {
        return version(requests, "/version", DEFAULT_VERSION_HEADER, GateContext::version);
    }

    /**
     * @param requests how many requests; at least 1
     * @param path     the path answering the version; starts with {@code /}
     * @param header   a response header read first when present; null to read only the body
     * @param expected the version expected for a context, e.g. the image's tag; never null
     * @return the gate, named {@code version}
     */
    public HealthGate version(int requests, String path, String header, Function<GateContext, String> expected) {
        Checks.atLeast("version requests", 1, requests);
        path(path);
        Checks.nonNull("expected version", expected);
        return new VersionGate(resolver, requests, path, header, expected);
    }

    /**
     * CPU and memory of each of the candidate's pods, from the metrics API ({@code metrics.k8s.io}, what
     * {@code kubectl top pods} reads), stay under thresholds. No metrics yet is inconclusive.
     *
     * @param maxCpuMillicores the most CPU a pod may use, in millicores; at least 1
     * @param maxMemoryMiB     the most memory a pod may use, in MiB; at least 1
     * @return the gate, named {@code resource-usage}
     */
    public HealthGate resourceUsage(int maxCpuMillicores, int maxMemoryMiB) {
        Checks.atLeast("maximum CPU millicores", 1, maxCpuMillicores);
        Checks.atLeast("maximum memory MiB", 1, maxMemoryMiB);
        return new ResourceUsageGate(client, maxCpuMillicores, maxMemoryMiB, 0);
    }

    /**
     * Each container of the candidate's pods uses at most a fraction of its CPU and memory limits
     * (containers without limits are not judged).
     *
     * @param fraction e.g. 0.8; above 0 and at most 1
     * @return the gate, named {@code resource-usage}
     */
    public HealthGate resourceUsageOfLimits(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new ConfigurationException("fraction of limits must be above 0 and at most 1, but was " + fraction);
        }
        return new ResourceUsageGate(client, 0, 0, fraction);
    }

    /**
     * Argo's job analysis: runs a Job, e.g. the team's integration tests in the cluster, in the app's
     * namespace (unless the template names one) and passes when it succeeds; the result's reason carries
     * its last 20 log lines. The Job's name gets a random suffix, so each evaluation runs a new Job.
     *
     * @param name    the gate's name, also the Job's name when the template has none; a DNS label
     * @param job     the Job to run; never null
     * @param timeout how long it may run; the Job is deleted and the gate fails after that; positive
     * @return the gate
     */
    public HealthGate job(String name, Job job, Duration timeout) {
        return job(name, job, (context, template) -> template, timeout);
    }

    /**
     * @param name      the gate's name; a DNS label
     * @param job       the Job to run; never null
     * @param customize adapts a copy of the Job to the context, e.g. sets the candidate's Service as an
     *                  environment variable; never null
     * @param timeout   how long it may run; positive
     * @return the gate
     */
    public HealthGate job(String name, Job job, BiFunction<GateContext, Job, Job> customize, Duration timeout) {
        Checks.dnsLabel("job gate name", name);
        Checks.nonNull("job", job);
        Checks.nonNull("job customization", customize);
        Checks.positive("job timeout", timeout);
        return new JobGate(client, name, job, customize, timeout, 20);
    }

    private static void path(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new ConfigurationException("path must start with '/', but was " + Checks.quote(path));
        }
    }

    @Override
    public String toString() {
        return "KubernetesGates[" + client.getMasterUrl() + "]";
    }
}
