package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import dev.bluegreen.testkit.internal.ApiErrors.FieldError;
import dev.bluegreen.testkit.internal.ApiErrors.Rejected;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The write semantics of a real API server for the kinds in {@link ApiResources}, on top of the mock's
 * storage: creates get defaults, validation (422 {@code Invalid} worded as the server words it), uid,
 * creation timestamp and generation; updates and patches (JSON merge patch, JSON patch) keep the status of
 * kinds with a status subresource, refuse a stale {@code resourceVersion} (409 {@code Conflict}) and changes
 * of immutable fields, bump the generation only when the spec changes, and store nothing when nothing
 * changes; strategic merge patches follow the kind's patch strategies and merge keys ({@link StrategicMergePatch});
 * writes of {@code /status} change only the status (and, for Deployments and ReplicaSets, the
 * annotations, as their status strategies allow); deletes honour finalizers and, for pods, the grace period:
 * the pod gets {@code deletionTimestamp} and {@code deletionGracePeriodSeconds} and stays until the kubelet
 * has stopped it. {@code GET .../pods/<name>/log} serves the containers' logs.
 *
 * <p>Reads and watches, subresources other than {@code status} and {@code log}, and server-side apply are
 * left to the mock (and whoever extends it).
 */
final class ApiServer {

    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";
    private static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

    private final CrudStore store;
    private final SimClock clock;
    private final LogStore logs;
    private final Admission admission = new Admission();
    private final MetricsApi metrics;

    ApiServer(CrudStore store, SimClock clock, LogStore logs, ResourceUsage usage) {
        this.store = store;
        this.clock = clock;
        this.logs = logs;
        this.metrics = new MetricsApi(store, clock, usage);
    }

    /**
     * Serves a request if it is one this server gives real semantics to.
     *
     * @param request the request
     * @return the response, or null to leave the request to the mock
     */
    MockResponse handle(RecordedRequest request) {
        ApiPath path = ApiPath.parse(request.getPath());
        if (path == null) {
            return null;
        }
        if (MetricsApi.GROUP.equals(path.group())) {
            return metrics.handle(request.getMethod(), path);
        }
        ApiResources.Kind kind = ApiResources.of(path);
        if (kind == null) {
            return null;
        }
        try {
            return switch (request.getMethod()) {
                case "POST" -> path.name() == null ? create(path, kind, body(request)) : null;
                case "PUT" -> path.name() == null ? null
                        : isScale(path, kind) ? putScale(path, kind, body(request))
                        : put(path, kind, body(request));
                case "PATCH" -> path.name() == null ? null
                        : isScale(path, kind) ? patchScale(path, kind, request.getHeader("Content-Type"), body(request))
                        : patch(path, kind, request.getHeader("Content-Type"), body(request));
                case "DELETE" -> path.subresource() != null ? null
                        : path.name() == null ? deleteCollection(path, kind, body(request))
                        : delete(path, kind, body(request));
                case "GET" -> "log".equals(path.subresource()) && kind.kind().equals("Pod") ? log(path)
                        : isScale(path, kind) ? json(200, scaleOf(existing(path, kind))) : null;
                default -> null;
            };
        } catch (Rejected rejected) {
            return rejected.response();
        }
    }

    // ---- create ----

    private MockResponse create(ApiPath path, ApiResources.Kind kind, String body) {
        Map<String, Object> object = parseObject(body);
        List<String> unknown = decodeStrictly(path, kind, object);
        return warn(unknown, create(path, kind, object));
    }

    private MockResponse create(ApiPath path, ApiResources.Kind kind, Map<String, Object> object) {
        Map<String, Object> metadata = Json.map(object, "metadata");
        String namespace = Json.string(metadata, "namespace");
        if (path.namespace() != null) {
            if (namespace != null && !namespace.isEmpty() && !namespace.equals(path.namespace())) {
                throw new Rejected(ApiErrors.badRequest(
                        "the namespace of the provided object does not match the namespace sent on the request"));
            }
            metadata.put("namespace", path.namespace());
        }
        String name = Json.string(metadata, "name");
        String generateName = Json.string(metadata, "generateName");
        // Admission plug-ins name an object by its generateName: its name is not generated yet.
        String admittedName = name != null && !name.isEmpty() ? name : generateName == null ? "" : generateName;
        if ((name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty()) {
            name = generateName + Canonical.randomSuffix();
            metadata.put("name", name);
        }
        object.put("apiVersion", kind.apiVersion());
        object.put("kind", kind.kind());
        metadata.remove("resourceVersion");
        metadata.remove("deletionTimestamp");
        metadata.remove("deletionGracePeriodSeconds");
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", timestamp(clock.instant()));
        if (kind.generation()) {
            metadata.put("generation", 1);
        } else {
            metadata.remove("generation");
        }
        if (kind.status()) {
            object.remove("status");
        }
        object = admission.defaults(kind, object, null);
        List<FieldError> errors = admission.validate(kind, object, null);
        if (!errors.isEmpty()) {
            return ApiErrors.invalid(kind, name == null ? "" : name, errors);
        }
        String objectPath = path.sibling(name);
        if (store.get(objectPath) != null) {
            return ApiErrors.alreadyExists(kind, name);
        }
        if (kind.kind().equals("Pod")) {
            Pod pod = Json.model(object, Pod.class);
            String refusal = quotaRefusal(path.namespace(), pod);
            if (refusal != null) {
                return ApiErrors.forbidden(kind, admittedName, refusal);
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("phase", "Pending");
            status.put("qosClass", Admission.qosClass(pod.getSpec()));
            object.put("status", status);
        }
        if (path.query().containsKey("dryRun")) {
            return json(201, object);
        }
        return json(201, store.put(objectPath, object));
    }

    /** The ResourceQuota admission plug-in: the namespace's quotas against its pods, as stored now. */
    private String quotaRefusal(String namespace, Pod pod) {
        if (namespace == null) {
            return null;
        }
        List<ResourceQuota> quotas = store.list("/api/v1/namespaces/" + namespace + "/resourcequotas").stream()
                .map(q -> Json.model(q, ResourceQuota.class)).toList();
        if (quotas.isEmpty()) {
            return null;
        }
        List<Pod> pods = store.list("/api/v1/namespaces/" + namespace + "/pods").stream()
                .map(p -> Json.model(p, Pod.class)).toList();
        return Quotas.refusal(pod, quotas, pods, clock.instant());
    }

    // ---- update and patch ----

    private MockResponse put(ApiPath path, ApiResources.Kind kind, String body) {
        Map<String, Object> current = existing(path, kind);
        Map<String, Object> proposed = parseObject(body);
        List<String> unknown = decodeStrictly(path, kind, proposed);
        return warn(unknown, put(path, kind, current, proposed));
    }

    private MockResponse put(ApiPath path, ApiResources.Kind kind, Map<String, Object> current, Map<String, Object> proposed) {
        requireCurrentVersion(kind, path.name(), proposed, current);
        if ("status".equals(path.subresource())) {
            return writeStatus(path, kind, current, proposed);
        }
        if (path.subresource() != null) {
            return null;
        }
        return write(path, kind, current, proposed);
    }

    private MockResponse patch(ApiPath path, ApiResources.Kind kind, String contentType, String body) {
        if (path.subresource() != null && !"status".equals(path.subresource())) {
            return null;
        }
        boolean merge = contentType != null && contentType.startsWith(MERGE_PATCH);
        boolean jsonPatch = contentType != null && contentType.startsWith(JSON_PATCH);
        boolean strategic = contentType != null && contentType.startsWith(STRATEGIC_MERGE_PATCH);
        if (!merge && !jsonPatch && !strategic) {
            // Server-side apply: not simulated here.
            return null;
        }
        if (strategic && ArgoRolloutsApi.GROUP.equals(kind.group())) {
            // Custom resources have no patch strategies: a real server refuses before it looks for the object.
            return ApiErrors.unsupportedMediaType(contentType);
        }
        Map<String, Object> current = existing(path, kind);
        Map<String, Object> proposed;
        try {
            if (merge) {
                proposed = Json.mergePatch(Json.copy(current), parseObject(body));
            } else if (strategic) {
                proposed = StrategicMergePatch.apply(current, parseObject(body), PatchMeta.of(kind.group(), kind.kind()));
            } else {
                Object operations = Serialization.unmarshal(body, Object.class);
                if (!(operations instanceof List<?> list)) {
                    throw new Rejected(ApiErrors.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
                }
                proposed = Json.jsonPatch(current, list);
            }
        } catch (StrategicMergePatch.PatchException e) {
            return ApiErrors.patchFailed(e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return ApiErrors.unprocessable(e.getMessage());
        }
        String directive = FieldValidation.directive(path);
        List<String> unknown = FieldValidation.dropUnknownFields(kind, proposed);
        if (directive.equals("Ignore")) {
            unknown = List.of();
        } else if (!unknown.isEmpty() && directive.equals("Strict")) {
            return ApiErrors.unprocessable(" \"\" is invalid: patch: Invalid value: "
                    + ApiErrors.quote(StrategicMergePatch.go(Serialization.unmarshal(body, Object.class))) + ": "
                    + FieldValidation.strictDecodingError(unknown));
        }
        requireCurrentVersion(kind, path.name(), proposed, current);
        if ("status".equals(path.subresource())) {
            return warn(unknown, writeStatus(path, kind, current, proposed));
        }
        return warn(unknown, write(path, kind, current, proposed));
    }

    /**
     * Decodes an object's fields as {@code ?fieldValidation} asks: unknown fields are dropped; under Strict the
     * 400 a real server answers is thrown, under Warn (the default) they are returned, to be sent as warnings.
     */
    private static List<String> decodeStrictly(ApiPath path, ApiResources.Kind kind, Map<String, Object> object) {
        String directive = FieldValidation.directive(path);
        List<String> unknown = FieldValidation.dropUnknownFields(kind, object);
        if (!unknown.isEmpty() && directive.equals("Strict")) {
            throw new Rejected(ApiErrors.badRequest(kind.kind() + " in version \"" + kind.version()
                    + "\" cannot be handled as a " + kind.kind() + ": " + FieldValidation.strictDecodingError(unknown)));
        }
        return directive.equals("Ignore") ? List.of() : unknown;
    }

    /** Adds a {@code Warning} header per unknown field, as a real server does under {@code fieldValidation=Warn}. */
    private static MockResponse warn(List<String> unknown, MockResponse response) {
        if (response != null) {
            for (String field : unknown) {
                response.addHeader("Warning", "299 - " + ApiErrors.quote("unknown field " + ApiErrors.quote(field)));
            }
        }
        return response;
    }

    /** Stores a new version of the main object, keeping what clients cannot change. */
    private MockResponse write(ApiPath path, ApiResources.Kind kind, Map<String, Object> current, Map<String, Object> proposed) {
        Map<String, Object> currentMeta = Json.map(current, "metadata");
        Map<String, Object> metadata = Json.map(proposed, "metadata");
        proposed.put("apiVersion", kind.apiVersion());
        proposed.put("kind", kind.kind());
        for (String key : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "generation", "resourceVersion")) {
            if (currentMeta.containsKey(key)) {
                metadata.put(key, currentMeta.get(key));
            } else {
                metadata.remove(key);
            }
        }
        if (kind.status()) {
            if (current.containsKey("status")) {
                proposed.put("status", current.get("status"));
            } else {
                proposed.remove("status");
            }
        }
        if (currentMeta.get("deletionTimestamp") != null) {
            Set<Object> added = new HashSet<>(Json.list(metadata, "finalizers"));
            Json.list(currentMeta, "finalizers").forEach(added::remove);
            if (!added.isEmpty()) {
                return ApiErrors.invalid(kind, path.name(), List.of(FieldError.forbidden("metadata.finalizers",
                        "no new finalizers can be added if the object is being deleted, found new finalizers "
                                + ApiErrors.goStrings(added.stream().map(String::valueOf).toList()))));
            }
        }
        proposed = admission.defaults(kind, proposed, current);
        List<FieldError> errors = admission.validate(kind, proposed, current);
        if (!errors.isEmpty()) {
            return ApiErrors.invalid(kind, path.name(), errors);
        }
        if (kind.generation() && !Canonical.same(current.get("spec"), proposed.get("spec"))) {
            long generation = currentMeta.get("generation") instanceof Number n ? n.longValue() : 0;
            Json.map(proposed, "metadata").put("generation", generation + 1);
        }
        return store(path, current, proposed);
    }

    /** Stores a new status, everything else as it was. */
    private MockResponse writeStatus(ApiPath path, ApiResources.Kind kind, Map<String, Object> current,
            Map<String, Object> proposed) {
        if (!kind.status()) {
            return ApiErrors.notFound(kind, path.name());
        }
        Map<String, Object> updated = Json.copy(current);
        if (proposed.containsKey("status")) {
            updated.put("status", proposed.get("status"));
        } else {
            updated.remove("status");
        }
        Map<String, Object> proposedMeta = Json.mapOrNull(proposed, "metadata");
        if ((kind.kind().equals("Deployment") || kind.kind().equals("ReplicaSet")) && proposedMeta != null) {
            // Their status strategies reset only spec and labels: the controller writes the revision annotations.
            Map<String, Object> metadata = Json.map(updated, "metadata");
            if (proposedMeta.get("annotations") != null) {
                metadata.put("annotations", proposedMeta.get("annotations"));
            } else {
                metadata.remove("annotations");
            }
        }
        return store(path, current, updated);
    }

    private MockResponse store(ApiPath path, Map<String, Object> current, Map<String, Object> updated) {
        if (Canonical.same(current, updated)) {
            // The API server writes nothing, and tells no watcher, when an update changes nothing.
            return json(200, current);
        }
        Map<String, Object> currentMeta = Json.map(current, "metadata");
        if (currentMeta.get("deletionTimestamp") != null && Json.list(Json.map(updated, "metadata"), "finalizers").isEmpty()
                && !(currentMeta.get("deletionGracePeriodSeconds") instanceof Number grace && grace.longValue() > 0)) {
            // The last finalizer is gone from an object whose deletion is due: it goes now.
            if (!path.query().containsKey("dryRun")) {
                remove(path, updated);
            }
            return json(200, updated);
        }
        if (path.query().containsKey("dryRun")) {
            return json(200, updated);
        }
        return json(200, store.put(path.objectPath(), updated));
    }

    private static void requireCurrentVersion(ApiResources.Kind kind, String name, Map<String, Object> proposed,
            Map<String, Object> current) {
        String wanted = Json.string(Json.mapOrNull(proposed, "metadata"), "resourceVersion");
        String actual = Json.string(Json.mapOrNull(current, "metadata"), "resourceVersion");
        if (wanted != null && !wanted.isEmpty() && !wanted.equals(actual)) {
            throw new Rejected(ApiErrors.conflict(kind, name));
        }
    }

    // ---- scale ----

    /** The kind the scale subresource reads and writes. */
    private static final ApiResources.Kind SCALE = new ApiResources.Kind("autoscaling", "v1", "Scale", "scale", false,
            false, ApiResources.NameRule.DNS1123_SUBDOMAIN);

    private static boolean isScale(ApiPath path, ApiResources.Kind kind) {
        return "scale".equals(path.subresource())
                && (kind.kind().equals("Deployment") || kind.kind().equals("ReplicaSet"));
    }

    /** The {@code autoscaling/v1 Scale} of a Deployment or ReplicaSet, as its scale subresource reads it. */
    private static Map<String, Object> scaleOf(Map<String, Object> object) {
        Map<String, Object> metadata = Json.map(object, "metadata");
        Map<String, Object> scaleMeta = new LinkedHashMap<>();
        for (String key : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (metadata.get(key) != null) {
                scaleMeta.put(key, metadata.get(key));
            }
        }
        Map<String, Object> spec = Json.mapOrNull(object, "spec");
        Map<String, Object> status = Json.mapOrNull(object, "status");
        Map<String, Object> scale = new LinkedHashMap<>();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        scale.put("metadata", scaleMeta);
        scale.put("spec", Map.of("replicas", spec != null && spec.get("replicas") instanceof Number n ? n.intValue() : 0));
        String selector = Tables.selector(Json.mapOrNull(spec, "selector"));
        scale.put("status", Map.of("replicas", status != null && status.get("replicas") instanceof Number n ? n.intValue() : 0,
                "selector", "<none>".equals(selector) ? "" : selector));
        return scale;
    }

    private MockResponse putScale(ApiPath path, ApiResources.Kind kind, String body) {
        return writeScale(path, kind, existing(path, kind), parseObject(body));
    }

    private MockResponse patchScale(ApiPath path, ApiResources.Kind kind, String contentType, String body) {
        Map<String, Object> current = existing(path, kind);
        Map<String, Object> scale = scaleOf(current);
        Map<String, Object> proposed;
        try {
            if (contentType != null && contentType.startsWith(MERGE_PATCH)) {
                proposed = Json.mergePatch(Json.copy(scale), parseObject(body));
            } else if (contentType != null && contentType.startsWith(STRATEGIC_MERGE_PATCH)) {
                proposed = StrategicMergePatch.apply(scale, parseObject(body), PatchMeta.PLAIN);
            } else if (contentType != null && contentType.startsWith(JSON_PATCH)) {
                Object operations = Serialization.unmarshal(body, Object.class);
                if (!(operations instanceof List<?> list)) {
                    throw new Rejected(ApiErrors.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
                }
                proposed = Json.jsonPatch(scale, list);
            } else {
                return null;
            }
        } catch (StrategicMergePatch.PatchException e) {
            return ApiErrors.patchFailed(e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return ApiErrors.unprocessable(e.getMessage());
        }
        return writeScale(path, kind, current, proposed);
    }

    /** Sets the object's {@code spec.replicas} from a Scale, as the scale subresource's update does. */
    private MockResponse writeScale(ApiPath path, ApiResources.Kind kind, Map<String, Object> current,
            Map<String, Object> scale) {
        requireCurrentVersion(kind, path.name(), scale, current);
        Object replicas = Json.at(scale, "spec", "replicas");
        long wanted = replicas instanceof Number n ? n.longValue() : 0;
        if (wanted < 0) {
            return ApiErrors.invalid(SCALE, path.name(), List.of(FieldError.invalid("spec.replicas", String.valueOf(wanted),
                    "must be greater than or equal to 0")));
        }
        Map<String, Object> proposed = Json.copy(current);
        Json.map(proposed, "spec").put("replicas", wanted);
        Json.map(proposed, "metadata").remove("resourceVersion");
        MockResponse written = write(path, kind, current, proposed);
        if (written.code() != 200) {
            return written;
        }
        return json(200, scaleOf(Json.parse(new String(written.getBody().getBytes(), StandardCharsets.UTF_8))));
    }

    // ---- delete ----

    private MockResponse delete(ApiPath path, ApiResources.Kind kind, String body) {
        Map<String, Object> current = existing(path, kind);
        Map<String, Object> options = body == null || body.isBlank() ? Map.of() : parseObject(body);
        Map<String, Object> preconditions = Json.mapOrNull(options, "preconditions");
        Map<String, Object> metadata = Json.map(current, "metadata");
        if (preconditions != null) {
            for (String[] field : new String[][] {{"uid", "UID"}, {"resourceVersion", "ResourceVersion"}}) {
                String wanted = Json.string(preconditions, field[0]);
                String actual = Json.string(metadata, field[0]);
                if (wanted != null && !wanted.equals(actual)) {
                    return preconditionFailed(kind, path.name(), field[1], wanted, actual);
                }
            }
        }
        Long grace = gracePeriod(path, options);
        boolean dryRun = path.query().containsKey("dryRun") || options.containsKey("dryRun");
        return deleteObject(path, kind, current, grace, dryRun);
    }

    private MockResponse deleteObject(ApiPath path, ApiResources.Kind kind, Map<String, Object> current, Long requestedGrace,
            boolean dryRun) {
        Map<String, Object> object = Json.copy(current);
        Map<String, Object> metadata = Json.map(object, "metadata");
        boolean finalizers = !Json.list(metadata, "finalizers").isEmpty();
        long grace = kind.kind().equals("Pod") ? podGracePeriod(object, requestedGrace) : 0;
        Instant now = clock.instant();
        if (metadata.get("deletionTimestamp") != null) {
            long pending = metadata.get("deletionGracePeriodSeconds") instanceof Number n ? n.longValue() : 0;
            if (grace >= pending) {
                // Already being deleted, at least as soon as asked.
                return json(200, current);
            }
        }
        if (grace > 0 || finalizers) {
            metadata.put("deletionTimestamp", timestamp(now.plusSeconds(grace)));
            metadata.put("deletionGracePeriodSeconds", grace);
            if (dryRun) {
                return json(200, object);
            }
            return json(200, store.put(path.objectPath(), object));
        }
        if (!dryRun) {
            remove(path, object);
        }
        return kind.kind().equals("Pod") || kind.kind().equals("Service")
                ? json(200, object) : ApiErrors.deleted(kind, path.name(), Json.string(metadata, "uid"));
    }

    private MockResponse deleteCollection(ApiPath path, ApiResources.Kind kind, String body) {
        Map<String, Object> options = body == null || body.isBlank() ? Map.of() : parseObject(body);
        Long grace = gracePeriod(path, options);
        String query = path.query().entrySet().stream()
                .filter(e -> e.getKey().equals("labelSelector") || e.getKey().equals("fieldSelector"))
                .map(e -> e.getKey() + "=" + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        List<Object> deleted = new ArrayList<>();
        for (Map<String, Object> item : store.list(path.collectionPath() + (query.isEmpty() ? "" : "?" + query))) {
            String name = Json.string(Json.mapOrNull(item, "metadata"), "name");
            String namespace = Json.string(Json.mapOrNull(item, "metadata"), "namespace");
            ApiPath itemPath = new ApiPath(path.prefix(), path.group(), path.version(),
                    namespace == null ? path.namespace() : namespace, path.resource(), name, null, path.query());
            deleteObject(itemPath, kind, item, grace, path.query().containsKey("dryRun"));
            deleted.add(item);
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", kind.apiVersion());
        list.put("kind", kind.kind() + "List");
        list.put("metadata", new LinkedHashMap<>());
        list.put("items", deleted);
        return json(200, list);
    }

    private void remove(ApiPath path, Map<String, Object> object) {
        store.remove(path.objectPath());
        if (path.resource().equals("services") && path.group().isEmpty()) {
            admission.released(object);
        }
        if (path.resource().equals("pods") && path.group().isEmpty()) {
            logs.forget(path.namespace(), path.name());
        }
    }

    /**
     * The grace period a pod's deletion gets: the request's, else the pod's
     * {@code terminationGracePeriodSeconds}; zero for a pod no node runs or that has finished, as the pod
     * strategy's {@code CheckGracefulDelete} decides.
     */
    private static long podGracePeriod(Map<String, Object> pod, Long requested) {
        Object node = Json.at(pod, "spec", "nodeName");
        Object phase = Json.at(pod, "status", "phase");
        if (node == null || String.valueOf(node).isEmpty() || "Succeeded".equals(phase) || "Failed".equals(phase)) {
            return 0;
        }
        if (requested != null) {
            return Math.max(0, requested);
        }
        Object configured = Json.at(pod, "spec", "terminationGracePeriodSeconds");
        return configured instanceof Number n ? Math.max(0, n.longValue()) : 30;
    }

    private static Long gracePeriod(ApiPath path, Map<String, Object> options) {
        String fromQuery = path.query().get("gracePeriodSeconds");
        if (fromQuery != null) {
            try {
                return Long.parseLong(fromQuery);
            } catch (NumberFormatException e) {
                throw new Rejected(ApiErrors.badRequest("invalid gracePeriodSeconds \"" + fromQuery + "\""));
            }
        }
        return options.get("gracePeriodSeconds") instanceof Number n ? n.longValue() : null;
    }

    private static MockResponse preconditionFailed(ApiResources.Kind kind, String name, String field, String wanted,
            String actual) {
        MockResponse conflict = ApiErrors.conflict(kind, name);
        Map<String, Object> status = Json.parse(new String(conflict.getBody().getBytes(), StandardCharsets.UTF_8));
        status.put("message", "Operation cannot be fulfilled on " + kind.groupResource() + " \"" + name
                + "\": Precondition failed: " + field + " in precondition: " + wanted + ", " + field
                + " in object meta: " + actual);
        return json(409, status);
    }

    // ---- logs ----

    private MockResponse log(ApiPath path) {
        ApiResources.Kind kind = ApiResources.of(path);
        Map<String, Object> current = existing(path, kind);
        Pod pod = Json.model(current, Pod.class);
        List<String> names = pod.getSpec().getContainers().stream().map(c -> c.getName()).toList();
        String container = path.query().get("container");
        if (container == null || container.isEmpty()) {
            String annotated = pod.getMetadata().getAnnotations() == null ? null
                    : pod.getMetadata().getAnnotations().get("kubectl.kubernetes.io/default-container");
            if (names.size() == 1) {
                container = names.get(0);
            } else if (annotated != null && names.contains(annotated)) {
                container = annotated;
            } else {
                return ApiErrors.badRequest("a container name must be specified for pod " + path.name()
                        + ", choose one of: [" + String.join(" ", names) + "]");
            }
        }
        if (!names.contains(container)) {
            return ApiErrors.badRequest("container " + container + " is not valid for pod " + path.name());
        }
        boolean previous = "true".equals(path.query().get("previous"));
        String chosen = container;
        var status = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses().stream()
                .filter(s -> chosen.equals(s.getName())).findFirst().orElse(null);
        int restarts = status == null || status.getRestartCount() == null ? 0 : status.getRestartCount();
        if (previous && restarts == 0) {
            return ApiErrors.badRequest("previous terminated container \"" + container + "\" in pod \"" + path.name()
                    + "\" not found");
        }
        if (!previous && (status == null || (status.getState() != null && status.getState().getWaiting() != null
                && restarts == 0))) {
            String reason = status == null || status.getState() == null || status.getState().getWaiting() == null
                    ? "ContainerCreating" : status.getState().getWaiting().getReason();
            String why = reason.equals("ErrImagePull") || reason.equals("ImagePullBackOff")
                    ? "trying and failing to pull image" : reason;
            return ApiErrors.badRequest("container \"" + container + "\" in pod \"" + path.name()
                    + "\" is waiting to start: " + why);
        }
        List<LogStore.Line> lines = logs.lines(path.namespace(), path.name(), container, previous);
        String tail = path.query().get("tailLines");
        if (tail != null) {
            try {
                int keep = Integer.parseInt(tail);
                lines = lines.subList(Math.max(0, lines.size() - keep), lines.size());
            } catch (NumberFormatException e) {
                return ApiErrors.badRequest("invalid tailLines \"" + tail + "\"");
            }
        }
        boolean timestamps = "true".equals(path.query().get("timestamps"));
        StringBuilder text = new StringBuilder();
        for (LogStore.Line line : lines) {
            if (timestamps) {
                text.append(line.at()).append(' ');
            }
            text.append(line.text()).append('\n');
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain")
                .setBody(text.toString());
    }

    // ---- helpers ----

    private Map<String, Object> existing(ApiPath path, ApiResources.Kind kind) {
        Map<String, Object> current = store.get(path.objectPath());
        if (current == null) {
            throw new Rejected(ApiErrors.notFound(kind, path.name()));
        }
        return current;
    }

    private static Map<String, Object> parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw new Rejected(ApiErrors.badRequest("the request body is empty"));
        }
        try {
            Object parsed = Serialization.unmarshal(body, Object.class);
            if (parsed instanceof Map<?, ?> map) {
                return Json.cast(new LinkedHashMap<>(map));
            }
        } catch (RuntimeException e) {
            throw new Rejected(ApiErrors.badRequest("the request body is no valid JSON: " + e.getMessage()));
        }
        throw new Rejected(ApiErrors.badRequest("the request body is not a JSON object"));
    }

    private static String body(RecordedRequest request) {
        return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    private static MockResponse json(int code, Object body) {
        return new MockResponse().setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }
}
