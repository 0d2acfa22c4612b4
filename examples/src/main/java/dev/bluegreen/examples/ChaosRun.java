package dev.bluegreen.examples;

import dev.bluegreen.Color;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.fabric8.KubernetesOptions;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.RequestLog;
import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One run of the chaos matrix: a fresh namespace with the guide's app (myapp v1 live on blue, 3
 * replicas), a manual clock shared by the engines and the Lease, a timeline of every version of
 * the Service, the Deployments and the Lease, the foreign edits the run made, and the invariant
 * checks. Every client of the SDK gets a user agent of its own, so the request log says who sent what.
 */
final class ChaosRun implements AutoCloseable {
    static final String APP = "myapp";
    static final String SERVICE = "myapp-service";
    static final String LEASE = "myapp-bluegreen";
    static final String V1 = "myapp:v1";
    static final String V2 = "myapp:v2";
    static final String V3 = "myapp:v3";
    static final String NOTE = "chaos.bluegreen.dev/operator-note";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An edit someone else made: an operator with kubectl. */
    record ForeignEdit(String kind, String object, long rv, String when, boolean afterFirstRead, String value,
                       int logIndex) {
        @Override
        public String toString() {
            return kind + " of " + object + " to " + value + " at " + when + " (rv " + rv + ")";
        }
    }

    /** The state of the app at one point: the Service's color and each Deployment. */
    record State(String selector, Map<String, ChaosTimeline.Entry> deployments, Map<String, String> serviceAnnotations,
                 String leaseHolder) {
        Optional<ChaosTimeline.Entry> deployment(String color) {
            return Optional.ofNullable(deployments.get(APP + "-" + color));
        }

        String describe() {
            StringBuilder text = new StringBuilder("Service -> " + selector);
            deployments.values().stream().sorted(java.util.Comparator.comparing(ChaosTimeline.Entry::name))
                    .forEach(d -> text.append("; ").append(d.name()).append(' ').append(d.image()).append(" x")
                            .append(d.replicas()).append(" (").append(d.available()).append(" available)"));
            return text.toString();
        }
    }

    final SimulatedCluster cluster;
    final KubernetesClient observer;
    final String namespace;
    final ManualTimeSource time = TimeSource.manual(T0);
    final BlueGreenConventions conventions;
    final KubernetesOptions options;
    final ChaosTimeline timeline;
    final RequestLog.Mark mark;
    final long startRv;
    final List<ForeignEdit> foreign = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** Violations that are the documented limitation: a foreign switch between the SDK's guard read and its write. */
    final List<String> limitations = new CopyOnWriteArrayList<>();
    final List<String> notes = new CopyOnWriteArrayList<>();
    private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
    private final Set<String> sdkAgents = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ChaosRun(SimulatedCluster cluster, KubernetesClient observer, String namespace) {
        this.cluster = cluster;
        this.observer = observer;
        this.namespace = namespace;
        BlueGreenApp.named(APP).namespace(namespace).image(V1).replicas(3).create(cluster);
        this.conventions = BlueGreenConventions.forApp(APP).namespace(namespace).build();
        this.options = KubernetesOptions.builder().time(time).build();
        this.timeline = new ChaosTimeline(observer, namespace, "version");
        cluster.awaitSettled(WAIT);
        this.startRv = caughtUp().rv;
        this.mark = cluster.requests().mark();
    }

    /** @return the user agent of a role's client in this run */
    String agent(String role) {
        return "chaos-" + role + "/" + namespace;
    }

    /**
     * @param role       who uses it, e.g. {@code release}, {@code zombie}, {@code operator}
     * @param ownRetries whether fabric8 retries 5xx, 429 and resets itself (its default)
     * @return a client of the SDK (or of the operator) with a user agent of its own
     */
    KubernetesClient client(String role, boolean ownRetries) {
        KubernetesClient client = cluster.newClient(config -> {
            config.withUserAgent(agent(role));
            return ownRetries ? config : config.withRequestRetryBackoffLimit(0);
        });
        clients.add(client);
        if (!role.equals("operator")) {
            sdkAgents.add(agent(role));
        }
        return client;
    }

    /** The plan every run releases: v2 (or another version) with gates, an observation window and retention. */
    ReleasePlan plan(KubernetesClient client, String version) {
        return plan(client, version, false);
    }

    /** The plan, optionally with an observation that fails, so that the release rolls back. */
    ReleasePlan plan(KubernetesClient client, String version, boolean observationFails) {
        HealthGate ready = candidateAvailable(client);
        HealthGate observed = observationFails ? HealthGate.named("chaos-failing",
                ctx -> GateResult.failed("the chaos matrix makes this observation fail")) : ready;
        ReleasePlan.Builder plan = KubernetesBlueGreen.serviceSelectorPlan(client, conventions, options)
                .version(version)
                .preSwitchGate(ready)
                .postSwitchGate(HealthGate.observe(observed).every(Duration.ofSeconds(10)).lasting(Duration.ofSeconds(30))
                        .build())
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1)));
        for (StandardStep step : StandardStep.values()) {
            plan.timeout(step, Duration.ofSeconds(step == StandardStep.OBSERVE ? 60 : 15));
        }
        return plan.build();
    }

    /** A gate that reads the candidate's Deployment through the release's own client. */
    private HealthGate candidateAvailable(KubernetesClient client) {
        return HealthGate.named("candidate-available", ctx -> {
            Deployment deployment = client.apps().deployments().inNamespace(namespace)
                    .withName(APP + "-" + ctx.candidate().color().name()).get();
            Integer available = deployment == null || deployment.getStatus() == null ? null
                    : deployment.getStatus().getAvailableReplicas();
            String image = deployment == null ? null
                    : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            return available != null && available > 0 && ctx.candidate().version().equals(image)
                    ? GateResult.passed(available + " available running " + image)
                    : GateResult.failed((available == null ? 0 : available) + " available running " + image);
        });
    }

    /** @return an engine builder on the run's clock */
    ReleaseEngine.Builder engine(String host) {
        return ReleaseEngine.builder().time(time).host(host);
    }

    // ---------------------------------------------------------------- foreign edits

    /** Someone flips the Service's selector to the other color, as {@code kubectl patch} would. */
    ForeignEdit foreignSwitch(KubernetesClient operator, String when, boolean afterFirstRead) {
        Service service = operator.services().inNamespace(namespace).withName(SERVICE).get();
        String now = service.getSpec().getSelector().get("version");
        String other = "blue".equals(now) ? "green" : "blue";
        Service patched = operator.services().inNamespace(namespace).withName(SERVICE)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"" + other + "\"}}}");
        return remember(new ForeignEdit("switch", "Service/" + SERVICE, rv(patched), when, afterFirstRead, other,
                lastIndexOf(agent("operator"))));
    }

    /** Someone scales a Deployment, as {@code kubectl scale} would. */
    ForeignEdit foreignScale(KubernetesClient operator, String color, int replicas, String when, boolean afterFirstRead) {
        Deployment patched = operator.apps().deployments().inNamespace(namespace).withName(APP + "-" + color)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
        return remember(new ForeignEdit("scale", "Deployment/" + APP + "-" + color, rv(patched), when, afterFirstRead,
                String.valueOf(replicas), lastIndexOf(agent("operator"))));
    }

    /** Someone annotates an object, as {@code kubectl annotate} would. */
    ForeignEdit foreignAnnotation(KubernetesClient operator, String object, String when, boolean afterFirstRead) {
        String body = "{\"metadata\":{\"annotations\":{\"" + NOTE + "\":\"" + when + "\"}}}";
        HasMetadata patched = object.equals("Service/" + SERVICE)
                ? operator.services().inNamespace(namespace).withName(SERVICE).patch(PatchContext.of(PatchType.JSON_MERGE), body)
                : operator.apps().deployments().inNamespace(namespace).withName(object.substring("Deployment/".length()))
                .patch(PatchContext.of(PatchType.JSON_MERGE), body);
        return remember(new ForeignEdit("annotation", object, rv(patched), when, afterFirstRead, when,
                lastIndexOf(agent("operator"))));
    }

    /** @return the position in the run's request log of the last request a client sent, or -1 */
    private int lastIndexOf(String userAgent) {
        List<ClientRequest> log = cluster.requests().fromUsersSince(mark);
        for (int i = log.size() - 1; i >= 0; i--) {
            if (userAgent.equals(log.get(i).userAgent())) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The state a result can speak for: a foreign switch made after the SDK last read the Service
     * (say, right before the release gave its lock up) happened after the release's final read,
     * so its result names the color selected before that switch. A result that names the color the
     * Service selects at the end is true in any case: the release may have learnt of the switch from
     * its watch on the Service, which the request log does not show as a read.
     */
    State resultView(State end, ReleaseResult result) {
        if (result.liveColor().map(color -> color.name().equals(end.selector())).orElse(false)) {
            return end;
        }
        int finalRead = finalServiceRead();
        for (ForeignEdit edit : foreign) {
            if (edit.kind().equals("switch") && edit.logIndex() > finalRead) {
                notes.add("the foreign " + edit + " came after the release's final read of the Service");
                String before = timeline.at("Service", SERVICE, edit.rv() - 1).map(ChaosTimeline.Entry::color).orElse(null);
                return new State(before, end.deployments(), end.serviceAnnotations(), end.leaseHolder());
            }
        }
        return end;
    }

    /** @return the position in the request log of the SDK's last read of the Service, or -1 */
    private int finalServiceRead() {
        List<ClientRequest> log = cluster.requests().fromUsersSince(mark);
        int finalRead = -1;
        for (int i = 0; i < log.size(); i++) {
            ClientRequest r = log.get(i);
            if (sdkAgents.contains(r.userAgent()) && r.method().equals("GET") && !r.isWatch()
                    && r.pathWithoutQuery().endsWith("/services/" + SERVICE)) {
                finalRead = i;
            }
        }
        return finalRead;
    }

    private ForeignEdit remember(ForeignEdit edit) {
        foreign.add(edit);
        return edit;
    }

    private static long rv(HasMetadata object) {
        return Long.parseLong(object.getMetadata().getResourceVersion());
    }

    // ---------------------------------------------------------------- reading the state

    /** The objects as read now, once the timeline has them too. */
    record Read(State state, long rv) {
    }

    /** Reads the Service, the Deployments and the Lease, and waits until the timeline has these versions. */
    Read caughtUp() {
        Service service = observer.services().inNamespace(namespace).withName(SERVICE).get();
        Map<String, ChaosTimeline.Entry> deployments = new HashMap<>();
        long max = 0;
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(service);
        for (String color : List.of("blue", "green")) {
            objects.add(observer.apps().deployments().inNamespace(namespace).withName(APP + "-" + color).get());
        }
        Lease lease = observer.leases().inNamespace(namespace).withName(LEASE).get();
        if (lease != null) {
            objects.add(lease);
        }
        try {
            for (HasMetadata object : objects) {
                long rv = rv(object);
                max = Math.max(max, rv);
                if (!timeline.awaitVersion(object.getKind(), object.getMetadata().getName(), rv, WAIT)) {
                    throw new IllegalStateException("the timeline's watch did not deliver " + object.getKind() + " "
                            + object.getMetadata().getName() + " at rv " + rv + " within " + WAIT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the timeline", e);
        }
        return new Read(stateAt(max), max);
    }

    /** Lets the controllers finish (pods up, statuses written), then reads the state. */
    Read settled() {
        cluster.awaitSettled(WAIT);
        return caughtUp();
    }

    /** @return the state as of a resourceVersion, from the timeline */
    State stateAt(long rv) {
        String selector = timeline.at("Service", SERVICE, rv).map(ChaosTimeline.Entry::color).orElse(null);
        Map<String, String> annotations = timeline.at("Service", SERVICE, rv).map(ChaosTimeline.Entry::annotations)
                .orElse(Map.of());
        Map<String, ChaosTimeline.Entry> deployments = new HashMap<>();
        for (String color : List.of("blue", "green")) {
            timeline.at("Deployment", APP + "-" + color, rv).ifPresent(d -> deployments.put(d.name(), d));
        }
        String holder = timeline.at("Lease", LEASE, rv).map(ChaosTimeline.Entry::holder).orElse(null);
        return new State(selector, deployments, annotations, holder);
    }

    /** @return whether the SDK (a client of the run other than the operator's) has read an object yet */
    boolean sdkHasRead(String pathSuffix) {
        return cluster.requests().fromUsersSince(mark).stream().anyMatch(r -> sdkAgents.contains(r.userAgent())
                && r.method().equals("GET") && !r.isWatch() && r.pathWithoutQuery().endsWith(pathSuffix));
    }

    /** @return whether a release reached its commit (steps ran in FINISHING): retiring v1 was its job from then on */
    static boolean committed(ReleaseResult result) {
        return result.outcome() == Outcome.SUCCEEDED
                || result.timeline().stream().anyMatch(step -> step.phase() == dev.bluegreen.Phase.FINISHING);
    }

    /** @return the requests the clients of one role sent during the run */
    List<ClientRequest> requestsOf(String role) {
        String agent = agent(role);
        return cluster.requests().fromUsersSince(mark).stream().filter(r -> agent.equals(r.userAgent())).toList();
    }

    static boolean isWrite(ClientRequest request) {
        return switch (request.method()) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    static boolean isAppWrite(ClientRequest request) {
        String path = request.pathWithoutQuery();
        return isWrite(request) && (path.contains("/deployments/") || path.contains("/services/"));
    }

    // ---------------------------------------------------------------- the checks

    void violation(String text) {
        violations.add(text);
    }

    private Set<Long> foreignRvs() {
        Set<Long> rvs = new HashSet<>();
        foreign.forEach(edit -> rvs.add(edit.rv()));
        return rvs;
    }

    /**
     * I1 and I2 over the whole timeline from the run's start: the SDK never scaled down or
     * redeployed the color the Service selected at that moment, never switched to a color without
     * available replicas, and never changed what a foreign edit made after the release had read the
     * object; every write of the SDK to a Deployment or the Service was conditioned on a resourceVersion.
     *
     * @param from only changes after this resourceVersion count
     */
    void checkTimeline(long from) {
        Set<Long> foreignRvs = foreignRvs();
        Map<String, ChaosTimeline.Entry> last = new HashMap<>();
        ChaosTimeline.Entry selected = null;
        for (ChaosTimeline.Entry entry : timeline.entries()) {
            String key = entry.kind() + "/" + entry.name();
            ChaosTimeline.Entry previous = last.put(key, entry);
            boolean sdk = entry.rv() > from && !foreignRvs.contains(entry.rv());
            if (entry.kind().equals("Service")) {
                if (sdk && previous != null && !Objects.equals(previous.color(), entry.color())) {
                    ChaosTimeline.Entry target = last.get("Deployment/" + APP + "-" + entry.color());
                    if (target == null || target.available() == 0 || target.replicas() == 0) {
                        violation("I1: the SDK switched the Service to " + entry.color() + " (rv " + entry.rv() + ") while "
                                + (target == null ? "that color had no Deployment" : target.describe()));
                    }
                }
                selected = entry;
            } else if (entry.kind().equals("Deployment") && sdk && previous != null && selected != null
                    && Objects.equals(entry.color(), selected.color())) {
                boolean down = entry.replicas() < previous.replicas();
                boolean redeployed = !Objects.equals(entry.image(), previous.image());
                if (down || redeployed) {
                    String text = "I1: the SDK " + (redeployed ? "redeployed" : "scaled down") + " " + entry.name() + " ("
                            + previous.image() + " x" + previous.replicas() + " -> " + entry.image() + " x"
                            + entry.replicas() + ", rv " + entry.rv() + ") while the Service selected " + selected.color()
                            + " (since rv " + selected.rv() + (foreignRvs.contains(selected.rv()) ? ", a foreign switch" : "")
                            + ")";
                    String race = foreignRvs.contains(selected.rv()) ? raceWindow(entry.name()) : null;
                    if (race != null) {
                        limitations.add(text + "; " + race);
                    } else {
                        violation(text);
                    }
                }
            }
        }
        for (ForeignEdit edit : foreign) {
            if (!edit.afterFirstRead() || edit.kind().equals("annotation")) {
                continue;
            }
            String name = edit.object().substring(edit.object().indexOf('/') + 1);
            String kind = edit.object().substring(0, edit.object().indexOf('/'));
            ChaosTimeline.Entry before = null;
            for (ChaosTimeline.Entry entry : timeline.entries()) {
                if (!entry.kind().equals(kind) || !entry.name().equals(name)) {
                    continue;
                }
                if (before != null && entry.rv() > edit.rv() && !foreignRvs.contains(entry.rv())) {
                    boolean changed = kind.equals("Service") ? !Objects.equals(before.color(), entry.color())
                            : before.replicas() != entry.replicas() || !Objects.equals(before.image(), entry.image());
                    if (changed) {
                        violation("I2: the SDK overwrote the foreign " + edit + ": " + before.describe() + " -> "
                                + entry.describe());
                    }
                }
                before = entry;
            }
        }
        for (String agent : sdkAgents) {
            for (ClientRequest request : cluster.requests().fromUsersSince(mark)) {
                if (agent.equals(request.userAgent()) && isAppWrite(request) && !request.method().equals("POST")
                        && !request.body().contains("resourceVersion")) {
                    violation("I2: unconditioned write by " + agent + ": " + request);
                }
            }
        }
    }

    /**
     * Whether a write of the SDK to a Deployment came right after a foreign switch that fell
     * between the SDK's guard read of the Service and that write: the SDK read the Service, the
     * operator switched it, the SDK wrote, with nothing but reads of Deployments in between. No
     * client can close that window: Kubernetes cannot condition a write of a Deployment on the
     * resourceVersion of a Service (no multi-object transactions).
     *
     * @return how the window was hit, or null when the write was not in it
     */
    private String raceWindow(String deployment) {
        List<ClientRequest> log = cluster.requests().fromUsersSince(mark);
        String operator = agent("operator");
        for (int f = 0; f < log.size(); f++) {
            ClientRequest edit = log.get(f);
            if (!operator.equals(edit.userAgent()) || !edit.method().equals("PATCH")
                    || !edit.pathWithoutQuery().endsWith("/services/" + SERVICE)) {
                continue;
            }
            int guard = -1;
            for (int g = f - 1; g >= 0; g--) {
                ClientRequest read = log.get(g);
                if (sdkAgents.contains(read.userAgent()) && read.method().equals("GET") && !read.isWatch()
                        && read.pathWithoutQuery().endsWith("/services/" + SERVICE)) {
                    guard = g;
                    break;
                }
            }
            for (int w = f + 1; w < log.size() && guard >= 0; w++) {
                ClientRequest request = log.get(w);
                if (!sdkAgents.contains(request.userAgent())) {
                    continue;
                }
                if (isWrite(request) && request.pathWithoutQuery().endsWith("/deployments/" + deployment)) {
                    boolean onlyReadsBetween = log.subList(guard + 1, w).stream()
                            .filter(r -> sdkAgents.contains(r.userAgent()))
                            .allMatch(r -> r.method().equals("GET") && r.pathWithoutQuery().contains("/deployments/"));
                    return onlyReadsBetween ? "the operator's switch (request " + f + ") fell between the SDK's read of "
                            + "the Service (request " + guard + ") and its write (request " + w + ")" : null;
                }
                if (request.method().equals("GET") && request.pathWithoutQuery().endsWith("/services/" + SERVICE)) {
                    break;
                }
            }
        }
        return null;
    }

    /**
     * The end state: the Service selects a color with available replicas (I1), foreign annotations
     * are still there (I2), and unless a release succeeded (or was committed, after which retiring
     * the previous color is its job), v1 still runs with available replicas.
     */
    void checkEnd(State end, boolean v1MayBeRetired) {
        Set<Long> foreignRvs = foreignRvs();
        ChaosTimeline.Entry selectedBy = null;
        for (ChaosTimeline.Entry entry : timeline.of("Service")) {
            if (selectedBy == null || !Objects.equals(selectedBy.color(), entry.color())) {
                selectedBy = entry;
            }
        }
        Optional<ChaosTimeline.Entry> live = end.selector() == null ? Optional.empty() : end.deployment(end.selector());
        if (end.selector() == null) {
            violation("I1: at the end the Service selects no color: " + end.describe());
        } else if (live.isEmpty() || live.get().available() == 0) {
            boolean operatorsChoice = selectedBy != null && foreignRvs.contains(selectedBy.rv());
            if (operatorsChoice) {
                notes.add("the operator's switch left the Service on " + end.selector() + " without available replicas; "
                        + "the SDK left their edit alone: " + end.describe());
            } else {
                violation("I1: at the end the Service selects " + end.selector() + ", which has no available replicas: "
                        + end.describe());
            }
        }
        if (!v1MayBeRetired && end.deployments().values().stream().noneMatch(d -> V1.equals(d.image()) && d.available() > 0)) {
            violation("no release succeeded, but " + V1 + " no longer runs with available replicas: " + end.describe());
        }
        for (ForeignEdit edit : foreign) {
            if (edit.kind().equals("annotation")) {
                Map<String, String> annotations = edit.object().startsWith("Service/") ? end.serviceAnnotations()
                        : end.deployments().get(edit.object().substring("Deployment/".length())).annotations();
                if (!edit.value().equals(annotations.get(NOTE))) {
                    violation("I2: the foreign " + edit + " is gone: annotations now " + annotations);
                }
            }
        }
    }

    /**
     * I3: the result tells the truth about the state it left.
     *
     * @param who         names the release in messages
     * @param result      its result
     * @param state       the state it left (settled), to compare with
     * @param sdkSwitched whether this release's run changed the Service's selector
     * @param startColor  the color live when it started
     */
    void checkResult(String who, ReleaseResult result, State state, boolean sdkSwitched, String startColor) {
        String prefix = "I3 (" + who + ", " + result.outcome() + "): ";
        if (result.liveColor().isEmpty()) {
            if (result.error().isEmpty()) {
                violation(prefix + "no live color and no error saying why");
            }
        } else if (!result.liveColor().get().name().equals(state.selector())) {
            violation(prefix + "the result says the live color is " + result.liveColor().get() + ", but the Service selects "
                    + state.selector() + " (" + state.describe() + ")");
        }
        if (result.outcome() != Outcome.SUCCEEDED && result.error().isEmpty()) {
            violation(prefix + "no error saying why it did not succeed");
        }
        String previous = result.previousColor().map(Color::name).orElse(startColor);
        int finalRead = finalServiceRead();
        String lastForeign = foreign.stream().filter(e -> e.kind().equals("switch") && e.logIndex() < finalRead)
                .reduce((a, b) -> b).map(ForeignEdit::value).orElse(null);
        switch (result.outcome()) {
            case SUCCEEDED -> {
                String target = result.targetColor().map(Color::name).orElse(null);
                Optional<ChaosTimeline.Entry> running = target == null ? Optional.empty() : state.deployment(target);
                if (target == null || !target.equals(state.selector()) || running.isEmpty()
                        || !result.version().equals(running.get().image()) || running.get().available() == 0) {
                    violation(prefix + "succeeded to " + target + " with " + result.version() + ", but " + state.describe());
                }
            }
            case ABORTED, ROLLED_BACK -> {
                if (result.outcome() == Outcome.ABORTED && sdkSwitched) {
                    violation(prefix + "aborted, but the SDK switched the Service during the release");
                }
                String expected = lastForeign != null ? lastForeign : previous;
                if (!Objects.equals(expected, state.selector())) {
                    violation(prefix + "expected the Service on " + expected + ", but " + state.describe());
                }
            }
            case FAILED -> {
                // the error says what state things are in; the live color was compared above
            }
        }
    }

    /** @return whether the SDK changed the Service's selector after {@code from} (and up to {@code to}) */
    boolean sdkSwitched(long from, long to) {
        Set<Long> foreignRvs = foreignRvs();
        ChaosTimeline.Entry previous = null;
        for (ChaosTimeline.Entry entry : timeline.of("Service")) {
            if (previous != null && entry.rv() > from && entry.rv() <= to && !foreignRvs.contains(entry.rv())
                    && !Objects.equals(previous.color(), entry.color())) {
                return true;
            }
            previous = entry;
        }
        return false;
    }

    /** Closes the run's clients and watch, and deletes its objects (the namespace is not used again). */
    @Override
    public void close() {
        timeline.close();
        clients.forEach(KubernetesClient::close);
        try {
            observer.apps().deployments().inNamespace(namespace).delete();
            observer.services().inNamespace(namespace).delete();
            observer.leases().inNamespace(namespace).delete();
        } catch (RuntimeException e) {
            notes.add("clean-up of namespace " + namespace + " failed: " + e);
        }
    }
}
