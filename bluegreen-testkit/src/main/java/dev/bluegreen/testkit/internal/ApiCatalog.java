package dev.bluegreen.testkit.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in API resources the simulated API server announces in discovery, as a Kubernetes 1.32 API server
 * lists them: group, version, kind, scope, verbs, short names, categories and subresources. Every resource the
 * mock can store is listed, whether or not the simulated cluster runs a controller for it; what is missing
 * from a real cluster is the aggregated APIs (metrics, API registration) and the authentication and
 * authorization review kinds, which nothing here could answer.
 */
final class ApiCatalog {

    /** Every verb of a collection of objects: what a plain storage serves. */
    static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

    /**
     * A subresource of a resource.
     *
     * @param name    e.g. {@code scale}
     * @param group   the group of the kind it answers with, empty when that is the resource's own group
     * @param version the version of that kind, empty when the resource's own
     * @param kind    the kind it answers with, e.g. {@code Scale}
     * @param verbs   what it serves
     */
    record Subresource(String name, String group, String version, String kind, List<String> verbs) {
    }

    /**
     * One resource of one group version.
     *
     * @param group        the API group, empty for the core group
     * @param version      e.g. {@code v1}
     * @param plural       e.g. {@code deployments}
     * @param singular     e.g. {@code deployment}
     * @param kind         e.g. {@code Deployment}
     * @param namespaced   whether objects live in namespaces
     * @param verbs        the verbs of the collection and its objects
     * @param shortNames   e.g. {@code deploy}
     * @param categories   e.g. {@code all}
     * @param subresources e.g. {@code scale}, {@code status}
     */
    record Resource(String group, String version, String plural, String singular, String kind, boolean namespaced,
            List<String> verbs, List<String> shortNames, List<String> categories, List<Subresource> subresources) {

        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    /**
     * A group and its versions, preferred version first.
     *
     * @param name     the group, empty for the core group
     * @param versions its versions, the preferred one first
     */
    record Group(String name, List<String> versions) {
    }

    private static final List<Resource> BUILT_IN = new ArrayList<>();
    private static final List<Group> GROUPS = new ArrayList<>();

    static {
        // core/v1, in the order a real server lists it (alphabetical)
        core("bindings", "Binding", true, List.of("create"), List.of(), List.of());
        core("componentstatuses", "ComponentStatus", false, List.of("get", "list"), List.of("cs"), List.of());
        core("configmaps", "ConfigMap", true, ALL_VERBS, List.of("cm"), List.of());
        core("endpoints", "Endpoints", true, ALL_VERBS, List.of("ep"), List.of());
        core("events", "Event", true, ALL_VERBS, List.of("ev"), List.of());
        core("limitranges", "LimitRange", true, ALL_VERBS, List.of("limits"), List.of());
        core("namespaces", "Namespace", false, List.of("create", "delete", "get", "list", "patch", "update", "watch"),
                List.of("ns"), List.of(),
                sub("finalize", "", "", "Namespace", List.of("update")), status("Namespace"));
        core("nodes", "Node", false, ALL_VERBS, List.of("no"), List.of(),
                sub("proxy", "", "", "NodeProxyOptions", List.of("create", "delete", "get", "patch", "update")),
                status("Node"));
        core("persistentvolumeclaims", "PersistentVolumeClaim", true, ALL_VERBS, List.of("pvc"), List.of(),
                status("PersistentVolumeClaim"));
        core("persistentvolumes", "PersistentVolume", false, ALL_VERBS, List.of("pv"), List.of(),
                status("PersistentVolume"));
        core("pods", "Pod", true, ALL_VERBS, List.of("po"), List.of("all"),
                sub("attach", "", "", "PodAttachOptions", List.of("create", "get")),
                sub("binding", "", "", "Binding", List.of("create")),
                sub("ephemeralcontainers", "", "", "Pod", STATUS_VERBS),
                sub("eviction", "policy", "v1", "Eviction", List.of("create")),
                sub("exec", "", "", "PodExecOptions", List.of("create", "get")),
                sub("log", "", "", "Pod", List.of("get")),
                sub("portforward", "", "", "PodPortForwardOptions", List.of("create", "get")),
                sub("proxy", "", "", "PodProxyOptions", List.of("create", "delete", "get", "patch", "update")),
                status("Pod"));
        core("podtemplates", "PodTemplate", true, ALL_VERBS, List.of(), List.of());
        core("replicationcontrollers", "ReplicationController", true, ALL_VERBS, List.of("rc"), List.of("all"),
                scale(), status("ReplicationController"));
        core("resourcequotas", "ResourceQuota", true, ALL_VERBS, List.of("quota"), List.of(), status("ResourceQuota"));
        core("secrets", "Secret", true, ALL_VERBS, List.of(), List.of());
        core("serviceaccounts", "ServiceAccount", true, ALL_VERBS, List.of("sa"), List.of(),
                sub("token", "authentication.k8s.io", "v1", "TokenRequest", List.of("create")));
        core("services", "Service", true, ALL_VERBS, List.of("svc"), List.of("all"),
                sub("proxy", "", "", "ServiceProxyOptions", List.of("create", "delete", "get", "patch", "update")),
                status("Service"));

        group("apps", "v1");
        res("apps", "v1", "controllerrevisions", "ControllerRevision", true, List.of(), List.of());
        res("apps", "v1", "daemonsets", "DaemonSet", true, List.of("ds"), List.of("all"), status("DaemonSet"));
        res("apps", "v1", "deployments", "Deployment", true, List.of("deploy"), List.of("all"), scale(), status("Deployment"));
        res("apps", "v1", "replicasets", "ReplicaSet", true, List.of("rs"), List.of("all"), scale(), status("ReplicaSet"));
        res("apps", "v1", "statefulsets", "StatefulSet", true, List.of("sts"), List.of("all"), scale(), status("StatefulSet"));

        group("events.k8s.io", "v1");
        res("events.k8s.io", "v1", "events", "Event", true, List.of("ev"), List.of());

        group("autoscaling", "v2", "v1");
        res("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, List.of("hpa"),
                List.of("all"), status("HorizontalPodAutoscaler"));
        res("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, List.of("hpa"),
                List.of("all"), status("HorizontalPodAutoscaler"));

        group("batch", "v1");
        res("batch", "v1", "cronjobs", "CronJob", true, List.of("cj"), List.of("all"), status("CronJob"));
        res("batch", "v1", "jobs", "Job", true, List.of(), List.of("all"), status("Job"));

        group("networking.k8s.io", "v1");
        res("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, List.of(), List.of());
        res("networking.k8s.io", "v1", "ingresses", "Ingress", true, List.of("ing"), List.of(), status("Ingress"));
        res("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, List.of("netpol"), List.of());

        group("policy", "v1");
        res("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, List.of("pdb"), List.of(),
                status("PodDisruptionBudget"));

        group("rbac.authorization.k8s.io", "v1");
        res("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, List.of(), List.of());
        res("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, List.of(), List.of());
        res("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, List.of(), List.of());
        res("rbac.authorization.k8s.io", "v1", "roles", "Role", true, List.of(), List.of());

        group("storage.k8s.io", "v1");
        res("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, List.of("sc"), List.of());

        group("apiextensions.k8s.io", "v1");
        res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false,
                List.of("crd", "crds"), List.of("api-extensions"), status("CustomResourceDefinition"));

        group("scheduling.k8s.io", "v1");
        res("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, List.of("pc"), List.of());

        group("coordination.k8s.io", "v1");
        res("coordination.k8s.io", "v1", "leases", "Lease", true, List.of(), List.of());

        group("discovery.k8s.io", "v1");
        res("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, List.of(), List.of());
    }

    private ApiCatalog() {
    }

    /**
     * Returns the built-in resources.
     *
     * @return the resources, core first, in discovery order
     */
    static List<Resource> builtIn() {
        return BUILT_IN;
    }

    /**
     * Returns the built-in groups other than the core group.
     *
     * @return the groups in discovery order
     */
    static List<Group> groups() {
        return GROUPS;
    }

    /**
     * Finds a built-in resource.
     *
     * @param group    the group, empty for core
     * @param version  the version
     * @param plural   the resource
     * @return the resource, or null when it is no built-in one
     */
    static Resource find(String group, String version, String plural) {
        for (Resource resource : BUILT_IN) {
            if (resource.group().equals(group) && resource.version().equals(version) && resource.plural().equals(plural)) {
                return resource;
            }
        }
        return null;
    }

    /**
     * Finds a built-in resource by kind.
     *
     * @param group   the group, empty for core
     * @param version the version
     * @param kind    the kind
     * @return the resource, or null when it is no built-in one
     */
    static Resource findKind(String group, String version, String kind) {
        for (Resource resource : BUILT_IN) {
            if (resource.group().equals(group) && resource.version().equals(version) && resource.kind().equals(kind)) {
                return resource;
            }
        }
        return null;
    }

    /**
     * Tells whether a group is one of the built-in ones (a custom resource's group is not).
     *
     * @param group the group, empty for core
     * @return true for the core group and the built-in groups
     */
    static boolean isBuiltInGroup(String group) {
        return group.isEmpty() || GROUPS.stream().anyMatch(g -> g.name().equals(group));
    }

    /**
     * Groups resources by group version, keeping their order.
     *
     * @param resources resources
     * @return group version to resources
     */
    static Map<String, List<Resource>> byGroupVersion(List<Resource> resources) {
        Map<String, List<Resource>> result = new LinkedHashMap<>();
        for (Resource resource : resources) {
            result.computeIfAbsent(resource.groupVersion(), k -> new ArrayList<>()).add(resource);
        }
        return result;
    }

    private static void core(String plural, String kind, boolean namespaced, List<String> verbs, List<String> shortNames,
            List<String> categories, Subresource... subresources) {
        BUILT_IN.add(new Resource("", "v1", plural, singular(kind), kind, namespaced, verbs, shortNames, categories,
                List.of(subresources)));
    }

    private static void res(String group, String version, String plural, String kind, boolean namespaced,
            List<String> shortNames, List<String> categories, Subresource... subresources) {
        BUILT_IN.add(new Resource(group, version, plural, singular(kind), kind, namespaced, ALL_VERBS, shortNames,
                categories, List.of(subresources)));
    }

    private static void group(String name, String... versions) {
        GROUPS.add(new Group(name, List.of(versions)));
    }

    private static Subresource sub(String name, String group, String version, String kind, List<String> verbs) {
        return new Subresource(name, group, version, kind, verbs);
    }

    private static Subresource status(String kind) {
        return new Subresource("status", "", "", kind, STATUS_VERBS);
    }

    private static Subresource scale() {
        return new Subresource("scale", "autoscaling", "v1", "Scale", STATUS_VERBS);
    }

    /** The singular name a real server announces: the kind in lower case. */
    static String singular(String kind) {
        return kind.toLowerCase(java.util.Locale.ROOT);
    }
}
