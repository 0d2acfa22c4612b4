package dev.bluegreen.testkit.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strategic merge patch metadata of the built-in kinds: for each field that is not simply replaced, its
 * patch strategy ({@code merge}, {@code retainKeys}, {@code replace}) and, for lists of objects, the merge key.
 * It is the information the Go types carry in their {@code patchStrategy} and {@code patchMergeKey} struct tags
 * ({@code k8s.io/api} and {@code k8s.io/apimachinery} v0.32), which is what a real API server applies a
 * strategic merge patch with. Fields not listed here are replaced by a patch (lists) or merged key by key
 * (objects), which is also what the Go types say for them.
 */
final class PatchMeta {

    /** A field's strategies and merge key, and the metadata of its value (of its elements for a list). */
    record Field(List<String> strategies, String mergeKey, PatchMeta type) {
    }

    /** The metadata of a value with no special field: everything in it is merged or replaced plainly. */
    static final PatchMeta PLAIN = new PatchMeta("plain");

    private static final Map<String, PatchMeta> ROOTS = new HashMap<>();

    static final PatchMeta OBJECT_META = new PatchMeta("ObjectMeta")
            .merge("finalizers", null, PLAIN)
            .merge("ownerReferences", "uid", PLAIN);
    private static final PatchMeta CONTAINER = new PatchMeta("Container")
            .merge("ports", "containerPort", PLAIN)
            .merge("env", "name", PLAIN)
            .merge("volumeMounts", "mountPath", PLAIN)
            .merge("volumeDevices", "devicePath", PLAIN);
    private static final PatchMeta CONTAINER_STATUS = new PatchMeta("ContainerStatus")
            .merge("volumeMounts", "mountPath", PLAIN)
            .merge("allocatedResourcesStatus", "name", PLAIN);
    private static final PatchMeta POD_SPEC = new PatchMeta("PodSpec")
            .field("volumes", List.of("merge", "retainKeys"), "name", PLAIN)
            .merge("initContainers", "name", CONTAINER)
            .merge("containers", "name", CONTAINER)
            .merge("ephemeralContainers", "name", CONTAINER)
            .merge("imagePullSecrets", "name", PLAIN)
            .merge("hostAliases", "ip", PLAIN)
            .merge("topologySpreadConstraints", "topologyKey", PLAIN)
            .merge("schedulingGates", "name", PLAIN)
            .field("resourceClaims", List.of("merge", "retainKeys"), "name", PLAIN);
    private static final PatchMeta POD_STATUS = new PatchMeta("PodStatus")
            .merge("conditions", "type", PLAIN)
            .merge("hostIPs", "ip", PLAIN)
            .merge("podIPs", "ip", PLAIN)
            .field("resourceClaimStatuses", List.of("merge", "retainKeys"), "name", PLAIN)
            .field("containerStatuses", List.of(), null, CONTAINER_STATUS)
            .field("initContainerStatuses", List.of(), null, CONTAINER_STATUS)
            .field("ephemeralContainerStatuses", List.of(), null, CONTAINER_STATUS);
    private static final PatchMeta POD_TEMPLATE_SPEC = new PatchMeta("PodTemplateSpec")
            .object("metadata", OBJECT_META)
            .object("spec", POD_SPEC);
    private static final PatchMeta CONDITIONS = new PatchMeta("Status").merge("conditions", "type", PLAIN);
    private static final PatchMeta WORKLOAD_SPEC = new PatchMeta("WorkloadSpec").object("template", POD_TEMPLATE_SPEC);
    private static final PatchMeta DEPLOYMENT_SPEC = new PatchMeta("DeploymentSpec")
            .object("template", POD_TEMPLATE_SPEC)
            .field("strategy", List.of("retainKeys"), null, PLAIN);
    private static final PatchMeta JOB_SPEC = WORKLOAD_SPEC;
    private static final PatchMeta CRON_JOB_SPEC = new PatchMeta("CronJobSpec")
            .object("jobTemplate", new PatchMeta("JobTemplateSpec").object("metadata", OBJECT_META).object("spec", JOB_SPEC));
    private static final PatchMeta SERVICE_SPEC = new PatchMeta("ServiceSpec").merge("ports", "port", PLAIN);
    private static final PatchMeta NODE_SPEC = new PatchMeta("NodeSpec").merge("podCIDRs", null, PLAIN);
    private static final PatchMeta NODE_STATUS = new PatchMeta("NodeStatus")
            .merge("conditions", "type", PLAIN)
            .merge("addresses", "type", PLAIN);
    private static final PatchMeta PDB_SPEC = new PatchMeta("PodDisruptionBudgetSpec")
            .field("selector", List.of("replace"), null, PLAIN);

    static {
        root("", "Pod", POD_SPEC, POD_STATUS);
        root("", "PodTemplate", null, null).object("template", POD_TEMPLATE_SPEC);
        root("", "ReplicationController", WORKLOAD_SPEC, CONDITIONS);
        root("", "Service", SERVICE_SPEC, CONDITIONS);
        root("", "ServiceAccount", null, null).merge("secrets", "name", PLAIN);
        root("", "Node", NODE_SPEC, NODE_STATUS);
        root("", "Namespace", null, CONDITIONS);
        root("", "PersistentVolumeClaim", null, CONDITIONS);
        root("", "ComponentStatus", null, null).merge("conditions", "type", PLAIN);
        root("apps", "Deployment", DEPLOYMENT_SPEC, CONDITIONS);
        root("apps", "ReplicaSet", WORKLOAD_SPEC, CONDITIONS);
        root("apps", "StatefulSet", WORKLOAD_SPEC, CONDITIONS);
        root("apps", "DaemonSet", WORKLOAD_SPEC, CONDITIONS);
        root("batch", "Job", JOB_SPEC, CONDITIONS);
        root("batch", "CronJob", CRON_JOB_SPEC, null);
        root("policy", "PodDisruptionBudget", PDB_SPEC, CONDITIONS);
        root("autoscaling", "HorizontalPodAutoscaler", null, CONDITIONS);
    }

    private final String name;
    private final Map<String, Field> fields = new HashMap<>();

    private PatchMeta(String name) {
        this.name = name;
    }

    /**
     * Starts the metadata of a type that is none of the built-in ones, e.g. for tests.
     *
     * @param name the type's name
     * @return metadata with no special field yet
     */
    static PatchMeta named(String name) {
        return new PatchMeta(name);
    }

    /**
     * Returns the metadata of a built-in kind's objects.
     *
     * @param group the API group, empty for core
     * @param kind  the kind
     * @return the metadata; for a kind without special fields, one that knows {@code metadata} only
     */
    static PatchMeta of(String group, String kind) {
        PatchMeta root = ROOTS.get(group + "/" + kind);
        return root != null ? root : new PatchMeta(kind).object("metadata", OBJECT_META);
    }

    /**
     * Returns the type's name, as error messages name it.
     *
     * @return e.g. {@code PodSpec}
     */
    String name() {
        return name;
    }

    /**
     * Looks up a field.
     *
     * @param key the JSON field name
     * @return its strategies, merge key and value metadata; for a field not listed, no strategy and
     *         {@link #PLAIN} metadata
     */
    Field lookup(String key) {
        Field field = fields.get(key);
        return field != null ? field : new Field(List.of(), null, PLAIN);
    }

    private static PatchMeta root(String group, String kind, PatchMeta spec, PatchMeta status) {
        PatchMeta root = new PatchMeta(kind).object("metadata", OBJECT_META);
        if (spec != null) {
            root.object("spec", spec);
        }
        if (status != null) {
            root.object("status", status);
        }
        ROOTS.put(group + "/" + kind, root);
        return root;
    }

    PatchMeta object(String key, PatchMeta type) {
        fields.put(key, new Field(List.of(), null, type));
        return this;
    }

    PatchMeta merge(String key, String mergeKey, PatchMeta elements) {
        fields.put(key, new Field(List.of("merge"), mergeKey, elements));
        return this;
    }

    PatchMeta field(String key, List<String> strategies, String mergeKey, PatchMeta type) {
        fields.put(key, new Field(strategies, mergeKey, type));
        return this;
    }
}
