package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Endpoints and EndpointSlice controllers in one: for every Service with a selector it keeps an
 * Endpoints object of the same name and, when slices are on, one EndpointSlice {@code <service>-<5 chars>}
 * listing the selected pods, ready ones as ready. Selectors are matched in memory (equality of every
 * pair), as the mock API server ignores set-based selectors. Services without selector are left alone.
 *
 * <p>Simplification: a named {@code targetPort} resolves against the first selected pod that declares
 * it, and all pods share one port list.
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

    /** Orders pods by IP numerically, so that 10.244.0.9 comes before 10.244.0.10. */
    private static final Comparator<Pod> BY_IP = Comparator.comparing(
            (Pod pod) -> ipNumber(pod.getStatus().getPodIP())).thenComparing(pod -> pod.getMetadata().getName());

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
     * Queues every Service of the pod's namespace that has a selector: a pod's labels or readiness may have
     * changed, for better or worse.
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
     * Returns a Service's selector without null values: the mock stores {@code "key": null} from a JSON
     * merge patch where a real API server removes the key.
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
     * Returns the name of the EndpointSlice the controller keeps for a Service.
     *
     * @param namespace the Service's namespace
     * @param service   the Service's name
     * @return {@code <service>-<5 stable chars>}
     */
    static String sliceName(String namespace, String service) {
        return service + "-" + Canonical.stableSuffix(ObjectStore.key(namespace, service));
    }

    /**
     * Explains how a Service's Endpoints and EndpointSlice differ from what the controller would write, for
     * {@code awaitSettled}.
     *
     * @param service         a Service with a selector, as the server has it
     * @param podsInNamespace the pods of its namespace, as the server has them
     * @param existing        the Endpoints of that name, or null
     * @param existingSlice   the slice named by {@link #sliceName}, or null
     * @param slicesEnabled   whether slices are maintained
     * @return the difference, or empty when the controller has nothing left to do
     */
    static Optional<String> unsettled(Service service, List<Pod> podsInNamespace, Endpoints existing,
            EndpointSlice existingSlice, boolean slicesEnabled) {
        List<Pod> selected = selectedPods(service, podsInNamespace);
        String name = ObjectStore.keyOf(service);
        if (existing == null || !sameContent(existing, desiredEndpoints(service, selected))) {
            return Optional.of("Endpoints " + name + " do not list the pods the Service selects");
        }
        if (slicesEnabled && (existingSlice == null || !sameContent(existingSlice, desiredSlice(service, selected)))) {
            return Optional.of("the EndpointSlice of Service " + name + " does not list the pods the Service selects");
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
        List<Pod> selected = selectedPods(service, pods.inNamespace(namespace));
        syncEndpoints(namespace, key, desiredEndpoints(service, selected));
        if (slicesEnabled) {
            String sliceName = sliceName(namespace, service.getMetadata().getName());
            syncSlice(namespace, ObjectStore.key(namespace, sliceName), desiredSlice(service, selected));
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

    private void syncSlice(String namespace, String key, EndpointSlice desired) {
        EndpointSlice existing = slices.get(key);
        if (existing == null) {
            slices.observe(client.discovery().v1().endpointSlices().inNamespace(namespace).resource(desired).create());
        } else if (!sameContent(existing, desired)) {
            EndpointSlice update = new EndpointSliceBuilder(existing)
                    .editMetadata()
                    .withLabels(desired.getMetadata().getLabels())
                    .withOwnerReferences(desired.getMetadata().getOwnerReferences())
                    .endMetadata()
                    .withAddressType(desired.getAddressType())
                    .withEndpoints(desired.getEndpoints())
                    .withPorts(desired.getPorts())
                    .build();
            slices.observe(client.discovery().v1().endpointSlices().inNamespace(namespace).resource(update).update());
        }
    }

    /** Deletes what the controller wrote for a Service that no longer exists. */
    private void deleteManaged(String key) {
        Endpoints existing = endpoints.get(key);
        if (existing != null && ENDPOINTS_MANAGER.equals(Models.labels(existing).get(ENDPOINTS_MANAGED_BY_LABEL))) {
            client.endpoints().inNamespace(existing.getMetadata().getNamespace())
                    .withName(existing.getMetadata().getName()).delete();
            endpoints.remove(existing, false);
        }
        String namespace = key.substring(0, key.indexOf('/'));
        String service = key.substring(key.indexOf('/') + 1);
        EndpointSlice slice = slices.get(ObjectStore.key(namespace, sliceName(namespace, service)));
        if (slice != null) {
            client.discovery().v1().endpointSlices().inNamespace(namespace).withName(slice.getMetadata().getName()).delete();
            slices.remove(slice, false);
        }
    }

    private static List<Pod> selectedPods(Service service, List<Pod> podsInNamespace) {
        Map<String, String> selector = selector(service);
        return podsInNamespace.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                // A pod without an IP has nothing to route to yet.
                .filter(pod -> pod.getStatus() != null && pod.getStatus().getPodIP() != null)
                .filter(pod -> Models.labels(pod).entrySet().containsAll(selector.entrySet()))
                .sorted(BY_IP)
                .toList();
    }

    private static Endpoints desiredEndpoints(Service service, List<Pod> selected) {
        Map<String, String> labels = new LinkedHashMap<>(Models.labels(service));
        labels.put(ENDPOINTS_MANAGED_BY_LABEL, ENDPOINTS_MANAGER);
        List<EndpointAddress> ready = new ArrayList<>();
        List<EndpointAddress> notReady = new ArrayList<>();
        for (Pod pod : selected) {
            EndpointAddress address = new EndpointAddressBuilder()
                    .withIp(pod.getStatus().getPodIP())
                    .withNodeName(pod.getSpec().getNodeName())
                    .withTargetRef(targetRef(pod))
                    .build();
            (Models.isReady(pod) ? ready : notReady).add(address);
        }
        List<EndpointPort> ports = resolvedPorts(service, selected).stream()
                .map(p -> new EndpointPortBuilder().withName(p.name).withPort(p.port).withProtocol(p.protocol).build())
                .toList();
        EndpointsBuilder endpoints = new EndpointsBuilder()
                .withNewMetadata()
                .withName(service.getMetadata().getName())
                .withNamespace(service.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata();
        // Like the real controller: no subsets at all while no pod is selected.
        if (!selected.isEmpty()) {
            endpoints.withSubsets(new EndpointSubsetBuilder()
                    .withAddresses(ready)
                    .withNotReadyAddresses(notReady)
                    .withPorts(ports)
                    .build());
        }
        return endpoints.build();
    }

    private static EndpointSlice desiredSlice(Service service, List<Pod> selected) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        Map<String, String> labels = new LinkedHashMap<>(Models.labels(service));
        labels.put(SERVICE_NAME_LABEL, name);
        labels.put(SLICE_MANAGED_BY_LABEL, SLICE_MANAGER);
        List<Endpoint> sliceEndpoints = selected.stream()
                .map(pod -> new EndpointBuilder()
                        .withAddresses(pod.getStatus().getPodIP())
                        .withNewConditions()
                        .withReady(Models.isReady(pod))
                        .withServing(Models.isReady(pod))
                        .withTerminating(false)
                        .endConditions()
                        .withNodeName(pod.getSpec().getNodeName())
                        .withTargetRef(targetRef(pod))
                        .build())
                .toList();
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports = resolvedPorts(service, selected).stream()
                .map(p -> new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder()
                        .withName(p.name).withPort(p.port).withProtocol(p.protocol).build())
                .toList();
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(sliceName(namespace, name))
                .withNamespace(namespace)
                .withLabels(labels)
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("Service")
                .withName(name)
                .withUid(service.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withAddressType("IPv4")
                .withEndpoints(sliceEndpoints)
                .withPorts(ports)
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

    /** A Service port resolved to the port its pods listen on. */
    private record ResolvedPort(String name, int port, String protocol) {
    }

    private static List<ResolvedPort> resolvedPorts(Service service, List<Pod> selected) {
        List<ResolvedPort> ports = new ArrayList<>();
        for (ServicePort port : service.getSpec().getPorts()) {
            Integer target = targetPort(port, selected);
            if (target != null) {
                ports.add(new ResolvedPort(port.getName(), target, port.getProtocol() == null ? "TCP" : port.getProtocol()));
            }
        }
        return ports;
    }

    private static Integer targetPort(ServicePort port, List<Pod> selected) {
        IntOrString target = port.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return port.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        return selected.stream()
                .flatMap(pod -> pod.getSpec().getContainers().stream())
                .flatMap(container -> container.getPorts().stream())
                .filter(containerPort -> target.getStrVal().equals(containerPort.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(null);
    }

    /** Reads a dotted IPv4 address as a number; anything else (an IPv6 address a test wrote) sorts last. */
    private static long ipNumber(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            return Long.MAX_VALUE;
        }
        long number = 0;
        for (String part : parts) {
            try {
                number = number * 256 + Integer.parseInt(part);
            } catch (NumberFormatException e) {
                return Long.MAX_VALUE;
            }
        }
        return number;
    }
}
