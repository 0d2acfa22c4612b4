package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resource metrics API as metrics-server serves it ({@code metrics.k8s.io/v1beta1}, what {@code kubectl top}
 * and fabric8's {@code client.top()} read): {@code PodMetrics} for every pod with a running container, per
 * namespace or across all, one by name, filtered by {@code labelSelector}; {@code NodeMetrics} for the simulated
 * node, the sum of its pods. Usage comes from each image's {@code PodBehavior.withUsage}; CPU is written in
 * nanocores and memory in KiB, as metrics-server writes them. Metrics are there as soon as a container runs
 * (metrics-server needs a scrape or two, 15 s or more) and the window is always 15 s.
 */
final class MetricsApi {

    static final String GROUP = "metrics.k8s.io";
    private static final String API_VERSION = GROUP + "/v1beta1";
    private static final String WINDOW = "15s";

    private final CrudStore store;
    private final SimClock clock;
    private final ResourceUsage usage;

    MetricsApi(CrudStore store, SimClock clock, ResourceUsage usage) {
        this.store = store;
        this.clock = clock;
        this.usage = usage;
    }

    /**
     * Serves a request for the metrics API.
     *
     * @param method the HTTP method
     * @param path   a parsed path in group {@value #GROUP}
     * @return the response, or null to leave the request to the mock (discovery)
     */
    MockResponse handle(String method, ApiPath path) {
        if (!"v1beta1".equals(path.version()) || (!"pods".equals(path.resource()) && !"nodes".equals(path.resource()))) {
            return null;
        }
        if (!"GET".equals(method) || path.subresource() != null || path.query().containsKey("watch")) {
            return json(405, status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                    null, path.resource()));
        }
        Instant now = clock.instant();
        if ("nodes".equals(path.resource())) {
            if (path.name() != null && !Kubelet.NODE_NAME.equals(path.name())) {
                return notFound("nodemetrics", path.name(), path.name());
            }
            Map<String, Object> node = nodeMetrics(now);
            if (path.name() != null) {
                return json(200, node);
            }
            return json(200, list("NodeMetricsList", matches(node, path) ? List.of(node) : List.of()));
        }
        if (path.name() != null) {
            Map<String, Object> pod = podMetrics(path.namespace(), path.name(), now);
            return pod == null ? notFound("podmetrics", path.namespace() + "/" + path.name(), path.name()) : json(200, pod);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        List<ResourceUsage.PodUsage> pods = new ArrayList<>(usage.all());
        pods.sort(Comparator.comparing(ResourceUsage.PodUsage::namespace).thenComparing(ResourceUsage.PodUsage::name));
        for (ResourceUsage.PodUsage pod : pods) {
            if (path.namespace() != null && !path.namespace().equals(pod.namespace())) {
                continue;
            }
            Map<String, Object> metrics = podMetrics(pod.namespace(), pod.name(), now);
            if (metrics != null && matches(metrics, path)) {
                items.add(metrics);
            }
        }
        return json(200, list("PodMetricsList", items));
    }

    private Map<String, Object> podMetrics(String namespace, String name, Instant now) {
        ResourceUsage.PodUsage pod = usage.get(namespace, name);
        Map<String, Object> stored = store.get("/api/v1/namespaces/" + namespace + "/pods/" + name);
        if (pod == null || stored == null || !pod.uid().equals(Json.at(stored, "metadata", "uid"))) {
            return null;
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kind", "PodMetrics");
        metrics.put("apiVersion", API_VERSION);
        metrics.put("metadata", metadata(name, namespace, now, Json.at(stored, "metadata", "labels")));
        metrics.put("timestamp", timestamp(now));
        metrics.put("window", WINDOW);
        List<Map<String, Object>> containers = new ArrayList<>();
        for (ResourceUsage.Container container : pod.containers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", container.name());
            entry.put("usage", usage(container.cpuMillis(), container.memoryMiB()));
            containers.add(entry);
        }
        metrics.put("containers", containers);
        return metrics;
    }

    private Map<String, Object> nodeMetrics(Instant now) {
        long cpu = 0;
        long memory = 0;
        for (ResourceUsage.PodUsage pod : usage.all()) {
            for (ResourceUsage.Container container : pod.containers()) {
                cpu += container.cpuMillis();
                memory += container.memoryMiB();
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kind", "NodeMetrics");
        metrics.put("apiVersion", API_VERSION);
        metrics.put("metadata", metadata(Kubelet.NODE_NAME, null, now, Map.of("kubernetes.io/hostname", Kubelet.NODE_NAME,
                "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64")));
        metrics.put("timestamp", timestamp(now));
        metrics.put("window", WINDOW);
        metrics.put("usage", usage(cpu, memory));
        return metrics;
    }

    private static Map<String, Object> metadata(String name, String namespace, Instant now, Object labels) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("creationTimestamp", timestamp(now));
        if (labels instanceof Map<?, ?> map && !map.isEmpty()) {
            metadata.put("labels", labels);
        }
        return metadata;
    }

    private static Map<String, Object> usage(long cpuMillis, long memoryMiB) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("cpu", cpuMillis == 0 ? "0" : cpuMillis * 1_000_000 + "n");
        usage.put("memory", memoryMiB == 0 ? "0" : memoryMiB * 1024 + "Ki");
        return usage;
    }

    /** Equality-based label selectors ({@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a}), comma-separated. */
    private static boolean matches(Map<String, Object> metrics, ApiPath path) {
        String selector = path.query().get("labelSelector");
        if (selector == null || selector.isBlank()) {
            return true;
        }
        Object rawLabels = Json.at(metrics, "metadata", "labels");
        Map<?, ?> labels = rawLabels instanceof Map<?, ?> map ? map : Map.of();
        for (String requirement : selector.split(",")) {
            String term = requirement.trim();
            if (term.isEmpty()) {
                continue;
            }
            boolean ok;
            if (term.contains("!=")) {
                String[] kv = term.split("!=", 2);
                ok = !kv[1].trim().equals(labels.get(kv[0].trim()));
            } else if (term.contains("=")) {
                String[] kv = term.split("==?", 2);
                ok = kv[1].trim().equals(labels.get(kv[0].trim()));
            } else if (term.startsWith("!")) {
                ok = !labels.containsKey(term.substring(1).trim());
            } else {
                ok = labels.containsKey(term);
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> list(String kind, List<Map<String, Object>> items) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", kind);
        list.put("apiVersion", API_VERSION);
        list.put("metadata", Map.of());
        list.put("items", items);
        return list;
    }

    private static MockResponse notFound(String resource, String shown, String name) {
        return json(404, status(404, "NotFound", resource + "." + GROUP + " \"" + shown + "\" not found", name,
                "nodemetrics".equals(resource) ? "nodes" : "pods"));
    }

    private static Map<String, Object> status(int code, String reason, String message, String name, String kind) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        Map<String, Object> details = new LinkedHashMap<>();
        if (name != null) {
            details.put("name", name);
        }
        details.put("group", GROUP);
        details.put("kind", kind);
        status.put("details", details);
        status.put("code", code);
        return status;
    }

    private static MockResponse json(int code, Object body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }
}
