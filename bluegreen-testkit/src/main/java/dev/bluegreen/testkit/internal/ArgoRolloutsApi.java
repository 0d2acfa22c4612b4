package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.List;
import java.util.Map;

/**
 * Argo Rollouts' API as a cluster with Argo Rollouts installed has it: the CustomResourceDefinitions of
 * {@code argoproj.io/v1alpha1} Rollout and AnalysisRun (both with a status subresource), so that generic clients
 * and discovery find the kinds, and the names its controller writes (labels, annotations, reasons).
 */
final class ArgoRolloutsApi {

    /** The API group. */
    static final String GROUP = "argoproj.io";
    /** The version served. */
    static final String VERSION = "v1alpha1";
    /** The {@code apiVersion} of Rollouts and AnalysisRuns. */
    static final String API_VERSION = GROUP + "/" + VERSION;
    /** The label with a ReplicaSet's pod-template hash, in its selector, its pods and the Services' selectors. */
    static final String HASH_LABEL = "rollouts-pod-template-hash";
    /** The revision annotation of a Rollout's ReplicaSets (and of the Rollout itself). */
    static final String REVISION = "rollout.argoproj.io/revision";
    /** When an old ReplicaSet is scaled down, set on it while its scale-down delay runs. */
    static final String SCALE_DOWN_DEADLINE = "scale-down-deadline";
    /** Set on the Services a Rollout manages. */
    static final String MANAGED_BY = "argo-rollouts.argoproj.io/managed-by-rollouts";

    private ArgoRolloutsApi() {
    }

    /**
     * The CRDs, with schemas that keep every field (nothing of the specs is validated by the server here).
     *
     * @return the definitions to create at start
     */
    static List<CustomResourceDefinition> definitions() {
        return List.of(
                crd("Rollout", "rollouts", "rollout", List.of("ro")),
                crd("AnalysisRun", "analysisruns", "analysisrun", List.of("ar")));
    }

    private static CustomResourceDefinition crd(String kind, String plural, String singular, List<String> shortNames) {
        CustomResourceDefinition crd = GatewayApi.crd(GROUP, kind, plural, singular, "Namespaced", shortNames, "argoproj",
                VERSION);
        crd.getMetadata().setLabels(Map.of("app.kubernetes.io/part-of", "argo-rollouts"));
        return crd;
    }
}
