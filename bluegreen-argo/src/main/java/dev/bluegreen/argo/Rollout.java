package dev.bluegreen.argo;

import dev.bluegreen.argo.internal.Trees;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Argo Rollouts {@code Rollout} ({@code argoproj.io/v1alpha1}) as read: typed accessors for what the SDK
 * uses, over the whole object as the server returned it, so fields this SDK does not model (newer Argo
 * versions, canary settings, analysis) are never lost. The SDK never writes a Rollout back whole: every
 * operation sends a merge or JSON patch of only the fields it owns. Immutable.
 */
public final class Rollout {
    /** The label with a revision's pod-template hash on its ReplicaSet, its pods and the Services' selectors. */
    public static final String HASH_LABEL = "rollouts-pod-template-hash";
    /** The revision annotation of the Rollout's ReplicaSets. */
    public static final String REVISION_ANNOTATION = "rollout.argoproj.io/revision";
    /** The {@code apiVersion} of Rollouts. */
    public static final String API_VERSION = "argoproj.io/v1alpha1";
    /** The kind. */
    public static final String KIND = "Rollout";

    private final Map<String, Object> tree;

    private Rollout(Map<String, Object> tree) {
        this.tree = Collections.unmodifiableMap(Trees.copy(tree));
    }

    /**
     * @param resource a Rollout as the generic client read it; never null
     * @return its typed view
     */
    public static Rollout of(GenericKubernetesResource resource) {
        return of(Serialization.unmarshal(Serialization.asJson(resource), Map.class));
    }

    /**
     * @param tree a Rollout as a JSON tree; never null
     * @return its typed view (over a copy)
     */
    @SuppressWarnings("unchecked")
    public static Rollout of(Map<String, ?> tree) {
        if (tree == null) {
            throw new IllegalArgumentException("a Rollout tree is required, but was null");
        }
        return new Rollout((Map<String, Object>) tree);
    }

    /**
     * @return a deep copy of the whole object, unknown fields included
     */
    public Map<String, Object> toMap() {
        return Trees.copy(new LinkedHashMap<>(tree));
    }

    /**
     * @param path keys from the root, e.g. {@code "spec", "strategy", "blueGreen", "prePromotionAnalysis"}
     * @return the value at the path (a copy), modelled or not; empty when missing
     */
    public Optional<Object> field(String... path) {
        return Optional.ofNullable(Trees.copy(Trees.at(tree, path)));
    }

    /** @return {@code metadata.name} */
    public String name() {
        return Trees.string(tree, "metadata", "name");
    }

    /** @return {@code metadata.namespace} */
    public String namespace() {
        return Trees.string(tree, "metadata", "namespace");
    }

    /** @return e.g. {@code Rollout shop/myapp} */
    public String describe() {
        return KIND + " " + namespace() + "/" + name();
    }

    /** @return {@code metadata.uid} */
    public String uid() {
        return Trees.string(tree, "metadata", "uid");
    }

    /** @return {@code metadata.resourceVersion}, on which the SDK's own writes are conditioned */
    public String resourceVersion() {
        return Trees.string(tree, "metadata", "resourceVersion");
    }

    /** @return {@code metadata.generation}, 0 when absent */
    public long generation() {
        return Trees.number(tree, 0, "metadata", "generation");
    }

    /** @return whether {@code spec.strategy.blueGreen} is set */
    public boolean isBlueGreen() {
        return Trees.map(tree, "spec", "strategy", "blueGreen") != null;
    }

    /** @return the strategy's name, {@code blueGreen}, {@code canary}, or {@code none} */
    public String strategy() {
        Map<String, Object> strategy = Trees.map(tree, "spec", "strategy");
        return strategy == null || strategy.isEmpty() ? "none" : String.join(", ", strategy.keySet());
    }

    /** @return {@code spec.strategy.blueGreen.activeService}, or null */
    public String activeService() {
        return Trees.string(tree, "spec", "strategy", "blueGreen", "activeService");
    }

    /** @return {@code spec.strategy.blueGreen.previewService}, or null */
    public String previewService() {
        String preview = Trees.string(tree, "spec", "strategy", "blueGreen", "previewService");
        return preview == null || preview.isEmpty() ? null : preview;
    }

    /** @return {@code spec.strategy.blueGreen.autoPromotionEnabled}, true when absent (Argo's default) */
    public boolean autoPromotionEnabled() {
        return !Boolean.FALSE.equals(Trees.at(tree, "spec", "strategy", "blueGreen", "autoPromotionEnabled"));
    }

    /** @return {@code spec.replicas}, 1 when absent (Argo's default) */
    public int replicas() {
        return (int) Trees.number(tree, 1, "spec", "replicas");
    }

    /** @return {@code spec.paused} */
    public boolean paused() {
        return Trees.isTrue(tree, "spec", "paused");
    }

    /** @return {@code spec.restartAt}, or null */
    public String restartAt() {
        return Trees.string(tree, "spec", "restartAt");
    }

    /** @return whether the Rollout takes its template from a Deployment ({@code spec.workloadRef}) */
    public boolean hasWorkloadRef() {
        return Trees.map(tree, "spec", "workloadRef") != null;
    }

    /** @return a copy of {@code spec.template}, or null */
    public Map<String, Object> podTemplate() {
        return Trees.copy(Trees.map(tree, "spec", "template"));
    }

    /**
     * @return the image of each container of the pod template, init and ephemeral containers included, by
     *         container name, in the template's order
     */
    public Map<String, String> images() {
        Map<String, String> images = new LinkedHashMap<>();
        for (String list : CONTAINER_LISTS) {
            for (Map<String, Object> container : Trees.maps(tree, "spec", "template", "spec", list)) {
                images.put(String.valueOf(container.get("name")), String.valueOf(container.get("image")));
            }
        }
        return images;
    }

    /** The container lists of a pod spec, in the order {@code set image} visits them. */
    public static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");

    /** @return {@code status.currentPodHash}: the hash of the revision the spec asks for, or null */
    public String currentPodHash() {
        return Trees.string(tree, "status", "currentPodHash");
    }

    /** @return {@code status.stableRS}: the hash of the stable revision, or null */
    public String stableHash() {
        return Trees.string(tree, "status", "stableRS");
    }

    /** @return {@code status.blueGreen.activeSelector}, or null */
    public String activeSelector() {
        return Trees.string(tree, "status", "blueGreen", "activeSelector");
    }

    /** @return {@code status.blueGreen.previewSelector}, or null */
    public String previewSelector() {
        return Trees.string(tree, "status", "blueGreen", "previewSelector");
    }

    /** @return the reasons of {@code status.pauseConditions}, e.g. {@code BlueGreenPause} */
    public List<String> pauseConditions() {
        List<String> reasons = new ArrayList<>();
        for (Map<String, Object> condition : Trees.maps(tree, "status", "pauseConditions")) {
            reasons.add(String.valueOf(condition.get("reason")));
        }
        return reasons;
    }

    /** @return {@code status.controllerPause} */
    public boolean controllerPause() {
        return Trees.isTrue(tree, "status", "controllerPause");
    }

    /** @return {@code status.abort} */
    public boolean aborted() {
        return Trees.isTrue(tree, "status", "abort");
    }

    /** @return {@code status.promoteFull} */
    public boolean promoteFull() {
        return Trees.isTrue(tree, "status", "promoteFull");
    }

    /** @return {@code status.observedGeneration} as written (a number in text), or null */
    public String observedGeneration() {
        return Trees.string(tree, "status", "observedGeneration");
    }

    /** @return {@code status.phase} as the controller wrote it, or null */
    public String statusPhase() {
        String phase = Trees.string(tree, "status", "phase");
        return phase == null || phase.isEmpty() ? null : phase;
    }

    /** @return {@code status.message}, or null */
    public String statusMessage() {
        return Trees.string(tree, "status", "message");
    }

    /** @return {@code status.restartedAt}, or null */
    public String restartedAt() {
        return Trees.string(tree, "status", "restartedAt");
    }

    /** @return {@code status.updatedReplicas}, 0 when absent */
    public int updatedReplicas() {
        return (int) Trees.number(tree, 0, "status", "updatedReplicas");
    }

    /** @return {@code status.availableReplicas}, 0 when absent */
    public int availableReplicas() {
        return (int) Trees.number(tree, 0, "status", "availableReplicas");
    }

    /** @return {@code status.readyReplicas}, 0 when absent */
    public int readyReplicas() {
        return (int) Trees.number(tree, 0, "status", "readyReplicas");
    }

    /**
     * One entry of {@code status.conditions}.
     *
     * @param type    e.g. {@code Progressing}
     * @param status  {@code True}, {@code False} or {@code Unknown}
     * @param reason  e.g. {@code RolloutAborted}
     * @param message the controller's message
     */
    public record Condition(String type, String status, String reason, String message) {
    }

    /** @return {@code status.conditions} */
    public List<Condition> conditions() {
        List<Condition> conditions = new ArrayList<>();
        for (Map<String, Object> c : Trees.maps(tree, "status", "conditions")) {
            conditions.add(new Condition(Trees.string(c, "type"), Trees.string(c, "status"), Trees.string(c, "reason"),
                    Trees.string(c, "message")));
        }
        return conditions;
    }

    /**
     * @return e.g. {@code Rollout shop/myapp (resourceVersion 42)}
     */
    @Override
    public String toString() {
        return describe() + " (resourceVersion " + resourceVersion() + ")";
    }
}
