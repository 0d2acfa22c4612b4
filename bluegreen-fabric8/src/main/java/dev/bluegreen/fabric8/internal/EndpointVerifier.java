package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.VerificationException;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Proves, with informers and a deadline, that a Service's endpoints list only pods of one color,
 * at least one of them ready. Reads EndpointSlices, or the Endpoints object where the cluster
 * serves no slices for the Service. The informers start when the verification is opened, before
 * the switch is written, so the wait afterwards is only the endpoints controller's own delay.
 */
final class EndpointVerifier implements TrafficVerifier {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** Where a cluster publishes a Service's endpoints. */
    enum Source {
        ENDPOINT_SLICES("EndpointSlices"), ENDPOINTS("Endpoints");

        private final String kind;

        Source(String kind) {
            this.kind = kind;
        }
    }

    /** One address behind the Service. */
    private static final class Backend {
        final String pod;
        final String ip;
        final boolean ready;

        Backend(String pod, String ip, boolean ready) {
            this.pod = pod;
            this.ip = ip;
            this.ready = ready;
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final String colorLabel;
    private final Supplier<Map<String, String>> podSelector;
    private final AtomicReference<Source> source = new AtomicReference<>();

    EndpointVerifier(KubernetesClient client, String namespace, String service, String colorLabel,
                     Supplier<Map<String, String>> podSelector) {
        this.client = client;
        this.namespace = namespace;
        this.service = service;
        this.colorLabel = colorLabel;
        this.podSelector = podSelector;
    }

    private String target() {
        return "Service " + namespace + "/" + service;
    }

    @Override
    public VerificationWatch expect(Color color) {
        return new Expectation(color, podSelector.get());
    }

    /**
     * One verification in progress, started at once: a watch on the pods that may back the Service
     * (a pod not seen yet counts as foreign, so no list is needed) and an informer on its
     * EndpointSlices, whose list doubles as the check that the cluster serves slices for it; when
     * it serves none, the Endpoints object is followed instead, from then on.
     */
    private final class Expectation implements VerificationWatch {
        private final Color color;
        private final long start = System.nanoTime();
        private final Source from;
        private final CompletableFuture<List<String>> holds = new CompletableFuture<>();
        private final AtomicReference<String> lastSeen = new AtomicReference<>("nothing observed yet");
        private final Map<String, Pod> podsSeen = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicReference<Watch> pods = new AtomicReference<>();
        private final AtomicReference<SharedIndexInformer<? extends HasMetadata>> endpoints = new AtomicReference<>();

        Expectation(Color color, Map<String, String> selector) {
            this.color = color;
            Runnable evaluate = this::evaluateNow;
            Source chosen = source.get();
            try {
                pods.set(client.pods().inNamespace(namespace).withLabels(selector).watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        if (action == Action.DELETED) {
                            podsSeen.remove(pod.getMetadata().getName());
                        } else if (action != Action.ERROR) {
                            podsSeen.put(pod.getMetadata().getName(), pod);
                        }
                        evaluate.run();
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        holds.completeExceptionally(new ClusterApiException("the watch of the pods behind " + target()
                                + " ended: " + cause.getMessage(), target(), 0, cause));
                    }
                }));
                if (chosen != Source.ENDPOINTS) {
                    SharedIndexInformer<EndpointSlice> slices = slicesOrNull(evaluate);
                    if (slices != null && (chosen == Source.ENDPOINT_SLICES || !slices.getStore().list().isEmpty())) {
                        chosen = Source.ENDPOINT_SLICES;
                        endpoints.set(slices);
                    } else {
                        closeInformer(slices);
                        chosen = Source.ENDPOINTS;
                    }
                    source.compareAndSet(null, chosen);
                }
                if (chosen == Source.ENDPOINTS) {
                    endpoints.set(client.endpoints().inNamespace(namespace).withName(service).inform(onChange(evaluate)));
                }
            } catch (KubernetesClientException e) {
                close();
                holds.completeExceptionally(KubeCalls.apiError("watching the endpoints of " + target(), target(), e));
            }
            this.from = chosen;
        }

        /** @return an informer on the Service's slices, or null when the cluster does not serve slices */
        private SharedIndexInformer<EndpointSlice> slicesOrNull(Runnable evaluate) {
            try {
                return client.discovery().v1().endpointSlices().inNamespace(namespace)
                        .withLabel(SERVICE_NAME_LABEL, service).inform(onChange(evaluate));
            } catch (KubernetesClientException e) {
                if (e.getCode() == KubeCalls.NOT_FOUND || e.getCode() == 403) {
                    return null;
                }
                throw e;
            }
        }

        private void evaluateNow() {
            SharedIndexInformer<? extends HasMetadata> endpointInformer = endpoints.get();
            if (from == null || endpointInformer == null) {
                return;
            }
            synchronized (holds) {
                evaluate(color, from, List.copyOf(podsSeen.values()), endpointInformer.getStore().list(), lastSeen, holds);
            }
        }

        @Override
        public TrafficVerification await(Deadline deadline) {
            evaluateNow();
            try {
                List<String> ready = deadline.await(holds);
                return new TrafficVerification(target(), color, ready, from.kind, Duration.ofNanos(System.nanoTime() - start));
            } catch (TimeoutException e) {
                throw new VerificationException(target() + " did not reach only ready " + color + " pods within "
                        + deadline.timeout() + ": " + from.kind + " last listed " + lastSeen.get()
                        + (deadline.lastFailure() == null ? "" : "; last failure: " + deadline.lastFailure().getMessage()));
            }
        }

        @Override
        public void close() {
            Watch watch = pods.get();
            if (watch != null) {
                watch.close();
            }
            closeInformer(endpoints.get());
        }
    }

    private void evaluate(Color color, Source from, List<Pod> pods, List<? extends HasMetadata> objects,
                          AtomicReference<String> lastSeen, CompletableFuture<List<String>> holds) {
        Map<String, String> colorOfPod = new HashMap<>();
        for (Pod pod : pods) {
            colorOfPod.put(pod.getMetadata().getName(), pod.getMetadata().getLabels().getOrDefault(colorLabel, "none"));
        }
        List<Backend> backends = from == Source.ENDPOINT_SLICES ? fromSlices(objects) : fromEndpoints(objects);
        List<String> described = new ArrayList<>();
        List<String> readyOfColor = new ArrayList<>();
        boolean foreign = false;
        for (Backend backend : backends) {
            String podColor = backend.pod == null ? "not a pod" : colorOfPod.getOrDefault(backend.pod, "unknown pod");
            described.add((backend.pod == null ? backend.ip : backend.pod) + " (" + podColor + ", "
                    + (backend.ready ? "ready" : "not ready") + ")");
            if (!color.name().equals(podColor)) {
                foreign = true;
            } else if (backend.ready) {
                readyOfColor.add(backend.pod);
            }
        }
        lastSeen.set(described.isEmpty() ? "no endpoints" : String.join(", ", described));
        if (!foreign && !readyOfColor.isEmpty()) {
            holds.complete(readyOfColor.stream().sorted().collect(Collectors.toList()));
        }
    }

    private static List<Backend> fromSlices(List<? extends HasMetadata> slices) {
        List<Backend> backends = new ArrayList<>();
        for (HasMetadata object : slices) {
            for (Endpoint endpoint : ((EndpointSlice) object).getEndpoints()) {
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                String ip = endpoint.getAddresses().isEmpty() ? "?" : endpoint.getAddresses().get(0);
                backends.add(new Backend(podName(endpoint.getTargetRef()), ip, ready));
            }
        }
        return backends;
    }

    private static List<Backend> fromEndpoints(List<? extends HasMetadata> objects) {
        List<Backend> backends = new ArrayList<>();
        for (HasMetadata object : objects) {
            for (EndpointSubset subset : ((Endpoints) object).getSubsets()) {
                for (EndpointAddress address : subset.getAddresses()) {
                    backends.add(new Backend(podName(address.getTargetRef()), address.getIp(), true));
                }
                for (EndpointAddress address : subset.getNotReadyAddresses()) {
                    backends.add(new Backend(podName(address.getTargetRef()), address.getIp(), false));
                }
            }
        }
        return backends;
    }

    private static String podName(ObjectReference reference) {
        return reference != null && "Pod".equals(reference.getKind()) ? reference.getName() : null;
    }

    private static <T> ResourceEventHandler<T> onChange(Runnable evaluate) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                evaluate.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                evaluate.run();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                evaluate.run();
            }
        };
    }

    private static void closeInformer(SharedIndexInformer<?> informer) {
        if (informer != null) {
            informer.close();
        }
    }
}
