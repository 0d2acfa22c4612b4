package dev.bluegreen.argo.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.ConflictException;
import dev.bluegreen.argo.AnalysisRun;
import dev.bluegreen.argo.ArgoException;
import dev.bluegreen.argo.ArgoRollout;
import dev.bluegreen.argo.Rollout;
import dev.bluegreen.argo.RolloutPhase;
import dev.bluegreen.argo.RolloutStatus;
import dev.bluegreen.argo.UndoResult;
import dev.bluegreen.spi.Deadline;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's operations on one Rollout, over fabric8's generic client. The patch bodies are the plugin's
 * ({@code pkg/kubectl-argo-rollouts/cmd}); the SDK's own conditioned writes (the switcher's) live in
 * {@link RolloutSwitcher}.
 */
public final class RolloutClient implements ArgoRollout {
    static final String UNPAUSE = "{\"spec\":{\"paused\":false}}";
    static final String CLEAR_PAUSE_CONDITIONS = "{\"status\":{\"pauseConditions\":null}}";
    static final String UNPAUSE_AND_CLEAR_PAUSE_CONDITIONS = "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}";
    static final String PROMOTE_FULL = "{\"status\":{\"promoteFull\":true}}";
    static final String UNPAUSE_AND_PROMOTE_FULL = "{\"spec\":{\"paused\":false},\"status\":{\"promoteFull\":true}}";
    static final String ABORT = "{\"status\":{\"abort\":true}}";
    static final String RETRY = "{\"status\":{\"abort\":false}}";
    static final String PAUSE = "{\"spec\":{\"paused\":true}}";

    private static final Logger LOG = LoggerFactory.getLogger(RolloutClient.class);
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
    static final PatchContext JSON = PatchContext.of(PatchType.JSON);
    private static final Pattern IMAGE = Pattern.compile("[^\\s]+");
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    /**
     * @param client    the caller's client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param name      the Rollout's name; never blank
     */
    public RolloutClient(KubernetesClient client, String namespace, String name) {
        if (client == null) {
            throw new ConfigurationException("kubernetes client must not be null");
        }
        if (namespace == null || namespace.isBlank()) {
            throw new ConfigurationException("Rollout namespace must not be blank, but was " + quote(namespace));
        }
        if (name == null || name.isBlank()) {
            throw new ConfigurationException("Rollout name must not be blank, but was " + quote(name));
        }
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    KubernetesClient client() {
        return client;
    }

    String namespace() {
        return namespace;
    }

    String name() {
        return name;
    }

    @Override
    public String describe() {
        return Rollout.KIND + " " + namespace + "/" + name;
    }

    MixedOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>> rollouts() {
        return client.genericKubernetesResources(Rollout.API_VERSION, Rollout.KIND);
    }

    private Resource<GenericKubernetesResource> resource() {
        return rollouts().inNamespace(namespace).withName(name);
    }

    // ---- reads ----

    @Override
    public Rollout get() {
        GenericKubernetesResource found;
        try {
            found = resource().get();
        } catch (KubernetesClientException e) {
            throw apiError("read of " + describe() + " failed", e);
        }
        if (found == null) {
            throw new ArgoException(describe() + " does not exist (is Argo Rollouts installed, and the name and "
                    + "namespace right?); nothing was changed");
        }
        return requireBlueGreen(Rollout.of(found));
    }

    Rollout requireBlueGreen(Rollout rollout) {
        if (!rollout.isBlueGreen()) {
            throw new ArgoException(describe() + " is not blue-green: its spec.strategy is " + rollout.strategy()
                    + ", expected spec.strategy.blueGreen; nothing was changed");
        }
        return rollout;
    }

    @Override
    public RolloutStatus status() {
        return statusOf(get());
    }

    RolloutStatus statusOf(Rollout rollout) {
        Phases.Computed phase = Phases.of(rollout);
        long revision = 0;
        String current = rollout.currentPodHash();
        if (current != null) {
            revision = ownedReplicaSets(rollout).stream()
                    .filter(rs -> current.equals(labels(rs).get(Rollout.HASH_LABEL)))
                    .mapToLong(RolloutClient::revision).max().orElse(0);
        }
        return new RolloutStatus(rollout.describe(), phase.phase(), phase.message(), rollout.activeSelector(),
                rollout.previewSelector(), rollout.stableHash(), current, rollout.pauseConditions(), revision,
                rollout.images(), rollout.replicas(), rollout.updatedReplicas(), rollout.readyReplicas(),
                rollout.availableReplicas(), rollout.aborted(), rollout.resourceVersion());
    }

    List<ReplicaSet> ownedReplicaSets(Rollout rollout) {
        try {
            return client.apps().replicaSets().inNamespace(namespace).list().getItems().stream()
                    .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences()
                            .stream().anyMatch(owner -> rollout.uid().equals(owner.getUid())))
                    .toList();
        } catch (KubernetesClientException e) {
            throw apiError("list of the ReplicaSets of " + describe() + " failed", e);
        }
    }

    @Override
    public List<AnalysisRun> analysisRuns(String podTemplateHash) {
        if (podTemplateHash == null || podTemplateHash.isBlank()) {
            throw new ConfigurationException("pod-template hash must not be blank, but was " + quote(podTemplateHash));
        }
        Rollout rollout = get();
        try {
            return client.genericKubernetesResources(Rollout.API_VERSION, AnalysisRun.KIND).inNamespace(namespace)
                    .withLabel(Rollout.HASH_LABEL, podTemplateHash).list().getItems().stream()
                    .filter(run -> run.getMetadata().getOwnerReferences() == null
                            || run.getMetadata().getOwnerReferences().isEmpty()
                            || run.getMetadata().getOwnerReferences().stream()
                                    .anyMatch(owner -> rollout.uid().equals(owner.getUid())))
                    .sorted(Comparator.comparing(run -> String.valueOf(run.getMetadata().getCreationTimestamp())))
                    .map(AnalysisRun::of)
                    .toList();
        } catch (KubernetesClientException e) {
            throw apiError("list of the AnalysisRuns of " + describe() + " failed", e);
        }
    }

    // ---- promote, abort, retry, pause, restart ----

    @Override
    public Rollout promote() {
        Rollout rollout = get();
        String specPatch = rollout.paused() ? UNPAUSE : null;
        String statusPatch = rollout.pauseConditions().isEmpty() ? null : CLEAR_PAUSE_CONDITIONS;
        return specAndStatus("promote", rollout, specPatch, statusPatch, UNPAUSE_AND_CLEAR_PAUSE_CONDITIONS);
    }

    @Override
    public Rollout promoteFull() {
        Rollout rollout = get();
        String specPatch = rollout.paused() ? UNPAUSE : null;
        boolean promoted = rollout.currentPodHash() != null && rollout.currentPodHash().equals(rollout.stableHash());
        String statusPatch = promoted ? null : PROMOTE_FULL;
        return specAndStatus("promote --full", rollout, specPatch, statusPatch, UNPAUSE_AND_PROMOTE_FULL);
    }

    /** The plugin's order: the status patch first; where there is no status subresource, one patch of both. */
    private Rollout specAndStatus(String operation, Rollout rollout, String specPatch, String statusPatch, String unified) {
        Rollout result = rollout;
        String spec = specPatch;
        if (statusPatch != null) {
            try {
                result = patchStatusOnly(operation, statusPatch);
            } catch (NoStatusSubresource e) {
                spec = unified;
            }
        }
        if (spec != null) {
            result = patch(operation, MERGE, spec);
        }
        if (spec == null && statusPatch == null) {
            LOG.info("{} of {}: nothing to do (not paused, no pause conditions)", operation, describe());
        }
        return result;
    }

    @Override
    public Rollout abort() {
        get();
        return statusPatch("abort", ABORT);
    }

    @Override
    public Rollout retry() {
        get();
        return statusPatch("retry", RETRY);
    }

    @Override
    public Rollout pause() {
        get();
        return patch("pause", MERGE, PAUSE);
    }

    @Override
    public Rollout restart() {
        return restart(Instant.now());
    }

    @Override
    public Rollout restart(Instant at) {
        if (at == null) {
            throw new ConfigurationException("restart time must not be null");
        }
        get();
        return patch("restart", MERGE, restartPatch(at));
    }

    static String restartPatch(Instant at) {
        return "{\"spec\":{\"restartAt\":\"" + RFC3339.format(at.truncatedTo(ChronoUnit.SECONDS)) + "\"}}";
    }

    /** A status patch, falling back to the main resource when the server has no status subresource. */
    Rollout statusPatch(String operation, String body) {
        try {
            return patchStatusOnly(operation, body);
        } catch (NoStatusSubresource e) {
            return patch(operation, MERGE, body);
        }
    }

    /** Thrown when a status patch is answered 404 although the Rollout exists. */
    private static final class NoStatusSubresource extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoStatusSubresource(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private Rollout patchStatusOnly(String operation, String body) {
        try {
            GenericKubernetesResource patched = resource().subresource("status").patch(MERGE, body);
            LOG.debug("{} of {}: status patch {}", operation, describe(), body);
            return Rollout.of(patched);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.debug("{} of {}: no status subresource, patching the main resource", operation, describe());
                throw new NoStatusSubresource(e);
            }
            throw apiError(operation + " of " + describe() + " failed", e);
        }
    }

    Rollout patch(String operation, PatchContext type, String body) {
        try {
            GenericKubernetesResource patched = resource().patch(type, body);
            LOG.debug("{} of {}: patch {}", operation, describe(), body);
            return Rollout.of(patched);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new ArgoException(describe() + " does not exist (any more); " + operation + " wrote nothing", e);
            }
            throw apiError(operation + " of " + describe() + " failed", e);
        }
    }

    // ---- set image ----

    @Override
    public Rollout setImage(String container, String image) {
        if (container == null || container.isBlank()) {
            throw new ConfigurationException("container must be a container name or \"*\" for all, but was "
                    + quote(container));
        }
        if (image == null || !IMAGE.matcher(image).matches()) {
            throw new ConfigurationException("image must be an image reference without whitespace, but was "
                    + quote(image));
        }
        ConflictException last = null;
        for (int attempt = 1; attempt <= SET_IMAGE_ATTEMPTS; attempt++) {
            Rollout rollout = get();
            String patch = setImagePatch(rollout, container, image);
            if (patch == null) {
                LOG.info("set image of {}: {} already runs {}", describe(), container, image);
                return rollout;
            }
            try {
                Rollout result = patch("set image", JSON, patch);
                LOG.info("set image of {}: {}={} (resourceVersion {} -> {})", describe(), container, image,
                        rollout.resourceVersion(), result.resourceVersion());
                return result;
            } catch (ClusterApiException e) {
                if (e.statusCode() != 409) {
                    throw e;
                }
                last = new ConflictException(describe(), rollout.resourceVersion(), "set image of " + describe()
                        + " was refused " + SET_IMAGE_ATTEMPTS + " times because the Rollout changed each time since "
                        + "it was read (last at resourceVersion " + rollout.resourceVersion() + "); nothing was written",
                        e);
                LOG.debug("set image of {}: conflict at resourceVersion {}, attempt {}", describe(),
                        rollout.resourceVersion(), attempt);
            }
        }
        throw last;
    }

    /**
     * @return the JSON patch replacing the images of the matching containers, conditioned on the resourceVersion
     *         read; null when every matching container already runs the image
     */
    String setImagePatch(Rollout rollout, String container, String image) {
        if (rollout.hasWorkloadRef()) {
            throw new ArgoException(describe() + " takes its pod template from spec.workloadRef; set the image of the "
                    + "referenced workload instead; nothing was changed");
        }
        List<Map<String, Object>> operations = new ArrayList<>();
        Map<String, Object> rv = new LinkedHashMap<>();
        rv.put("op", "replace");
        rv.put("path", "/metadata/resourceVersion");
        rv.put("value", rollout.resourceVersion());
        operations.add(rv);
        boolean found = false;
        Map<String, Object> template = rollout.podTemplate();
        for (String list : Rollout.CONTAINER_LISTS) {
            List<Map<String, Object>> containers = Trees.maps(template, "spec", list);
            for (int i = 0; i < containers.size(); i++) {
                Map<String, Object> c = containers.get(i);
                if (container.equals("*") || container.equals(c.get("name"))) {
                    found = true;
                    if (!image.equals(c.get("image"))) {
                        Map<String, Object> op = new LinkedHashMap<>();
                        op.put("op", c.containsKey("image") ? "replace" : "add");
                        op.put("path", "/spec/template/spec/" + list + "/" + i + "/image");
                        op.put("value", image);
                        operations.add(op);
                    }
                }
            }
        }
        if (!found) {
            throw new ArgoException(describe() + " has no container named \"" + container + "\"; its containers: "
                    + String.join(", ", rollout.images().keySet()) + "; nothing was changed");
        }
        return operations.size() == 1 ? null : Serialization.asJson(operations);
    }

    // ---- undo ----

    @Override
    public UndoResult undo() {
        return undoTo(0);
    }

    @Override
    public UndoResult undo(long revision) {
        if (revision < 1) {
            throw new ConfigurationException("revision must be at least 1, but was " + revision);
        }
        return undoTo(revision);
    }

    private UndoResult undoTo(long toRevision) {
        return undo(get(), toRevision);
    }

    /**
     * Undo as decided on a read: the JSON patch is conditioned on that read's resourceVersion.
     *
     * @param rollout    the Rollout as read
     * @param toRevision a revision, or 0 for the previous one
     * @return what was done
     */
    UndoResult undo(Rollout rollout, long toRevision) {
        if (rollout.hasWorkloadRef()) {
            throw new ArgoException(describe() + " takes its pod template from spec.workloadRef; undo of a referenced "
                    + "workload is not supported; nothing was changed");
        }
        List<ReplicaSet> owned = ownedReplicaSets(rollout);
        ReplicaSet target = findRevision(rollout, owned, toRevision);
        long revision = revision(target);
        String hash = labels(target).get(Rollout.HASH_LABEL);
        Map<String, Object> template = withoutHash(Trees.copy(Serialization.unmarshal(
                Serialization.asJson(target.getSpec().getTemplate()), Map.class)));
        if (sameTemplate(withoutHash(rollout.podTemplate()), template)) {
            return new UndoResult(describe(), revision, hash, true);
        }
        patch("undo", JSON, undoPatch(rollout.resourceVersion(), template));
        LOG.info("undo of {}: back to revision {} ({})", describe(), revision, hash);
        return new UndoResult(describe(), revision, hash, false);
    }

    /** The plugin's JSON patch replacing {@code /spec/template}, conditioned on the resourceVersion read. */
    static String undoPatch(String resourceVersion, Map<String, Object> template) {
        List<Map<String, Object>> operations = new ArrayList<>();
        if (resourceVersion != null) {
            Map<String, Object> rv = new LinkedHashMap<>();
            rv.put("op", "replace");
            rv.put("path", "/metadata/resourceVersion");
            rv.put("value", resourceVersion);
            operations.add(rv);
        }
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "replace");
        op.put("path", "/spec/template");
        op.put("value", template);
        operations.add(op);
        return Serialization.asJson(operations);
    }

    ReplicaSet findRevision(Rollout rollout, List<ReplicaSet> owned, long toRevision) {
        List<ReplicaSet> byRevision = owned.stream().filter(rs -> revision(rs) > 0)
                .sorted(Comparator.comparingLong(RolloutClient::revision).reversed()).toList();
        if (toRevision > 0) {
            return byRevision.stream().filter(rs -> revision(rs) == toRevision).findFirst()
                    .orElseThrow(() -> new ArgoException(describe() + " has no revision " + toRevision
                            + " in its history; its ReplicaSets have revisions " + byRevision.stream()
                                    .map(rs -> String.valueOf(revision(rs))).toList() + "; nothing was changed"));
        }
        if (byRevision.size() < 2) {
            throw new ArgoException(describe() + " has no previous revision to undo to (revisions: " + byRevision.stream()
                    .map(rs -> String.valueOf(revision(rs))).toList() + "); nothing was changed");
        }
        return byRevision.get(1);
    }

    private static boolean sameTemplate(Map<String, Object> a, Map<String, Object> b) {
        return Serialization.asJson(sorted(a)).equals(Serialization.asJson(sorted(b)));
    }

    private static Object sorted(Object tree) {
        if (tree instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new java.util.TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), sorted(v)));
            return sorted;
        }
        if (tree instanceof List<?> list) {
            return list.stream().map(RolloutClient::sorted).toList();
        }
        return tree;
    }

    private static Map<String, Object> withoutHash(Map<String, Object> template) {
        Map<String, Object> copy = Trees.copy(template == null ? new LinkedHashMap<>() : template);
        Map<String, Object> labels = Trees.map(copy, "metadata", "labels");
        if (labels != null) {
            labels.remove(Rollout.HASH_LABEL);
        }
        copy.remove("creationTimestamp");
        Map<String, Object> metadata = Trees.map(copy, "metadata");
        if (metadata != null) {
            metadata.remove("creationTimestamp");
        }
        return copy;
    }

    static long revision(ReplicaSet rs) {
        String value = rs.getMetadata().getAnnotations() == null ? null
                : rs.getMetadata().getAnnotations().get(Rollout.REVISION_ANNOTATION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static Map<String, String> labels(ReplicaSet rs) {
        return rs.getMetadata().getLabels() == null ? Map.of() : rs.getMetadata().getLabels();
    }

    // ---- waiting ----

    @Override
    public RolloutStatus awaitPhase(RolloutPhase phase, Duration timeout) {
        if (phase == null) {
            throw new ConfigurationException("phase must not be null");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new ConfigurationException("timeout must be positive, but was " + timeout);
        }
        return await(status -> status.phase() == phase, phase.argoName(), Deadline.after(timeout));
    }

    @Override
    public RolloutStatus await(Predicate<RolloutStatus> condition, String description, Deadline deadline) {
        if (condition == null || deadline == null) {
            throw new ConfigurationException("condition and deadline must not be null");
        }
        // The watch only signals; statuses are computed (with a list of ReplicaSets) on the waiting thread,
        // never on the client's event thread.
        AtomicReference<GenericKubernetesResource> latest = new AtomicReference<>();
        AtomicReference<CompletableFuture<Void>> changed = new AtomicReference<>(new CompletableFuture<>());
        RolloutStatus last = null;
        try (Watch watch = resource().watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                if (action != Action.DELETED) {
                    latest.set(resource);
                }
                changed.get().complete(null);
            }

            @Override
            public void onClose(WatcherException cause) {
                changed.get().complete(null);
            }
        })) {
            Rollout rollout = get();
            while (true) {
                CompletableFuture<Void> next = new CompletableFuture<>();
                changed.set(next);
                GenericKubernetesResource seen = latest.get();
                if (seen != null) {
                    rollout = requireBlueGreen(Rollout.of(seen));
                }
                last = statusOf(rollout);
                if (condition.test(last)) {
                    return last;
                }
                try {
                    deadline.await(next);
                } catch (TimeoutException e) {
                    throw new ArgoException(describe() + " was not " + description + " within " + deadline.timeout()
                            + "; last seen: " + last, e);
                }
            }
        } catch (KubernetesClientException e) {
            throw apiError("watch of " + describe() + " failed", e);
        }
    }

    // ---- errors ----

    ClusterApiException apiError(String message, KubernetesClientException e) {
        return new ClusterApiException(message + ": " + (e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : e.getMessage()), describe(), e.getCode(), e);
    }

    static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
