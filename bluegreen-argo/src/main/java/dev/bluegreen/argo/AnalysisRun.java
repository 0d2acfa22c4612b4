package dev.bluegreen.argo;

import dev.bluegreen.argo.internal.Trees;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Argo Rollouts {@code AnalysisRun} as read: its phase, message and metric results, over the whole object,
 * so fields this SDK does not model are kept. Immutable.
 */
public final class AnalysisRun {
    /** The kind. */
    public static final String KIND = "AnalysisRun";

    private final Map<String, Object> tree;

    private AnalysisRun(Map<String, Object> tree) {
        this.tree = Collections.unmodifiableMap(Trees.copy(tree));
    }

    /**
     * @param resource an AnalysisRun as the generic client read it; never null
     * @return its typed view
     */
    public static AnalysisRun of(GenericKubernetesResource resource) {
        return of(Serialization.unmarshal(Serialization.asJson(resource), Map.class));
    }

    /**
     * @param tree an AnalysisRun as a JSON tree; never null
     * @return its typed view (over a copy)
     */
    @SuppressWarnings("unchecked")
    public static AnalysisRun of(Map<String, ?> tree) {
        if (tree == null) {
            throw new IllegalArgumentException("an AnalysisRun tree is required, but was null");
        }
        return new AnalysisRun((Map<String, Object>) tree);
    }

    /** @return {@code metadata.name} */
    public String name() {
        return Trees.string(tree, "metadata", "name");
    }

    /** @return the pod-template hash of the revision it analyses (its {@code rollouts-pod-template-hash} label), or null */
    public String podTemplateHash() {
        return Trees.string(tree, "metadata", "labels", Rollout.HASH_LABEL);
    }

    /** @return {@code status.phase}: Pending, Running, Successful, Failed, Error or Inconclusive; Pending when absent */
    public String phase() {
        String phase = Trees.string(tree, "status", "phase");
        return phase == null || phase.isEmpty() ? "Pending" : phase;
    }

    /** @return {@code status.message}, or empty */
    public String message() {
        String message = Trees.string(tree, "status", "message");
        return message == null ? "" : message;
    }

    /**
     * One entry of {@code status.metricResults}.
     *
     * @param name    the metric's name
     * @param phase   its phase
     * @param message its message, or empty
     * @param count   measurements taken
     * @param failed  failed measurements
     */
    public record MetricResult(String name, String phase, String message, long count, long failed) {
        /** @return e.g. {@code error-rate: Failed (3 measurements, 2 failed): value 0.2 above 0.05} */
        @Override
        public String toString() {
            return name + ": " + phase + " (" + count + " measurements, " + failed + " failed)"
                    + (message.isEmpty() ? "" : ": " + message);
        }
    }

    /** @return {@code status.metricResults} */
    public List<MetricResult> metricResults() {
        List<MetricResult> results = new ArrayList<>();
        for (Map<String, Object> m : Trees.maps(tree, "status", "metricResults")) {
            String message = Trees.string(m, "message");
            results.add(new MetricResult(Trees.string(m, "name"), Trees.string(m, "phase"), message == null ? "" : message,
                    Trees.number(m, 0, "count"), Trees.number(m, 0, "failed")));
        }
        return results;
    }

    /**
     * @param path keys from the root
     * @return the value at the path (a copy), modelled or not; empty when missing
     */
    public Optional<Object> field(String... path) {
        return Optional.ofNullable(Trees.copy(Trees.at(tree, path)));
    }

    /** @return e.g. {@code AnalysisRun myapp-5d8f-2-pre: Failed} */
    @Override
    public String toString() {
        return KIND + " " + name() + ": " + phase() + (message().isEmpty() ? "" : " (" + message() + ")");
    }
}
