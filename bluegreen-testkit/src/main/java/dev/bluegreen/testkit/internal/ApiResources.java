package dev.bluegreen.testkit.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The built-in kinds the simulated API server gives a real server's write semantics (validation, defaults,
 * status subresource, graceful deletion), and the custom resources whose controllers it simulates (Gateway API
 * routes and gateways, Argo Rollouts' Rollout and AnalysisRun). Other resources keep the mock's own handling.
 */
final class ApiResources {

    /** How object names of a kind are validated, as the API server's name validators do. */
    enum NameRule {
        /** RFC 1123 subdomain: most kinds. */
        DNS1123_SUBDOMAIN,
        /** RFC 1035 label: Services. */
        DNS1035_LABEL
    }

    /**
     * One kind of object.
     *
     * @param group      the API group, empty for core
     * @param version    the version served
     * @param kind       e.g. {@code Deployment}
     * @param plural     e.g. {@code deployments}
     * @param status     whether it has a status subresource: writes of the main object keep the status, and
     *                   writes of {@code /status} change only the status
     * @param generation whether spec changes bump {@code metadata.generation}
     * @param names      how names are validated
     */
    record Kind(String group, String version, String kind, String plural, boolean status, boolean generation,
            NameRule names) {

        /**
         * Returns the kind as error messages name it.
         *
         * @return e.g. {@code Deployment.apps} or {@code Service}
         */
        String groupKind() {
            return group.isEmpty() ? kind : kind + "." + group;
        }

        /**
         * Returns the resource as conflict and not-found messages name it.
         *
         * @return e.g. {@code deployments.apps} or {@code pods}
         */
        String groupResource() {
            return group.isEmpty() ? plural : plural + "." + group;
        }

        /**
         * Returns the {@code apiVersion} of objects of this kind.
         *
         * @return e.g. {@code apps/v1}
         */
        String apiVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("", "v1", "Pod", "pods", true, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("", "v1", "Service", "services", true, false, NameRule.DNS1035_LABEL),
            new Kind("", "v1", "Endpoints", "endpoints", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("", "v1", "ConfigMap", "configmaps", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("", "v1", "Secret", "secrets", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("", "v1", "Event", "events", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("", "v1", "ServiceAccount", "serviceaccounts", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("apps", "v1", "Deployment", "deployments", true, true, NameRule.DNS1123_SUBDOMAIN),
            new Kind("apps", "v1", "ReplicaSet", "replicasets", true, true, NameRule.DNS1123_SUBDOMAIN),
            new Kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("coordination.k8s.io", "v1", "Lease", "leases", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("events.k8s.io", "v1", "Event", "events", false, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("", "v1", "ResourceQuota", "resourcequotas", true, false, NameRule.DNS1123_SUBDOMAIN),
            new Kind("batch", "v1", "Job", "jobs", true, true, NameRule.DNS1123_SUBDOMAIN),
            new Kind("networking.k8s.io", "v1", "Ingress", "ingresses", true, true, NameRule.DNS1123_SUBDOMAIN),
            new Kind(GatewayApi.GROUP, "v1", "HTTPRoute", "httproutes", true, true, NameRule.DNS1123_SUBDOMAIN),
            new Kind(GatewayApi.GROUP, "v1", "Gateway", "gateways", true, true, NameRule.DNS1123_SUBDOMAIN),
            new Kind(ArgoRolloutsApi.GROUP, ArgoRolloutsApi.VERSION, "Rollout", "rollouts", true, true,
                    NameRule.DNS1123_SUBDOMAIN),
            new Kind(ArgoRolloutsApi.GROUP, ArgoRolloutsApi.VERSION, "AnalysisRun", "analysisruns", true, true,
                    NameRule.DNS1123_SUBDOMAIN));

    private static final Map<String, Kind> BY_RESOURCE = KINDS.stream()
            .collect(Collectors.toMap(k -> k.group() + "/" + k.plural(), Function.identity()));

    private ApiResources() {
    }

    /**
     * Finds the kind a path's resource names.
     *
     * @param path a parsed path
     * @return the kind, or null when the simulated server leaves the resource to the mock
     */
    static Kind of(ApiPath path) {
        Kind kind = BY_RESOURCE.get(path.group() + "/" + path.resource());
        return kind != null && kind.version().equals(path.version()) ? kind : null;
    }
}
