package dev.bluegreen.testkit.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Server-side printing: a read asked for as a {@code meta.k8s.io/v1 Table} (as {@code kubectl get} asks, unless
 * it prints YAML, JSON, a JSONPath or names) is answered with the columns and cells the API server's printers
 * compute ({@code pkg/printers/internalversion} of Kubernetes 1.32) for Pods, Deployments, ReplicaSets,
 * Services, Endpoints, EndpointSlices, ConfigMaps, Secrets, Namespaces, ServiceAccounts, Events, Ingresses,
 * Leases and Jobs; custom resources get {@code NAME} and {@code AGE}, and the other built-in kinds the
 * server's default {@code NAME} and {@code CREATED AT}. Ages are computed on the cluster's simulated clock, as a
 * real server computes them on its own.
 */
final class Tables {

    private static final String NAME_DOC = "Name must be unique within a namespace.";
    private static final String AGE_DOC = "CreationTimestamp is a timestamp representing the server time when this object was created.";
    private static final String CONTAINERS_DOC = "Names of each container in the template.";
    private static final String IMAGES_DOC = "Images referenced by each container in the template.";

    /** One column: its name, type, format, priority (1: only with {@code -o wide}) and description. */
    private record Column(String name, String type, String format, int priority, String description) {
        Map<String, Object> json() {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", name);
            column.put("type", type);
            column.put("format", format);
            column.put("description", description);
            column.put("priority", priority);
            return column;
        }
    }

    /** How the rows of one kind are printed. */
    private record Printer(List<Column> columns, Function<Map<String, Object>, List<Object>> cells) {
    }

    private final SimClock clock;
    private final Map<String, Printer> printers = new LinkedHashMap<>();

    Tables(SimClock clock) {
        this.clock = clock;
        printers.put("/Pod", new Printer(List.of(name(), col("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
                col("Status", "string", 0, "The aggregate status of the containers in this pod."),
                col("Restarts", "string", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                age(), col("IP", "string", 1, "IP address allocated to the pod."),
                col("Node", "string", 1, "NodeName indicates in which node this pod is scheduled."),
                col("Nominated Node", "string", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
                col("Readiness Gates", "string", 1, "If specified, all readiness gates will be evaluated for pod readiness.")),
                this::pod));
        printers.put("apps/Deployment", new Printer(List.of(name(),
                col("Ready", "string", 0, "Number of the pod with ready state"),
                col("Up-to-date", "integer", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                col("Available", "integer", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                age(), containers(), images(), col("Selector", "string", 1, "Label selector for pods.")),
                this::deployment));
        printers.put("apps/ReplicaSet", new Printer(List.of(name(),
                col("Desired", "integer", 0, "Replicas is the number of desired replicas."),
                col("Current", "integer", 0, "Replicas is the most recently observed number of replicas."),
                col("Ready", "integer", 0, "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition."),
                age(), containers(), images(), col("Selector", "string", 1, "Selector is a label query over pods that should match the replica count.")),
                this::replicaSet));
        printers.put("/Service", new Printer(List.of(name(),
                col("Type", "string", 0, "type determines how the Service is exposed."),
                col("Cluster-IP", "string", 0, "clusterIP is the IP address of the service."),
                col("External-IP", "string", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
                col("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
                age(), col("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector.")),
                this::service));
        printers.put("/Endpoints", new Printer(List.of(name(),
                col("Endpoints", "string", 0, "The set of all endpoints is the union of all subsets."), age()),
                this::endpoints));
        printers.put("discovery.k8s.io/EndpointSlice", new Printer(List.of(name(),
                col("AddressType", "string", 0, "addressType specifies the type of address carried by this EndpointSlice."),
                col("Ports", "string", 0, "ports specifies the list of network ports exposed by each endpoint in this slice."),
                col("Endpoints", "string", 0, "endpoints is a list of unique endpoints in this slice."), age()),
                this::endpointSlice));
        printers.put("/ConfigMap", new Printer(List.of(name(), col("Data", "integer", 0, "Number of data entries"), age()),
                o -> List.of(nameOf(o), Json.mapOrNull(o, "data") == null ? 0 : Json.mapOrNull(o, "data").size()
                        + (Json.mapOrNull(o, "binaryData") == null ? 0 : Json.mapOrNull(o, "binaryData").size()), ageOf(o))));
        printers.put("/Secret", new Printer(List.of(name(), col("Type", "string", 0, "The type of the secret"),
                col("Data", "integer", 0, "The number of data entries in the secret"), age()),
                o -> List.of(nameOf(o), orDefault(Json.string(o, "type"), "Opaque"),
                        Json.mapOrNull(o, "data") == null ? 0 : Json.mapOrNull(o, "data").size(), ageOf(o))));
        printers.put("/Namespace", new Printer(List.of(name(), col("Status", "string", 0, "The status of the namespace"), age()),
                o -> List.of(nameOf(o), orDefault(str(Json.at(o, "status", "phase")), "Active"), ageOf(o))));
        printers.put("/ServiceAccount", new Printer(List.of(name(), col("Secrets", "integer", 0, "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), age()),
                o -> List.of(nameOf(o), Json.list(o, "secrets").size(), ageOf(o))));
        List<Column> eventColumns = List.of(col("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
                col("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future."),
                col("Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                col("Object", "string", 0, "The object that this event is about."),
                col("Subobject", "string", 1, "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
                col("Source", "string", 1, "The component reporting this event."),
                col("Message", "string", 0, "A human-readable description of the status of this operation."),
                col("First Seen", "string", 1, "The time at which the event was first recorded."),
                col("Count", "string", 1, "The number of times this event has occurred."),
                new Column("Name", "string", "name", 1, NAME_DOC));
        printers.put("/Event", new Printer(eventColumns, this::event));
        printers.put("networking.k8s.io/Ingress", new Printer(List.of(name(),
                col("Class", "string", 0, "The name of the IngressClass resource that should be used to process this Ingress."),
                col("Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"),
                col("Address", "string", 0, "Address is a list containing ingress points for the load-balancer"),
                col("Ports", "string", 0, "Ports of TLS configurations that open"), age()),
                this::ingress));
        printers.put("coordination.k8s.io/Lease", new Printer(List.of(name(),
                col("Holder", "string", 0, "The holder of the lease."), age()),
                o -> List.of(nameOf(o), orDefault(str(Json.at(o, "spec", "holderIdentity")), "<none>"), ageOf(o))));
        printers.put("batch/Job", new Printer(List.of(name(),
                col("Status", "string", 0, "Status of the job."),
                col("Completions", "string", 0, "The completion status of the job."),
                col("Duration", "string", 0, "Time required to complete the job."), age(),
                containers(), images(), col("Selector", "string", 1, "A label query over pods that should match the pod count.")),
                this::job));
    }

    // ---- when and how ----

    /**
     * Tells which Table version the request asks for.
     *
     * @param accept the request's {@code Accept} header
     * @return {@code v1} or {@code v1beta1}, or null when no Table is asked for
     */
    static String wanted(String accept) {
        if (accept == null) {
            return null;
        }
        for (String part : accept.split(",")) {
            String p = part.replace(" ", "");
            if (p.contains("as=Table") && p.contains("g=meta.k8s.io")) {
                return p.contains("v=v1beta1") ? "v1beta1" : "v1";
            }
        }
        return null;
    }

    /**
     * Converts an object or a list, as the storage answered a read, into a Table.
     *
     * @param group         the group of the resource read
     * @param body          the object or list
     * @param tableVersion  {@code v1} or {@code v1beta1}
     * @param includeObject the {@code includeObject} query parameter: {@code None}, {@code Object}, else
     *                      {@code PartialObjectMetadata}
     * @return the table
     */
    Map<String, Object> table(String group, Map<String, Object> body, String tableVersion, String includeObject) {
        List<Map<String, Object>> items = new ArrayList<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        String kind = Json.string(body, "kind");
        if (body.containsKey("items") && kind != null && kind.endsWith("List")) {
            for (Object item : Json.list(body, "items")) {
                if (item instanceof Map<?, ?> map) {
                    items.add(Json.cast(map));
                }
            }
            Map<String, Object> listMeta = Json.mapOrNull(body, "metadata");
            if (listMeta != null) {
                for (String key : List.of("resourceVersion", "continue", "remainingItemCount")) {
                    if (listMeta.get(key) != null) {
                        metadata.put(key, listMeta.get(key));
                    }
                }
            }
            kind = kind.substring(0, kind.length() - "List".length());
        } else {
            items.add(body);
            Object rv = Json.at(body, "metadata", "resourceVersion");
            if (rv != null) {
                metadata.put("resourceVersion", rv);
            }
        }
        if (!items.isEmpty() && Json.string(items.get(0), "kind") != null) {
            kind = Json.string(items.get(0), "kind");
        }
        Printer printer = printerFor(group, kind);
        List<Object> rows = new ArrayList<>();
        for (Map<String, Object> item : items) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("cells", printer.cells().apply(item));
            if (!"None".equals(includeObject)) {
                row.put("object", "Object".equals(includeObject) ? item : partial(item, tableVersion));
            }
            rows.add(row);
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/" + tableVersion);
        table.put("metadata", metadata);
        table.put("columnDefinitions", printer.columns().stream().map(Column::json).toList());
        table.put("rows", rows);
        return table;
    }

    private Printer printerFor(String group, String kind) {
        Printer printer = printers.get(group + "/" + kind);
        if (printer != null) {
            return printer;
        }
        if (!ApiCatalog.isBuiltInGroup(group)) {
            // Custom resources without printer columns: name and age.
            return new Printer(List.of(name(), age()), o -> List.of(nameOf(o), ageOf(o)));
        }
        // The API server's default table convertor.
        return new Printer(List.of(name(), new Column("Created At", "date", "", 0, AGE_DOC)),
                o -> List.of(nameOf(o), orDefault(str(Json.at(o, "metadata", "creationTimestamp")), "")));
    }

    private static Map<String, Object> partial(Map<String, Object> item, String tableVersion) {
        Map<String, Object> partial = new LinkedHashMap<>();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/" + tableVersion);
        partial.put("metadata", item.getOrDefault("metadata", Map.of()));
        return partial;
    }

    // ---- printers ----

    private List<Object> pod(Map<String, Object> pod) {
        Map<String, Object> status = Json.mapOrNull(pod, "status");
        List<Object> containers = Json.list(Json.mapOrNull(pod, "spec"), "containers");
        String phase = orDefault(Json.string(status, "phase"), "");
        String reason = Json.string(status, "reason") != null && !Json.string(status, "reason").isEmpty()
                ? Json.string(status, "reason") : phase;
        int restarts = 0;
        int ready = 0;
        Instant lastRestart = null;
        boolean hasRunning = false;
        List<Object> statuses = Json.list(status, "containerStatuses");
        for (int i = statuses.size() - 1; i >= 0; i--) {
            if (!(statuses.get(i) instanceof Map<?, ?> raw)) {
                continue;
            }
            Map<String, Object> container = Json.cast(raw);
            restarts += Json.at(container, "restartCount") instanceof Number n ? n.intValue() : 0;
            Instant finished = instant(str(Json.at(container, "lastState", "terminated", "finishedAt")));
            if (finished != null && (lastRestart == null || lastRestart.isBefore(finished))) {
                lastRestart = finished;
            }
            String waiting = str(Json.at(container, "state", "waiting", "reason"));
            Map<String, Object> terminated = Json.mapOrNull(Json.mapOrNull(container, "state"), "terminated");
            if (waiting != null && !waiting.isEmpty()) {
                reason = waiting;
            } else if (terminated != null && Json.string(terminated, "reason") != null
                    && !Json.string(terminated, "reason").isEmpty()) {
                reason = Json.string(terminated, "reason");
            } else if (terminated != null) {
                Object signal = terminated.get("signal");
                reason = signal instanceof Number s && s.intValue() != 0 ? "Signal:" + s.intValue()
                        : "ExitCode:" + (terminated.get("exitCode") instanceof Number c ? c.intValue() : 0);
            } else if (Boolean.TRUE.equals(container.get("ready")) && Json.at(container, "state", "running") != null) {
                hasRunning = true;
                ready++;
            }
        }
        if ("Completed".equals(reason) && hasRunning) {
            reason = hasCondition(status, "Ready", "True") ? "Running" : "NotReady";
        }
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        if (Json.at(pod, "metadata", "deletionTimestamp") != null && "NodeLost".equals(Json.string(status, "reason"))) {
            reason = "Unknown";
        } else if (Json.at(pod, "metadata", "deletionTimestamp") != null && !terminal) {
            reason = "Terminating";
        }
        String restartText = String.valueOf(restarts);
        if (restarts != 0 && lastRestart != null) {
            restartText = restarts + " (" + since(lastRestart) + " ago)";
        }
        List<Object> ips = Json.list(status, "podIPs");
        String ip = !ips.isEmpty() && ips.get(0) instanceof Map<?, ?> first && first.get("ip") != null
                ? String.valueOf(first.get("ip")) : orDefault(Json.string(status, "podIP"), "<none>");
        String node = orDefault(str(Json.at(pod, "spec", "nodeName")), "<none>");
        String nominated = orDefault(Json.string(status, "nominatedNodeName"), "<none>");
        List<Object> gates = Json.list(Json.mapOrNull(pod, "spec"), "readinessGates");
        String readinessGates = "<none>";
        if (!gates.isEmpty()) {
            int trueGates = 0;
            for (Object gate : gates) {
                if (gate instanceof Map<?, ?> g && hasCondition(status, String.valueOf(g.get("conditionType")), "True")) {
                    trueGates++;
                }
            }
            readinessGates = trueGates + "/" + gates.size();
        }
        return List.of(nameOf(pod), ready + "/" + containers.size(), reason, restartText, ageOf(pod), ip, node, nominated,
                readinessGates);
    }

    private List<Object> deployment(Map<String, Object> deployment) {
        Map<String, Object> spec = Json.mapOrNull(deployment, "spec");
        Map<String, Object> status = Json.mapOrNull(deployment, "status");
        int desired = intOf(spec, "replicas");
        List<Object> containers = Json.list(Json.mapOrNull(Json.mapOrNull(spec, "template"), "spec"), "containers");
        return List.of(nameOf(deployment), intOf(status, "readyReplicas") + "/" + desired, intOf(status, "updatedReplicas"),
                intOf(status, "availableReplicas"), ageOf(deployment), join(containers, "name"), join(containers, "image"),
                selector(Json.mapOrNull(spec, "selector")));
    }

    private List<Object> replicaSet(Map<String, Object> rs) {
        Map<String, Object> spec = Json.mapOrNull(rs, "spec");
        Map<String, Object> status = Json.mapOrNull(rs, "status");
        List<Object> containers = Json.list(Json.mapOrNull(Json.mapOrNull(spec, "template"), "spec"), "containers");
        return List.of(nameOf(rs), intOf(spec, "replicas"), intOf(status, "replicas"), intOf(status, "readyReplicas"),
                ageOf(rs), join(containers, "name"), join(containers, "image"), selector(Json.mapOrNull(spec, "selector")));
    }

    private List<Object> service(Map<String, Object> service) {
        Map<String, Object> spec = Json.mapOrNull(service, "spec");
        String type = orDefault(Json.string(spec, "type"), "ClusterIP");
        List<Object> clusterIps = Json.list(spec, "clusterIPs");
        String clusterIp = !clusterIps.isEmpty() ? String.valueOf(clusterIps.get(0))
                : orDefault(Json.string(spec, "clusterIP"), "<none>");
        List<String> externalIps = Json.list(spec, "externalIPs").stream().map(String::valueOf).toList();
        String external;
        switch (type) {
            case "ClusterIP", "NodePort" -> external = externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
            case "LoadBalancer" -> {
                List<String> results = new ArrayList<>(loadBalancer(Json.mapOrNull(service, "status")));
                results.addAll(externalIps);
                external = results.isEmpty() ? "<pending>" : String.join(",", results);
            }
            case "ExternalName" -> external = orDefault(Json.string(spec, "externalName"), "");
            default -> external = "<unknown>";
        }
        List<String> ports = new ArrayList<>();
        for (Object p : Json.list(spec, "ports")) {
            if (p instanceof Map<?, ?> port) {
                String protocol = port.get("protocol") == null ? "TCP" : String.valueOf(port.get("protocol"));
                Object nodePort = port.get("nodePort");
                ports.add(nodePort instanceof Number n && n.intValue() != 0
                        ? number(port.get("port")) + ":" + n.intValue() + "/" + protocol
                        : number(port.get("port")) + "/" + protocol);
            }
        }
        Map<String, Object> selector = Json.mapOrNull(spec, "selector");
        return List.of(nameOf(service), type, clusterIp, external, ports.isEmpty() ? "<none>" : String.join(",", ports),
                ageOf(service), selector == null || selector.isEmpty() ? "<none>" : labels(selector));
    }

    private List<Object> endpoints(Map<String, Object> endpoints) {
        List<Object> subsets = Json.list(endpoints, "subsets");
        String text;
        if (subsets.isEmpty()) {
            text = "<none>";
        } else {
            List<String> list = new ArrayList<>();
            int max = 3;
            boolean more = false;
            int count = 0;
            for (Object s : subsets) {
                if (!(s instanceof Map<?, ?> raw)) {
                    continue;
                }
                Map<String, Object> subset = Json.cast(raw);
                List<Object> addresses = Json.list(subset, "addresses");
                List<Object> ports = Json.list(subset, "ports");
                if (ports.isEmpty()) {
                    count += addresses.size();
                    for (Object a : addresses) {
                        if (list.size() == max) {
                            more = true;
                            break;
                        }
                        list.add(String.valueOf(((Map<?, ?>) a).get("ip")));
                    }
                    continue;
                }
                for (Object p : ports) {
                    count += addresses.size();
                    for (Object a : addresses) {
                        if (list.size() == max) {
                            more = true;
                            break;
                        }
                        list.add(hostPort(String.valueOf(((Map<?, ?>) a).get("ip")), number(((Map<?, ?>) p).get("port"))));
                    }
                }
            }
            text = String.join(",", list);
            if (more) {
                text = text + " + " + (count - max) + " more...";
            }
        }
        return List.of(nameOf(endpoints), text, ageOf(endpoints));
    }

    private List<Object> endpointSlice(Map<String, Object> slice) {
        List<String> ports = new ArrayList<>();
        for (Object p : Json.list(slice, "ports")) {
            if (p instanceof Map<?, ?> port && port.get("port") != null) {
                ports.add(number(port.get("port")));
            }
        }
        List<String> addresses = new ArrayList<>();
        int count = 0;
        for (Object e : Json.list(slice, "endpoints")) {
            if (e instanceof Map<?, ?> endpoint && endpoint.get("addresses") instanceof List<?> list) {
                for (Object address : list) {
                    count++;
                    if (addresses.size() < 3) {
                        addresses.add(String.valueOf(address));
                    }
                }
            }
        }
        String endpointText = addresses.isEmpty() ? "<none>" : String.join(",", addresses)
                + (count > 3 ? " + " + (count - 3) + " more..." : "");
        String portText = Json.list(slice, "ports").isEmpty() ? "<unset>" : ports.isEmpty() ? "<unset>"
                : ports.size() > 3 ? String.join(",", ports.subList(0, 3)) + " + " + (ports.size() - 3) + " more..."
                : String.join(",", ports);
        return List.of(nameOf(slice), orDefault(Json.string(slice, "addressType"), ""), portText, endpointText, ageOf(slice));
    }

    private List<Object> event(Map<String, Object> event) {
        String first = since(instant(Json.string(event, "firstTimestamp")));
        if (Json.string(event, "firstTimestamp") == null) {
            first = since(instant(Json.string(event, "eventTime")));
        }
        String last = Json.string(event, "lastTimestamp") == null ? first : since(instant(Json.string(event, "lastTimestamp")));
        int count = event.get("count") instanceof Number n ? n.intValue() : 0;
        Map<String, Object> series = Json.mapOrNull(event, "series");
        if (series != null) {
            last = since(instant(Json.string(series, "lastObservedTime")));
            count = series.get("count") instanceof Number n ? n.intValue() : count;
        } else if (count == 0) {
            count = 1;
        }
        Map<String, Object> involved = Json.mapOrNull(event, "involvedObject");
        String kind = orDefault(Json.string(involved, "kind"), "").toLowerCase(Locale.ROOT);
        String name = Json.string(involved, "name");
        String target = name == null || name.isEmpty() ? kind : kind + "/" + name;
        Map<String, Object> source = Json.mapOrNull(event, "source");
        String component = Json.string(source, "component");
        String host = Json.string(source, "host");
        String sourceText;
        if (component == null || component.isEmpty()) {
            String controller = orDefault(Json.string(event, "reportingComponent"), "");
            String instance = orDefault(Json.string(event, "reportingInstance"), "");
            sourceText = instance.isEmpty() ? controller : controller + ", " + instance;
        } else {
            sourceText = host == null || host.isEmpty() ? component : component + ", " + host;
        }
        return List.of(last, orDefault(Json.string(event, "type"), ""), orDefault(Json.string(event, "reason"), ""), target,
                orDefault(Json.string(involved, "fieldPath"), ""), sourceText,
                orDefault(Json.string(event, "message"), "").strip(), first, count, nameOf(event));
    }

    private List<Object> ingress(Map<String, Object> ingress) {
        Map<String, Object> spec = Json.mapOrNull(ingress, "spec");
        List<String> hosts = new ArrayList<>();
        int count = 0;
        for (Object r : Json.list(spec, "rules")) {
            if (r instanceof Map<?, ?> rule && rule.get("host") != null && !String.valueOf(rule.get("host")).isEmpty()) {
                count++;
                if (hosts.size() < 3) {
                    hosts.add(String.valueOf(rule.get("host")));
                }
            }
        }
        String hostText = hosts.isEmpty() ? "*" : String.join(",", hosts) + (count > 3 ? " + " + (count - 3) + " more..." : "");
        String ports = Json.list(spec, "tls").isEmpty() ? "80" : "80, 443";
        List<String> addresses = loadBalancer(Json.mapOrNull(ingress, "status"));
        return List.of(nameOf(ingress), orDefault(Json.string(spec, "ingressClassName"), "<none>"), hostText,
                String.join(",", addresses), ports, ageOf(ingress));
    }

    private List<Object> job(Map<String, Object> job) {
        Map<String, Object> spec = Json.mapOrNull(job, "spec");
        Map<String, Object> status = Json.mapOrNull(job, "status");
        int succeeded = intOf(status, "succeeded");
        String completions;
        if (spec != null && spec.get("completions") instanceof Number c) {
            completions = succeeded + "/" + c.intValue();
        } else if (spec == null || !(spec.get("parallelism") instanceof Number p)) {
            completions = succeeded + "/1";
        } else if (p.intValue() > 1) {
            completions = succeeded + "/1 of " + p.intValue();
        } else {
            completions = succeeded + "/1";
        }
        Instant start = instant(Json.string(status, "startTime"));
        Instant completion = instant(Json.string(status, "completionTime"));
        String duration = start == null ? "" : completion == null ? since(start) : human(Duration.between(start, completion));
        String state;
        if (hasCondition(status, "Complete", "True")) {
            state = "Complete";
        } else if (hasCondition(status, "Failed", "True")) {
            state = "Failed";
        } else if (Json.at(job, "metadata", "deletionTimestamp") != null) {
            state = "Terminating";
        } else if (hasCondition(status, "Suspended", "True")) {
            state = "Suspended";
        } else if (hasCondition(status, "FailureTarget", "True")) {
            state = "FailureTarget";
        } else {
            state = "Running";
        }
        List<Object> containers = Json.list(Json.mapOrNull(Json.mapOrNull(spec, "template"), "spec"), "containers");
        return List.of(nameOf(job), state, completions, duration, ageOf(job), join(containers, "name"), join(containers, "image"),
                selector(Json.mapOrNull(spec, "selector")));
    }

    // ---- helpers ----

    private static Column name() {
        return new Column("Name", "string", "name", 0, NAME_DOC);
    }

    private static Column age() {
        return new Column("Age", "string", "", 0, AGE_DOC);
    }

    private static Column containers() {
        return new Column("Containers", "string", "", 1, CONTAINERS_DOC);
    }

    private static Column images() {
        return new Column("Images", "string", "", 1, IMAGES_DOC);
    }

    private static Column col(String name, String type, int priority, String description) {
        return new Column(name, type, "", priority, description);
    }

    private static String nameOf(Map<String, Object> object) {
        return orDefault(str(Json.at(object, "metadata", "name")), "");
    }

    private String ageOf(Map<String, Object> object) {
        return since(instant(str(Json.at(object, "metadata", "creationTimestamp"))));
    }

    /** {@code translateTimestampSince}: the age of a timestamp on the cluster's clock, as the server prints it. */
    private String since(Instant instant) {
        if (instant == null) {
            return "<unknown>";
        }
        return human(Duration.between(instant, clock.instant()));
    }

    /** {@code duration.HumanDuration} of Kubernetes. */
    static String human(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = d.toMinutes();
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = d.toHours();
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return (hours / 24) + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + dy + "d";
        }
        return (hours / 24 / 365) + "y";
    }

    private static Instant instant(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    private static boolean hasCondition(Map<String, Object> status, String type, String value) {
        for (Object c : Json.list(status, "conditions")) {
            if (c instanceof Map<?, ?> condition && type.equals(condition.get("type")) && value.equals(condition.get("status"))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> loadBalancer(Map<String, Object> status) {
        List<String> result = new ArrayList<>();
        for (Object i : Json.list(Json.mapOrNull(status, "loadBalancer"), "ingress")) {
            if (i instanceof Map<?, ?> ingress) {
                if (ingress.get("ip") != null && !String.valueOf(ingress.get("ip")).isEmpty()) {
                    result.add(String.valueOf(ingress.get("ip")));
                } else if (ingress.get("hostname") != null && !String.valueOf(ingress.get("hostname")).isEmpty()) {
                    result.add(String.valueOf(ingress.get("hostname")));
                }
            }
        }
        return result;
    }

    /** {@code LabelSelectorAsSelector(...).String()}: requirements sorted by key. */
    static String selector(Map<String, Object> selector) {
        if (selector == null) {
            return "<none>";
        }
        TreeMap<String, String> requirements = new TreeMap<>();
        Map<String, Object> matchLabels = Json.mapOrNull(selector, "matchLabels");
        if (matchLabels != null) {
            matchLabels.forEach((k, v) -> requirements.put(k, k + "=" + v));
        }
        for (Object e : Json.list(selector, "matchExpressions")) {
            if (!(e instanceof Map<?, ?> expression)) {
                continue;
            }
            String key = String.valueOf(expression.get("key"));
            String operator = String.valueOf(expression.get("operator"));
            List<String> values = expression.get("values") instanceof List<?> list
                    ? list.stream().map(String::valueOf).sorted().toList() : List.of();
            String text = switch (operator) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> key + " " + operator;
            };
            requirements.merge(key, text, (a, b) -> a + "," + b);
        }
        return requirements.isEmpty() ? "<none>" : String.join(",", requirements.values());
    }

    private static String labels(Map<String, Object> labels) {
        return new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    private static String join(List<Object> containers, String field) {
        return containers.stream().filter(c -> c instanceof Map<?, ?>).map(c -> String.valueOf(((Map<?, ?>) c).get(field)))
                .collect(Collectors.joining(","));
    }

    private static String hostPort(String host, String port) {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static int intOf(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.intValue() : 0;
    }

    private static String number(Object value) {
        return value instanceof Number n ? String.valueOf(n.longValue()) : String.valueOf(value);
    }

    private static String str(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
