package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.Diagnosis;
import dev.bluegreen.ConflictException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.PreflightException;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesCandidate;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The two colors as Deployments {@code <app>-blue} / {@code <app>-green}. Every write carries the
 * resourceVersion of the read it was decided on. When the server refuses it (409) the Deployment
 * is read again and the decision re-made: a change of status only (the Deployment controller) is
 * not a reason to give up, a change of spec (generation) by someone else is, and it surfaces as
 * {@link ConflictException}. When a write's answer is lost, the Deployment is read again to learn
 * whether it was applied; it is never blindly sent again.
 */
public final class DeploymentEnvironments implements ColorEnvironments {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentEnvironments.class);
    /** How often a write is re-decided after conflicts with status updates or lost answers. */
    private static final int WRITE_ATTEMPTS = 5;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Marks a Deployment the SDK created from the other color's (the automated release's first deploy of a color). */
    static final String CREATED_FROM_ANNOTATION = "bluegreen.dev/created-from";

    private final Deployments deployments;
    private final BlueGreenConventions conventions;
    private final boolean createMissing;
    private final dev.bluegreen.fabric8.BestPracticeChecks bestPractices;

    /**
     * @param deployments the app's Deployments, shared with the switcher of the same plan
     */
    DeploymentEnvironments(Deployments deployments) {
        this(deployments, false, dev.bluegreen.fabric8.BestPracticeChecks.WARN);
    }

    /**
     * @param deployments   the app's Deployments, shared with the switcher of the same plan
     * @param bestPractices what preflight does with the guide's best practices
     * @param createMissing whether a deploy to a color without Deployment creates it from the other color's
     *                      spec with the color label swapped (the guide's automation script expects both)
     */
    DeploymentEnvironments(Deployments deployments, boolean createMissing,
                           dev.bluegreen.fabric8.BestPracticeChecks bestPractices) {
        this.bestPractices = bestPractices;
        this.deployments = deployments;
        this.conventions = deployments.conventions();
        this.createMissing = createMissing;
    }

    @Override
    public String describe(Color color) {
        return deployments.describe(Checks.nonNull("color", color));
    }

    @Override
    public List<String> checkVersion(String version) {
        return ImageReference.problems(version);
    }

    @Override
    public Optional<Color> nextColor(Color live) {
        List<Color> colors = conventions.colors();
        if (colors.get(0).equals(live)) {
            return Optional.of(colors.get(1));
        }
        if (colors.get(1).equals(live)) {
            return Optional.of(colors.get(0));
        }
        throw new PreflightException("choice of the idle color of " + conventions.appId(), List.of("the live color '"
                + live + "' is not one of the app's colors " + colors + "; expected one of them (or configure "
                + "BlueGreenConventions.colors)"));
    }

    @Override
    public EnvironmentState read(Color color, Deadline deadline) {
        Checks.nonNull("color", color);
        return deployments.state(color, deployments.get(color, deadline));
    }

    @Override
    public List<String> checkDeployable(EnvironmentState state, EnvironmentState live) {
        if (state == null) {
            return List.of();
        }
        if (!state.exists()) {
            if (createMissing && live != null && live.exists()) {
                return List.of();
            }
            return List.of(deployments.missing(state.color()) + (createMissing ? " (and there is no live Deployment "
                    + "to create it from)" : ""));
        }
        Optional<Deployment> deployment = deployments.lastSeen(state.color());
        StringBuilder problem = new StringBuilder();
        if (deployment.isPresent() && deployments.container(deployment.get(), problem).isEmpty()) {
            return List.of(problem.toString());
        }
        return bestPractices == dev.bluegreen.fabric8.BestPracticeChecks.REFUSE ? bestPracticeFindings(state, live)
                : List.of();
    }

    @Override
    public List<String> advise(EnvironmentState state, EnvironmentState live) {
        return bestPractices == dev.bluegreen.fabric8.BestPracticeChecks.WARN ? bestPracticeFindings(state, live)
                : List.of();
    }

    /** @return the guide's best practices the new color would break: its pod template is the idle or the live one */
    private List<String> bestPracticeFindings(EnvironmentState state, EnvironmentState live) {
        if (state == null || live == null) {
            return List.of();
        }
        Optional<Deployment> template = deployments.lastSeen(state.color()).or(() -> deployments.lastSeen(live.color()));
        if (template.isEmpty() || template.get().getSpec() == null || template.get().getSpec().getTemplate() == null) {
            return List.of();
        }
        return new BestPractices(deployments).findings(template.get(), describe(state.color()), Math.max(1, live.desired()),
                state.exists() ? state.desired() : 0);
    }

    @Override
    public Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
        Checks.nonBlank("version", version);
        Checks.atLeast("replicas", 1, replicas);
        Color color = decidedOn.color();
        String what = "deploy of " + version + " with " + replicas + " replicas to " + describe(color);
        Deployment current = decidedOn.exists() ? deployments.decidedOn(decidedOn, deadline)
                : createFromOtherColor(decidedOn, version, replicas, deadline);
        if (!decidedOn.exists() && runs(current, version, replicas)) {
            return candidate(color, version, current);
        }
        for (int attempt = 1; ; attempt++) {
            current = requireOurs(decidedOn, current, d -> runs(d, version, replicas));
            if (runs(current, version, replicas)) {
                LOG.info("{}: already runs {} with {} replicas; nothing written", describe(color), version, replicas);
                return candidate(color, version, current);
            }
            StringBuilder problem = new StringBuilder();
            Container target = deployments.container(current, problem)
                    .orElseThrow(() -> new PreflightException(what, List.of(problem.toString())));
            // A JSON patch, because a merge patch replaces lists whole and would have to carry every
            // container. Replacing resourceVersion makes the server refuse the write with 409 if the
            // Deployment changed since it was read, so the index cannot point at another container.
            int index = current.getSpec().getTemplate().getSpec().getContainers().indexOf(target);
            String patch = Serialization.asJson(List.of(
                    replace("/metadata/resourceVersion", current.getMetadata().getResourceVersion()),
                    replace("/spec/template/spec/containers/" + index + "/image", version),
                    replace("/spec/replicas", replicas)));
            try {
                Deployment written = deployments.resource(color).patch(PatchContext.of(PatchType.JSON), patch);
                deployments.seen(color, written);
                LOG.info("{}: container image set to {}, {} replicas", describe(color), version, replicas);
                return candidate(color, version, written);
            } catch (KubernetesClientException e) {
                current = afterFailedWrite(what, color, e, attempt, deadline);
            }
        }
    }

    /**
     * Creates a color's missing Deployment from the other color's: its spec with the color label swapped in the
     * labels, the selector and the pod template, the release's image and replicas, no status. A create the
     * client sent twice (its answer lost) finds the Deployment it created: it is ours when it runs the version.
     */
    private Deployment createFromOtherColor(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
        Color color = decidedOn.color();
        Color other = conventions.colors().get(0).equals(color) ? conventions.colors().get(1) : conventions.colors().get(0);
        if (!createMissing) {
            throw new PreflightException("deploy of " + version + " to " + describe(color), List.of(deployments.missing(color)));
        }
        Deployment source = deployments.lastSeen(other).orElseGet(() -> deployments.get(other, deadline));
        if (source == null) {
            throw new PreflightException("deploy of " + version + " to " + describe(color), List.of(deployments.missing(color)
                    + ", and " + describe(other) + " to create it from does not exist either"));
        }
        String label = conventions.colorLabel();
        io.fabric8.kubernetes.api.model.apps.DeploymentBuilder copy = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata().withName(conventions.deploymentName(color)).withNamespace(conventions.namespace())
                .withLabels(swapped(source.getMetadata().getLabels(), label, other, color))
                .withAnnotations(Map.of(CREATED_FROM_ANNOTATION, source.getMetadata().getName())).endMetadata()
                .withSpec(new io.fabric8.kubernetes.api.model.apps.DeploymentSpecBuilder(source.getSpec()).build());
        Deployment created = copy.build();
        created.getSpec().setReplicas(replicas);
        created.getSpec().getSelector().setMatchLabels(swapped(created.getSpec().getSelector().getMatchLabels(), label,
                other, color));
        created.getSpec().getTemplate().getMetadata().setLabels(swapped(created.getSpec().getTemplate().getMetadata()
                .getLabels(), label, other, color));
        StringBuilder problem = new StringBuilder();
        Container container = deployments.container(created, problem)
                .orElseThrow(() -> new PreflightException("deploy of " + version + " to " + describe(color),
                        List.of(problem.toString())));
        container.setImage(version);
        try {
            Deployment written = deployments.client().apps().deployments().inNamespace(conventions.namespace())
                    .resource(created).create();
            deployments.seen(color, written);
            LOG.info("{} created from {} with {} and {} replicas", describe(color), describe(other), version, replicas);
            return written;
        } catch (KubernetesClientException e) {
            if (e.getCode() != KubeCalls.CONFLICT) {
                throw KubeCalls.apiError("creation of " + describe(color) + " from " + describe(other), describe(color), e);
            }
            Deployment existing = deployments.get(color, deadline);
            if (existing != null && runs(existing, version, replicas)
                    && existing.getMetadata().getAnnotations() != null
                    && existing.getMetadata().getAnnotations().containsKey(CREATED_FROM_ANNOTATION)) {
                return existing;
            }
            throw new ConflictException(describe(color), null, describe(color) + " was created by someone else after it "
                    + "was read as missing (now " + deployments.state(color, existing) + "); nothing was written and "
                    + "theirs was kept", e);
        }
    }

    private static Map<String, String> swapped(Map<String, String> labels, String key, Color from, Color to) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(labels == null ? Map.of() : labels);
        if (from.name().equals(copy.get(key))) {
            copy.put(key, to.name());
        }
        return copy;
    }

    private Candidate candidate(Color color, String version, Deployment deployment) {
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : deployment.getSpec().getTemplate().getMetadata().getLabels();
        return new Candidate(color, version, "generation " + generation(deployment), describe(color),
                "pods labelled " + new TreeMap<>(labels == null ? Map.of() : labels) + " in namespace "
                        + conventions.namespace(), kubernetesCandidate(color, deployment).toAttributes());
    }

    /** The candidate's objects as data, for the Kubernetes gates: namespace, Deployment, Service, labels. */
    private KubernetesCandidate kubernetesCandidate(Color color, Deployment deployment) {
        Map<String, String> selector = new TreeMap<>();
        if (deployment.getSpec().getSelector() != null && deployment.getSpec().getSelector().getMatchLabels() != null) {
            selector.putAll(deployment.getSpec().getSelector().getMatchLabels());
        }
        selector.put(conventions.colorLabel(), color.name());
        return new KubernetesCandidate(conventions.namespace(), conventions.deploymentName(color),
                conventions.serviceName(), conventions.colorLabel(), color, selector);
    }

    @Override
    public Map<String, String> candidateAttributes(Color color) {
        Checks.nonNull("color", color);
        return deployments.lastSeen(color).map(d -> kubernetesCandidate(color, d).toAttributes()).orElse(Map.of());
    }

    @Override
    public Optional<Diagnosis> diagnose(Color color, Deadline deadline) {
        Checks.nonNull("color", color);
        Deployment deployment = deployments.lastSeen(color).orElse(null);
        if (deployment == null) {
            try {
                deployment = deployments.get(color, deadline);
            } catch (RuntimeException e) {
                deployment = null;
            }
        }
        if (deployment == null) {
            return Optional.empty();
        }
        return Optional.of(Diagnostician.diagnose(deployments.client(), kubernetesCandidate(color, deployment), deadline));
    }

    @Override
    public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
        Color color = candidate.color();
        Deployment start = deployments.lastSeen(color).orElseGet(() -> deployments.get(color, deadline));
        while (true) {
            if (start == null) {
                throw new NotReadyException(describe(color) + " does not exist, so it cannot become ready", List.of());
            }
            CompletableFuture<Deployment> settled = new CompletableFuture<>();
            if (RolloutStatus.of(start).settled()) {
                settled.complete(start);
            }
            Watch watch = settled.isDone() ? null : watchUntilSettled(color, start, settled);
            Deployment seen;
            try {
                seen = deadline.await(settled);
            } catch (TimeoutException e) {
                throw notReady(color, "did not become ready within " + deadline.timeout(), deadline);
            } catch (WatchEndedException e) {
                deadline.noteFailure(e);
                start = deployments.get(color, deadline);
                continue;
            } finally {
                if (watch != null) {
                    watch.close();
                }
            }
            if (seen == null) {
                throw new NotReadyException(describe(color) + " was deleted while waiting for it to become ready", List.of());
            }
            deployments.seen(color, seen);
            RolloutStatus status = RolloutStatus.of(seen);
            if (!status.complete()) {
                throw notReady(color, "cannot become ready", deadline);
            }
            LOG.info("{}: {}", describe(color), status.message());
            return deployments.state(color, seen);
        }
    }

    /** Watches the Deployment from a known state until its rollout settles (a deletion completes with null). */
    private Watch watchUntilSettled(Color color, Deployment from, CompletableFuture<Deployment> settled) {
        return KubeCalls.write("watch of " + describe(color), describe(color), () -> deployments.client().apps()
                .deployments().inNamespace(conventions.namespace()).withName(conventions.deploymentName(color))
                .watch(new ListOptionsBuilder().withResourceVersion(from.getMetadata().getResourceVersion()).build(),
                        new Watcher<>() {
                            @Override
                            public void eventReceived(Action action, Deployment deployment) {
                                if (action == Action.DELETED) {
                                    settled.complete(null);
                                } else if (action != Action.ERROR && RolloutStatus.of(deployment).settled()) {
                                    settled.complete(deployment);
                                } else if (deployment != null) {
                                    deployments.seen(color, deployment);
                                }
                            }

                            @Override
                            public void onClose(WatcherException cause) {
                                settled.completeExceptionally(new WatchEndedException("the watch of " + describe(color)
                                        + " ended: " + cause.getMessage(), cause));
                            }

                            @Override
                            public void onClose() {
                                settled.completeExceptionally(new WatchEndedException("the watch of " + describe(color)
                                        + " was closed by the server", null));
                            }
                        }));
    }

    /** A watch ended before the condition held: read again and watch again. */
    static final class WatchEndedException extends ClusterApiException {
        private static final long serialVersionUID = 1L;

        WatchEndedException(String message, Throwable cause) {
            super(message, 0, cause);
        }
    }

    /** Explains, pod by pod, why a color is not ready. */
    private NotReadyException notReady(Color color, String what, Deadline deadline) {
        Deployment deployment;
        try {
            deployment = deployments.get(color, Deadline.after(java.time.Duration.ofSeconds(10)));
        } catch (ClusterApiException e) {
            return new NotReadyException(describe(color) + " " + what + "; it could not be read to say why: "
                    + e.getMessage() + lastFailure(deadline), List.of());
        }
        if (deployment == null) {
            return new NotReadyException(describe(color) + " " + what + ": it no longer exists", List.of());
        }
        RolloutStatus status = RolloutStatus.of(deployment);
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        List<String> unready;
        try {
            List<Pod> pods = deployments.calls().read("list of pods of " + describe(color),
                    Deadline.after(java.time.Duration.ofSeconds(10)), () -> deployments.client().pods()
                            .inNamespace(conventions.namespace()).withLabels(selector).list().getItems());
            unready = pods.stream().filter(pod -> !Pods.isReady(pod)).map(Pods::explainNotReady).collect(Collectors.toList());
        } catch (ClusterApiException e) {
            unready = List.of("its pods could not be listed: " + e.getMessage());
        }
        Integer available = deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
        String message = describe(color) + " " + what + ": " + status.message() + " (" + (available == null ? 0 : available)
                + " of " + Deployments.wantedReplicas(deployment) + " replicas available)"
                + (unready.isEmpty() ? "" : "; pods not ready: " + String.join("; ", unready)) + lastFailure(deadline);
        return new NotReadyException(message, unready);
    }

    private static String lastFailure(Deadline deadline) {
        return deadline.lastFailure() == null ? "" : "; last failure while waiting: " + deadline.lastFailure().getMessage();
    }

    @Override
    public EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline) {
        return scale(decidedOn, 0, "scale-down", deadline);
    }

    @Override
    public EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline) {
        return scale(decidedOn, 0, "scale-down", deadline);
    }

    @Override
    public EnvironmentState fence(EnvironmentState seen, Deadline deadline) {
        Color color = seen.color();
        if (seen.revision() == null) {
            return read(color, deadline);
        }
        String patch = Serialization.asJson(Map.of("metadata", Map.of("resourceVersion", seen.revision(),
                "annotations", Map.of(ServiceSelectorSwitcher.FENCE_ANNOTATION, Long.toHexString(RANDOM.nextLong())))));
        try {
            Deployment written = deployments.resource(color).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            deployments.seen(color, written);
            return deployments.state(color, written);
        } catch (KubernetesClientException e) {
            if (e.getCode() == KubeCalls.CONFLICT) {
                throw new ConflictException(describe(color), seen.revision(), describe(color) + " changed since revision "
                        + seen.revision() + " while fencing it against a write still in flight", e);
            }
            throw KubeCalls.apiError("fence of " + describe(color), describe(color), e);
        }
    }

    @Override
    public EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline) {
        Checks.atLeast("replicas", 1, replicas);
        return scale(decidedOn, replicas, "restore of " + replicas + " replicas", deadline);
    }

    private EnvironmentState scale(EnvironmentState decidedOn, int replicas, String action, Deadline deadline) {
        Color color = decidedOn.color();
        String what = action + " of " + describe(color);
        Deployment current = deployments.decidedOn(decidedOn, deadline);
        for (int attempt = 1; ; attempt++) {
            current = requireOurs(decidedOn, current, d -> Deployments.wantedReplicas(d) == replicas);
            if (Deployments.wantedReplicas(current) == replicas) {
                return deployments.state(color, current);
            }
            String patch = Serialization.asJson(Map.of(
                    "metadata", Map.of("resourceVersion", current.getMetadata().getResourceVersion()),
                    "spec", Map.of("replicas", replicas)));
            try {
                Deployment written = deployments.resource(color).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                deployments.seen(color, written);
                LOG.info("{}: {} replicas asked for", describe(color), replicas);
                return deployments.state(color, written);
            } catch (KubernetesClientException e) {
                current = afterFailedWrite(what, color, e, attempt, deadline);
            }
        }
    }

    /**
     * Re-decides after a read: the Deployment must exist and its spec must be as decided, or changed
     * only by our own write (one generation on, showing what we wrote).
     */
    private Deployment requireOurs(EnvironmentState decidedOn, Deployment current, Function<Deployment, Boolean> oursApplied) {
        if (current == null) {
            throw new ClusterApiException(deployments.missing(decidedOn.color()), describe(decidedOn.color()),
                    KubeCalls.NOT_FOUND, null);
        }
        long now = generation(current);
        boolean unchanged = now == decidedOn.generation();
        boolean ours = now == decidedOn.generation() + 1 && oursApplied.apply(current);
        if (!unchanged && !ours) {
            throw new ConflictException(describe(decidedOn.color()), decidedOn.revision(), describe(decidedOn.color())
                    + " was changed by someone else since it was read (generation " + decidedOn.generation() + " -> "
                    + now + ", now " + deployments.state(decidedOn.color(), current) + "); nothing was written and "
                    + "their change was kept", null);
        }
        return current;
    }

    /** After a refused or unanswered write: read again (the loop re-decides), or give up. */
    private Deployment afterFailedWrite(String what, Color color, KubernetesClientException e, int attempt,
                                        Deadline deadline) {
        if (e.getCode() == KubeCalls.NOT_FOUND) {
            throw new ClusterApiException(deployments.missing(color) + " (it was deleted since it was read); nothing was "
                    + "written", describe(color), KubeCalls.NOT_FOUND, e);
        }
        ClusterApiException error = KubeCalls.apiError(what, describe(color), e);
        boolean conflict = e.getCode() == KubeCalls.CONFLICT;
        if ((!conflict && !KubeCalls.outcomeUnknown(e)) || attempt >= WRITE_ATTEMPTS) {
            throw error;
        }
        deadline.noteFailure(error);
        deadline.checkStopping();
        if (deadline.expired()) {
            throw error;
        }
        return deployments.get(color, deadline);
    }

    private boolean runs(Deployment deployment, String version, int replicas) {
        return Deployments.wantedReplicas(deployment) == replicas
                && deployments.image(deployment).map(version::equals).orElse(false);
    }

    private static long generation(Deployment deployment) {
        Long generation = deployment.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    private static Map<String, Object> replace(String path, Object value) {
        return Map.of("op", "replace", "path", path, "value", value);
    }

    @Override
    public String toString() {
        return "DeploymentEnvironments[" + conventions + "]";
    }
}
