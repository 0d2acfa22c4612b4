package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Endpoints and EndpointSlice controllers in one, after {@code pkg/controller/endpoint} and
 * {@code staging/src/k8s.io/endpointslice}: for every Service with a selector it keeps an Endpoints object of
 * the same name and, when slices are on, EndpointSlices of at most 100 endpoints each, grouped by the ports the
 * pods resolve the Service's ports to.
 *
 * <ul>
 *   <li>Slices list every selected pod that has an IP and has not finished, terminating ones included, with
 *       {@code serving} = the pod is ready, {@code terminating} = it has a {@code deletionTimestamp}, and
 *       {@code ready} = serving and not terminating, or always with {@code publishNotReadyAddresses}.</li>
 *   <li>Endpoints list ready pods under {@code addresses} and the others under {@code notReadyAddresses};
 *       terminating pods are left out, unless {@code publishNotReadyAddresses} lists every pod as ready.</li>
 * </ul>
 *
 * <p>Selectors are matched in memory (equality of every pair), as the mock API server ignores set-based
 * selectors. Services without selector are left alone.
 */
final class EndpointsController {

    /** Label of an EndpointSlice naming its Service. */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** Label of an EndpointSlice naming its manager. */
    static final String SLICE_MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    /** The manager value of slices this controller maintains. */
    static final String SLICE_MANAGER = "endpointslice-controller.k8s.io";
    /** Label of an Endpoints object naming its manager. */
    static final String ENDPOINTS_MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by";
    /** The manager value of Endpoints this controller maintains. */
    static final String ENDPOINTS_MANAGER = "endpoint-controller";
    /** {@code --max-endpoints-per-slice} default. */
    static final int MAX_ENDPOINTS_PER_SLICE = 100;

    /** Orders pods by IP as text, then uid, as {@code addrsByIPAndUID} orders addresses. */
    private static final Comparator<Pod> BY_IP = Comparator.comparing((Pod pod) -> pod.getStatus().getPodIP())
            .thenComparing(pod -> pod.getMetadata().getUid());

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Service> services;
    private final ObjectStore<Pod> pods;
    private final ObjectStore<Endpoints> endpoints;
    private final ObjectStore<EndpointSlice> slices;
    private final boolean slicesEnabled;

    EndpointsController(KubernetesClient client, ControllerLoop loop, ObjectStore<Service> services,
            ObjectStore<Pod> pods, ObjectStore<Endpoints> endpoints, ObjectStore<EndpointSlice> slices,
            boolean slicesEnabled) {
        this.client = client;
        this.loop = loop;
        this.services = services;
        this.pods = pods;
        this.endpoints = endpoints;
        this.slices = slices;
        this.slicesEnabled = slicesEnabled;
    }

    /**
     * Queues the reconciliation of a Service's endpoints.
     *
     * @param key the Service's {@code namespace/name}
     */
    void enqueue(String key) {
        loop.reconcile("endpoints " + key, () -> reconcile(key));
    }

    /**
     * Queues every Service of the pod's namespace that has a selector: a pod's labels, readiness or
     * termination may have changed, for better or worse.
     *
     * @param pod a pod that changed or disappeared
     */
    void podChanged(Pod pod) {
        services.inNamespace(pod.getMetadata().getNamespace()).stream()
                .filter(EndpointsController::hasSelector)
                .forEach(service -> enqueue(ObjectStore.keyOf(service)));
    }

    /**
     * Queues the Service an EndpointSlice belongs to, so that edits by others are undone.
     *
     * @param slice a slice that changed or disappeared
     */
    void sliceChanged(EndpointSlice slice) {
        String service = Models.labels(slice).get(SERVICE_NAME_LABEL);
        if (service != null) {
            enqueue(ObjectStore.key(slice.getMetadata().getNamespace(), service));
        }
    }

    /**
     * Tells whether a Service has a non-empty selector, i.e. whether the controller manages its endpoints.
     *
     * @param service any Service
     * @return true if its endpoints are managed
     */
    static boolean hasSelector(Service service) {
        return !selector(service).isEmpty();
    }

    /**
     * Returns a Service's selector without null values.
     */
    private static Map<String, String> selector(Service service) {
        Map<String, String> selector = new LinkedHashMap<>();
        if (service.getSpec() != null && service.getSpec().getSelector() != null) {
            service.getSpec().getSelector().forEach((key, value) -> {
                if (value != null) {
                    selector.put(key, value);
                }
            });
        }
        return selector;
    }

    /**
     * Returns the name of the first EndpointSlice the controller keeps for a Service.
     *
     * @param namespace the Service's namespace
     * @param service   the Service's name
     * @return {@code <service>-<5 stable chars>}
     */
    static String sliceName(String namespace, String service) {
        return service + "-" + Canonical.stableSuffix(ObjectStore.key(namespace, service));
    }

    /**
     * Tells whether a slice is one this controller keeps for a Service.
     *
     * @param slice   any slice
     * @param service the Service's name
     * @return true if managed by this controller for that Service
     */
    static boolean managedFor(EndpointSlice slice, String service) {
        return SLICE_MANAGER.equals(Models.labels(slice).get(SLICE_MANAGED_BY_LABEL))
                && service.equals(Models.labels(slice).get(SERVICE_NAME_LABEL));
    }

    /**
     * Explains how a Service's Endpoints and EndpointSlices differ from what the controller would write, for
     * {@code awaitSettled}.
     *
     * @param service         a Service with a selector, as the server has it
     * @param podsInNamespace the pods of its namespace, as the server has them
     * @param existing        the Endpoints of that name, or null
     * @param existingSlices  the slices of the namespace the controller manages
     * @param slicesEnabled   whether slices are maintained
     * @return the difference, or empty when the controller has nothing left to do
     */
    static Optional<String> unsettled(Service service, List<Pod> podsInNamespace, Endpoints existing,
            List<EndpointSlice> existingSlices, boolean slicesEnabled) {
        String name = ObjectStore.keyOf(service);
        if (existing == null || !sameContent(existing, desiredEndpoints(service, podsInNamespace))) {
            return Optional.of("Endpoints " + name + " do not list the pods the Service selects");
        }
        if (slicesEnabled) {
            Map<String, EndpointSlice> desired = desiredSlices(service, podsInNamespace);
            List<EndpointSlice> mine = existingSlices.stream()
                    .filter(s -> managedFor(s, service.getMetadata().getName())).toList();
            if (mine.size() != desired.size() || mine.stream().anyMatch(s -> desired.get(s.getMetadata().getName()) == null
                    || !sameContent(s, desired.get(s.getMetadata().getName())))) {
                return Optional.of("the EndpointSlices of Service " + name + " do not list the pods the Service selects");
            }
        }
        return Optional.empty();
    }

    private void reconcile(String key) {
        Service service = services.get(key);
        if (service == null) {
            deleteManaged(key);
            return;
        }
        if (!hasSelector(service)) {
            return;
        }
        String namespace = service.getMetadata().getNamespace();
        List<Pod> inNamespace = pods.inNamespace(namespace);
        syncEndpoints(namespace, key, desiredEndpoints(service, inNamespace));
        if (slicesEnabled) {
            syncSlices(namespace, service.getMetadata().getName(), desiredSlices(service, inNamespace));
        }
    }

    private void syncEndpoints(String namespace, String key, Endpoints desired) {
        Endpoints existing = endpoints.get(key);
        if (existing == null) {
            endpoints.observe(client.endpoints().inNamespace(namespace).resource(desired).create());
        } else if (!sameContent(existing, desired)) {
            Endpoints update = new EndpointsBuilder(existing)
                    .editMetadata().withLabels(desired.getMetadata().getLabels()).endMetadata()
                    .withSubsets(desired.getSubsets())
                    .build();
            endpoints.observe(client.endpoints().inNamespace(namespace).resource(update).update());
        }
    }

    private void syncSlices(String namespace, String service, Map<String, EndpointSlice> desired) {
        for (EndpointSlice want : desired.values()) {
            EndpointSlice existing = slices.get(ObjectStore.key(namespace, want.getMetadata().getName()));
            if (existing == null) {
                slices.observe(client.discovery().v1().endpointSlices().inNamespace(namespace).resource(want).create());
            } else if (!sameContent(existing, want)) {
                EndpointSlice update = new EndpointSliceBuilder(existing)
                        .editMetadata()
                        .withLabels(want.getMetadata().getLabels())
                        .withOwnerReferences(want.getMetadata().getOwnerReferences())
                        .endMetadata()
                        .withAddressType(want.getAddressType())
                        .withEndpoints(want.getEndpoints())
                        .withPorts(want.getPorts())
                        .build();
                slices.observe(client.discovery().v1().endpointSlices().inNamespace(namespace).resource(update).update());
            }
        }
        for (EndpointSlice existing : slices.inNamespace(namespace)) {
            if (managedFor(existing, service) && !desired.containsKey(existing.getMetadata().getName())) {
                deleteSlice(existing);
            }
        }
    }

    /** Deletes what the controller wrote for a Service that no longer exists. */
    private void deleteManaged(String key) {
        Endpoints existing = endpoints.get(key);
        if (existing != null && ENDPOINTS_MANAGER.equals(Models.labels(existing).get(ENDPOINTS_MANAGED_BY_LABEL))) {
            try {
                client.endpoints().inNamespace(existing.getMetadata().getNamespace())
                        .withName(existing.getMetadata().getName()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
            endpoints.remove(existing, false);
        }
        String namespace = key.substring(0, key.indexOf('/'));
        String service = key.substring(key.indexOf('/') + 1);
        for (EndpointSlice slice : slices.inNamespace(namespace)) {
            if (managedFor(slice, service)) {
                deleteSlice(slice);
            }
        }
    }

    private void deleteSlice(EndpointSlice slice) {
        try {
            client.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
                    .withName(slice.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        slices.remove(slice, false);
    }

    /** The selected pods that may back the Service: an IP, not finished; terminating ones included. */
    private static List<Pod> selectedPods(Service service, List<Pod> podsInNamespace) {
        Map<String, String> selector = selector(service);
        return podsInNamespace.stream()
                .filter(pod -> pod.getStatus() != null && pod.getStatus().getPodIP() != null)
                .filter(pod -> !"Succeeded".equals(pod.getStatus().getPhase()) && !"Failed".equals(pod.getStatus().getPhase()))
                .filter(pod -> Selectors.matches(selector, Models.labels(pod)))
                .sorted(BY_IP)
                .toList();
    }

    private static boolean publishNotReady(Service service) {
        return Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    }

    static Endpoints desiredEndpoints(Service service, List<Pod> podsInNamespace) {
        Map<String, String> labels = new LinkedHashMap<>(Models.labels(service));
        labels.put(ENDPOINTS_MANAGED_BY_LABEL, ENDPOINTS_MANAGER);
        boolean tolerateUnready = publishNotReady(service);
        boolean headless = "None".equals(service.getSpec().getClusterIP());
        Map<List<ResolvedPort>, EndpointSubsetBuilder> subsets = new LinkedHashMap<>();
        for (Pod pod : selectedPods(service, podsInNamespace)) {
            if (!tolerateUnready && pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            List<ResolvedPort> ports = resolvedPorts(service, pod);
            if (ports.isEmpty() && !(headless && service.getSpec().getPorts().isEmpty())) {
                continue;
            }
            EndpointAddress address = new EndpointAddressBuilder()
                    .withIp(pod.getStatus().getPodIP())
                    .withHostname(hostname(service, pod))
                    .withNodeName(pod.getSpec().getNodeName())
                    .withTargetRef(targetRef(pod))
                    .build();
            EndpointSubsetBuilder subset = subsets.computeIfAbsent(ports, p -> new EndpointSubsetBuilder()
                    .withPorts(p.stream().map(r -> new EndpointPortBuilder().withName(r.name).withPort(r.port)
                            .withProtocol(r.protocol).build()).toList()));
            if (tolerateUnready || Models.isReady(pod)) {
                subset.addToAddresses(address);
            } else {
                subset.addToNotReadyAddresses(address);
            }
        }
        EndpointsBuilder builder = new EndpointsBuilder()
                .withNewMetadata()
                .withName(service.getMetadata().getName())
                .withNamespace(service.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata();
        // Like the real controller: no subsets at all while no pod backs the Service.
        if (!subsets.isEmpty()) {
            builder.withSubsets(subsets.values().stream().map(EndpointSubsetBuilder::build).toList());
        }
        return builder.build();
    }

    static Map<String, EndpointSlice> desiredSlices(Service service, List<Pod> podsInNamespace) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        boolean publishNotReady = publishNotReady(service);
        Map<List<ResolvedPort>, List<Endpoint>> byPorts = new LinkedHashMap<>();
        for (Pod pod : selectedPods(service, podsInNamespace)) {
            boolean serving = Models.isReady(pod);
            boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
            Endpoint endpoint = new EndpointBuilder()
                    .withAddresses(pod.getStatus().getPodIP())
                    .withNewConditions()
                    .withReady(publishNotReady || (serving && !terminating))
                    .withServing(serving)
                    .withTerminating(terminating)
                    .endConditions()
                    .withHostname(hostname(service, pod))
                    .withNodeName(pod.getSpec().getNodeName())
                    .withTargetRef(targetRef(pod))
                    .build();
            byPorts.computeIfAbsent(resolvedPorts(service, pod), p -> new ArrayList<>()).add(endpoint);
        }
        Map<String, EndpointSlice> desired = new LinkedHashMap<>();
        if (byPorts.isEmpty()) {
            // A placeholder slice, as the real controller keeps for a Service without endpoints.
            desired.put(sliceName(namespace, name), slice(service, sliceName(namespace, name), List.of(), List.of()));
            return desired;
        }
        boolean first = true;
        for (Map.Entry<List<ResolvedPort>, List<Endpoint>> group : byPorts.entrySet()) {
            List<Endpoint> all = group.getValue();
            for (int from = 0; from < all.size(); from += MAX_ENDPOINTS_PER_SLICE) {
                String sliceName = first ? sliceName(namespace, name)
                        : name + "-" + Canonical.stableSuffix(ObjectStore.key(namespace, name) + "/"
                                + Canonical.hash(group.getKey()) + "/" + from);
                first = false;
                desired.put(sliceName, slice(service, sliceName, group.getKey(),
                        all.subList(from, Math.min(all.size(), from + MAX_ENDPOINTS_PER_SLICE))));
            }
        }
        return desired;
    }

    private static EndpointSlice slice(Service service, String sliceName, List<ResolvedPort> ports, List<Endpoint> endpoints) {
        Map<String, String> labels = new LinkedHashMap<>(Models.labels(service));
        labels.put(SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(SLICE_MANAGED_BY_LABEL, SLICE_MANAGER);
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(sliceName)
                .withNamespace(service.getMetadata().getNamespace())
                .withLabels(labels)
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("Service")
                .withName(service.getMetadata().getName())
                .withUid(service.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withAddressType("IPv4")
                .withEndpoints(endpoints)
                .withPorts(ports.stream().map(p -> new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder()
                        .withName(p.name).withPort(p.port).withProtocol(p.protocol).build()).toList())
                .build();
    }

    private static boolean sameContent(Endpoints existing, Endpoints desired) {
        return Canonical.same(existing.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && Canonical.same(existing.getSubsets(), desired.getSubsets());
    }

    private static boolean sameContent(EndpointSlice existing, EndpointSlice desired) {
        return Canonical.same(existing.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && Canonical.same(existing.getMetadata().getOwnerReferences(), desired.getMetadata().getOwnerReferences())
                && Objects.equals(existing.getAddressType(), desired.getAddressType())
                && Canonical.same(existing.getEndpoints(), desired.getEndpoints())
                && Canonical.same(existing.getPorts(), desired.getPorts());
    }

    private static ObjectReference targetRef(Pod pod) {
        return new ObjectReferenceBuilder()
                .withKind("Pod")
                .withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace())
                .withUid(pod.getMetadata().getUid())
                .build();
    }

    /** {@code ShouldSetHostname}: a pod with a hostname in the Service's subdomain. */
    private static String hostname(Service service, Pod pod) {
        String hostname = pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty() && service.getMetadata().getName().equals(pod.getSpec().getSubdomain())
                ? hostname : null;
    }

    /** A Service port resolved to the port a pod listens on. */
    private record ResolvedPort(String name, int port, String protocol) {
    }

    /** The Service's ports as this pod serves them; a named target port the pod does not declare is left out. */
    private static List<ResolvedPort> resolvedPorts(Service service, Pod pod) {
        List<ResolvedPort> ports = new ArrayList<>();
        for (ServicePort port : service.getSpec().getPorts()) {
            Integer target = targetPort(port, pod);
            if (target != null) {
                ports.add(new ResolvedPort(port.getName(), target, port.getProtocol() == null ? "TCP" : port.getProtocol()));
            }
        }
        return ports;
    }

    private static Integer targetPort(ServicePort port, Pod pod) {
        IntOrString target = port.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return port.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        return pod.getSpec().getContainers().stream()
                .flatMap(container -> container.getPorts().stream())
                .filter(containerPort -> target.getStrVal().equals(containerPort.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(null);
    }
}
