package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.PodBehavior;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The controllers of a simulated cluster and the informers that feed them: Deployments, ReplicaSets, the
 * kubelet, Endpoints and EndpointSlices, Jobs, ResourceQuotas, the status parts of an ingress controller and a
 * Gateway API controller, Argo Rollouts' blue-green controller, and the garbage collector's part that deletes what a deleted owner controlled
 * (Deployment, then its ReplicaSets, then their pods; a Job's pods, in the background). Informer callbacks only
 * hand events over to the {@link ControllerLoop}; everything else runs on the loop's thread.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Duration INFORMER_START_TIMEOUT = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final boolean endpointSlices;
    private final SimClock clock;
    private final ControllerLoop loop;
    private final ObjectStore<Deployment> deployments = new ObjectStore<>();
    private final ObjectStore<ReplicaSet> replicaSets = new ObjectStore<>();
    private final ObjectStore<Pod> pods = new ObjectStore<>();
    private final ObjectStore<Service> services = new ObjectStore<>();
    private final ObjectStore<Endpoints> endpoints = new ObjectStore<>();
    private final ObjectStore<EndpointSlice> slices = new ObjectStore<>();
    private final ObjectStore<Job> jobs = new ObjectStore<>();
    private final ObjectStore<ResourceQuota> quotas = new ObjectStore<>();
    private final ObjectStore<Ingress> ingresses = new ObjectStore<>();
    private final ObjectStore<HTTPRoute> routes = new ObjectStore<>();
    private final ObjectStore<Gateway> gateways = new ObjectStore<>();
    private final ObjectStore<GenericKubernetesResource> rollouts = new ObjectStore<>();
    private final Kubelet kubelet;
    private final DeploymentController deploymentController;
    private final ReplicaSetController replicaSetController;
    private final EndpointsController endpointsController;
    private final JobController jobController;
    private final ResourceQuotaController quotaController;
    private final IngressController ingressController;
    private final GatewayController gatewayController;
    private final RolloutController rolloutController;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    /**
     * What a control plane simulates.
     *
     * @param startDelay     simulated time from a pod's admission to its containers starting; zero or more
     * @param endpointSlices whether EndpointSlices are maintained alongside Endpoints
     * @param imageBehavior  how the containers of an image behave; consulted when a pod is admitted
     * @param logs           the containers' logs
     * @param usage          what the running containers use, for the metrics API
     */
    public record Settings(Duration startDelay, boolean endpointSlices, Function<String, PodBehavior> imageBehavior,
            LogStore logs, ResourceUsage usage) {
    }

    private ControlPlane(KubernetesClient client, Settings settings, SimClock clock) {
        this.client = client;
        this.endpointSlices = settings.endpointSlices();
        this.clock = clock;
        this.loop = new ControllerLoop("bluegreen-testkit-controllers", clock);
        EventRecorder events = new EventRecorder(client, clock);
        this.kubelet = new Kubelet(client, loop, pods, settings.startDelay(), settings.imageBehavior(), events, settings.logs(),
                settings.usage());
        this.replicaSetController = new ReplicaSetController(client, loop, replicaSets, pods, kubelet, events);
        this.deploymentController = new DeploymentController(client, loop, deployments, replicaSets, pods, events,
                replicaSetController::enqueue);
        this.endpointsController = new EndpointsController(client, loop, services, pods, endpoints, slices,
                settings.endpointSlices());
        this.jobController = new JobController(client, loop, jobs, pods, kubelet, events);
        this.quotaController = new ResourceQuotaController(client, loop, quotas, pods);
        this.ingressController = new IngressController(client, loop, ingresses);
        this.gatewayController = new GatewayController(client, loop, routes, gateways, services);
        this.rolloutController = new RolloutController(client, loop, rollouts, replicaSets, pods, services,
                replicaSetController::enqueue);
    }

    /**
     * Starts the informers (all namespaces) and returns once each has listed and is watching, so that no
     * later change goes unseen.
     *
     * @param client   the client the controllers use, with the controllers' {@code User-Agent}
     * @param settings what to simulate
     * @param clock    the simulated time
     * @return the running control plane
     */
    public static ControlPlane start(KubernetesClient client, Settings settings, SimClock clock) {
        ControlPlane controlPlane = new ControlPlane(client, settings, clock);
        try {
            controlPlane.startInformers();
            return controlPlane;
        } catch (RuntimeException e) {
            controlPlane.close();
            throw e;
        }
    }

    private void startInformers() {
        registerCustomResources();
        inform(client.apps().deployments().inAnyNamespace(),
                deployment -> {
                    deployments.observe(deployment);
                    deploymentController.enqueue(ObjectStore.keyOf(deployment));
                },
                deployment -> {
                    deployments.remove(deployment, true);
                    deploymentController.deleted(deployment);
                    collectDependents(deployment);
                });
        inform(client.apps().replicaSets().inAnyNamespace(),
                rs -> {
                    replicaSets.observe(rs);
                    collectIfOwnerGone(rs);
                    replicaSetController.enqueue(ObjectStore.keyOf(rs));
                    deploymentController.replicaSetChanged(rs);
                    rolloutController.replicaSetChanged(rs);
                },
                rs -> {
                    replicaSets.remove(rs, true);
                    deploymentController.replicaSetChanged(rs);
                    rolloutController.replicaSetChanged(rs);
                    collectDependents(rs);
                });
        inform(client.pods().inAnyNamespace(),
                pod -> {
                    pods.observe(pod);
                    // The store may hold a newer version than the event, from the controllers' own writes.
                    Pod latest = pods.get(ObjectStore.keyOf(pod));
                    if (latest != null) {
                        kubelet.observe(latest);
                    }
                    replicaSetController.podChanged(pod);
                    endpointsController.podChanged(pod);
                    jobController.podChanged(pod);
                    quotaController.podChanged(pod);
                    if (!ReplicaSetController.isActive(pod)) {
                        deploymentController.podGone(pod);
                    }
                },
                pod -> {
                    pods.remove(pod, true);
                    kubelet.forget(pod);
                    replicaSetController.podDeleted(pod);
                    deploymentController.podGone(pod);
                    endpointsController.podChanged(pod);
                    jobController.podChanged(pod);
                    quotaController.podChanged(pod);
                });
        inform(client.services().inAnyNamespace(),
                service -> {
                    services.observe(service);
                    endpointsController.enqueue(ObjectStore.keyOf(service));
                    gatewayController.changed();
                    rolloutController.serviceChanged(service);
                },
                service -> {
                    services.remove(service, true);
                    endpointsController.enqueue(ObjectStore.keyOf(service));
                    gatewayController.changed();
                    rolloutController.serviceChanged(service);
                });
        inform(client.genericKubernetesResources(ArgoRolloutsApi.API_VERSION, "Rollout").inAnyNamespace(),
                rollout -> {
                    rollouts.observe(rollout);
                    rolloutController.enqueue(ObjectStore.keyOf(rollout));
                },
                rollout -> {
                    rollouts.remove(rollout, true);
                    collectDependents(rollout);
                });
        inform(client.batch().v1().jobs().inAnyNamespace(),
                job -> {
                    jobs.observe(job);
                    jobController.enqueue(ObjectStore.keyOf(job));
                },
                job -> {
                    jobs.remove(job, true);
                    jobController.deleted(job);
                    collectDependents(job);
                });
        inform(client.resourceQuotas().inAnyNamespace(),
                quota -> {
                    quotas.observe(quota);
                    quotaController.enqueue(ObjectStore.keyOf(quota));
                },
                quota -> quotas.remove(quota, true));
        inform(client.network().v1().ingresses().inAnyNamespace(),
                ingress -> {
                    ingresses.observe(ingress);
                    ingressController.enqueue(ObjectStore.keyOf(ingress));
                },
                ingress -> ingresses.remove(ingress, true));
        inform(client.resources(HTTPRoute.class).inAnyNamespace(),
                route -> {
                    routes.observe(route);
                    gatewayController.routeChanged();
                },
                route -> {
                    routes.remove(route, true);
                    gatewayController.routeChanged();
                });
        inform(client.resources(Gateway.class).inAnyNamespace(),
                gateway -> {
                    gateways.observe(gateway);
                    gatewayController.changed();
                },
                gateway -> {
                    gateways.remove(gateway, true);
                    gatewayController.changed();
                });
        inform(client.endpoints().inAnyNamespace(),
                object -> {
                    endpoints.observe(object);
                    endpointsController.enqueue(ObjectStore.keyOf(object));
                },
                object -> {
                    endpoints.remove(object, true);
                    endpointsController.enqueue(ObjectStore.keyOf(object));
                });
        if (endpointSlices) {
            inform(client.discovery().v1().endpointSlices().inAnyNamespace()
                            .withLabel(EndpointsController.SLICE_MANAGED_BY_LABEL, EndpointsController.SLICE_MANAGER),
                    slice -> {
                        slices.observe(slice);
                        endpointsController.sliceChanged(slice);
                    },
                    slice -> {
                        slices.remove(slice, true);
                        endpointsController.sliceChanged(slice);
                    });
        }
        CompletableFuture<?>[] started = informers.stream()
                .map(informer -> informer.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(started).get(INFORMER_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the simulated controllers", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("The simulated controllers' informers did not start within "
                    + INFORMER_START_TIMEOUT, e);
        }
    }

    /**
     * Creates the CustomResourceDefinitions of the Gateway API and of Argo Rollouts, as a cluster with both installed
     * has them, so that generic clients and discovery know the kinds.
     */
    private void registerCustomResources() {
        List<CustomResourceDefinition> definitions = new ArrayList<>(GatewayApi.definitions());
        definitions.addAll(ArgoRolloutsApi.definitions());
        for (CustomResourceDefinition crd : definitions) {
            try {
                client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }

    /**
     * The garbage collector's part: deletes, in the background, the ReplicaSets and pods a deleted object
     * controlled. Runs on the loop, so it counts as pending work and is retried when a delete fails.
     */
    private void collectDependents(HasMetadata owner) {
        String namespace = owner.getMetadata().getNamespace();
        String uid = owner.getMetadata().getUid();
        loop.reconcile("garbage collection " + uid, () -> {
            for (ReplicaSet rs : replicaSets.inNamespace(namespace)) {
                if (Models.isControlledBy(rs, uid) && rs.getMetadata().getDeletionTimestamp() == null) {
                    delete(() -> client.apps().replicaSets().inNamespace(namespace).withName(rs.getMetadata().getName()).delete());
                }
            }
            for (Pod pod : pods.inNamespace(namespace)) {
                if (Models.isControlledBy(pod, uid) && pod.getMetadata().getDeletionTimestamp() == null) {
                    delete(() -> client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete());
                }
            }
        });
    }

    /**
     * The garbage collector's other part: a ReplicaSet whose controlling Deployment no longer exists (it was
     * created by a write in flight while its Deployment was deleted, so the collection of the Deployment's
     * dependents did not see it) is deleted too, as the real garbage collector deletes dependents whose owner
     * is absent. The owner is looked up on the server, by name and uid, before anything is deleted.
     */
    private void collectIfOwnerGone(ReplicaSet rs) {
        Models.controllerOf(rs).filter(owner -> "Deployment".equals(owner.getKind())).ifPresent(owner -> {
            String namespace = rs.getMetadata().getNamespace();
            Deployment known = deployments.get(ObjectStore.key(namespace, owner.getName()));
            if (known != null && owner.getUid().equals(known.getMetadata().getUid())) {
                return;
            }
            loop.reconcile("garbage collection of orphan " + ObjectStore.keyOf(rs), () -> {
                Deployment onServer = client.apps().deployments().inNamespace(namespace).withName(owner.getName()).get();
                if (onServer == null || !owner.getUid().equals(onServer.getMetadata().getUid())) {
                    ReplicaSet current = replicaSets.get(ObjectStore.keyOf(rs));
                    if (current != null && current.getMetadata().getDeletionTimestamp() == null) {
                        delete(() -> client.apps().replicaSets().inNamespace(namespace)
                                .withName(rs.getMetadata().getName()).delete());
                    }
                }
            });
        });
    }

    private static void delete(Runnable deletion) {
        try {
            deletion.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private <T extends HasMetadata> void inform(Informable<T> resources, Consumer<T> upserted, Consumer<T> deleted) {
        SharedIndexInformer<T> informer = resources.runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                loop.run(() -> upserted.accept(object));
            }

            @Override
            public void onUpdate(T before, T after) {
                loop.run(() -> upserted.accept(after));
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                loop.run(() -> deleted.accept(object));
            }
        });
        informers.add(informer);
    }

    /**
     * Blocks until the controllers have nothing left to do: no queued or running work, no pod start-up,
     * probe or termination due, and the server's objects as the controllers would leave them (every
     * Deployment's ReplicaSets and status, every ReplicaSet's pods and status, every selector Service's
     * Endpoints and EndpointSlices). Checking the server, not only the loop, covers changes whose events are
     * still on their way to the informers.
     *
     * @param timeout how long to wait at most, in real time
     * @throws AssertionError if the cluster does not settle in time, naming what is still pending
     */
    public void awaitSettled(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (!loop.awaitIdle(deadline)) {
                    throw new AssertionError("The simulated cluster did not settle within " + timeout + ": its controllers "
                            + "still have " + loop.pending() + " pending tasks");
                }
                long progress = loop.progress();
                Optional<String> unsettled = unsettled();
                if (unsettled.isEmpty()) {
                    if (loop.progress() == progress) {
                        return;
                    }
                } else if (!loop.awaitProgress(progress, deadline)) {
                    throw new AssertionError("The simulated cluster did not settle within " + timeout + ": "
                            + unsettled.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the simulated cluster to settle", e);
        }
    }

    private Optional<String> unsettled() {
        Instant now = clock.instant();
        Map<String, List<Pod>> podsByNamespace = client.pods().inAnyNamespace().list().getItems().stream()
                .collect(Collectors.groupingBy(pod -> pod.getMetadata().getNamespace()));
        List<Pod> allPods = podsByNamespace.values().stream().flatMap(List::stream).toList();
        List<ReplicaSet> allReplicaSets = client.apps().replicaSets().inAnyNamespace().list().getItems();
        List<Deployment> allDeployments = client.apps().deployments().inAnyNamespace().list().getItems();
        Set<String> uids = new java.util.HashSet<>();
        allReplicaSets.forEach(rs -> uids.add(rs.getMetadata().getUid()));
        allDeployments.forEach(d -> uids.add(d.getMetadata().getUid()));
        List<GenericKubernetesResource> allRollouts = client.genericKubernetesResources(ArgoRolloutsApi.API_VERSION,
                "Rollout").inAnyNamespace().list().getItems();
        allRollouts.forEach(r -> uids.add(r.getMetadata().getUid()));
        for (Pod pod : allPods) {
            boolean onNode = pod.getSpec() != null && Kubelet.NODE_NAME.equals(pod.getSpec().getNodeName());
            if (onNode && !Kubelet.admitted(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
                return Optional.of("Pod " + ObjectStore.keyOf(pod) + " has not been started by the kubelet yet");
            }
            Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
            if (onNode && pod.getMetadata().getDeletionTimestamp() != null && grace != null && grace > 0) {
                return Optional.of("Pod " + ObjectStore.keyOf(pod) + " is terminating");
            }
            Optional<String> orphan = orphan(pod, uids, "ReplicaSet");
            if (orphan.isPresent()) {
                return orphan;
            }
        }
        Map<String, List<ReplicaSet>> replicaSetsByNamespace = allReplicaSets.stream()
                .collect(Collectors.groupingBy(rs -> rs.getMetadata().getNamespace()));
        for (ReplicaSet rs : allReplicaSets) {
            Optional<String> orphan = orphan(rs, uids, "Deployment");
            if (orphan.isPresent()) {
                return orphan;
            }
            if (rs.getSpec() != null && rs.getSpec().getTemplate() != null && rs.getMetadata().getDeletionTimestamp() == null) {
                Optional<String> unsettled = ReplicaSetController.unsettled(rs,
                        podsByNamespace.getOrDefault(rs.getMetadata().getNamespace(), List.of()), now);
                if (unsettled.isPresent()) {
                    return unsettled;
                }
            }
        }
        for (Deployment deployment : allDeployments) {
            if (DeploymentController.isManageable(deployment)) {
                Optional<String> unsettled = DeploymentController.unsettled(deployment,
                        replicaSetsByNamespace.getOrDefault(deployment.getMetadata().getNamespace(), List.of()));
                if (unsettled.isPresent()) {
                    return unsettled;
                }
            }
        }
        for (GenericKubernetesResource rollout : allRollouts) {
            Optional<String> unsettled = RolloutController.unsettled(rollout);
            if (unsettled.isPresent()) {
                return unsettled;
            }
        }
        for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
            Optional<String> unsettled = JobController.unsettled(job,
                    podsByNamespace.getOrDefault(job.getMetadata().getNamespace(), List.of()));
            if (unsettled.isPresent()) {
                return unsettled;
            }
        }
        for (ResourceQuota quota : client.resourceQuotas().inAnyNamespace().list().getItems()) {
            Optional<String> unsettled = ResourceQuotaController.unsettled(quota,
                    podsByNamespace.getOrDefault(quota.getMetadata().getNamespace(), List.of()), now);
            if (unsettled.isPresent()) {
                return unsettled;
            }
        }
        for (Ingress ingress : client.network().v1().ingresses().inAnyNamespace().list().getItems()) {
            Optional<String> unsettled = IngressController.unsettled(ingress);
            if (unsettled.isPresent()) {
                return unsettled;
            }
        }
        Optional<String> gatewayApi = GatewayController.unsettled(
                client.resources(HTTPRoute.class).inAnyNamespace().list().getItems(),
                client.resources(Gateway.class).inAnyNamespace().list().getItems(),
                client.services().inAnyNamespace().list().getItems());
        if (gatewayApi.isPresent()) {
            return gatewayApi;
        }
        return unsettledEndpoints(podsByNamespace);
    }

    private static Optional<String> orphan(HasMetadata object, Set<String> uids, String ownerKind) {
        return Models.controllerOf(object)
                .filter(owner -> ownerKind.equals(owner.getKind()) && !uids.contains(owner.getUid()))
                .filter(owner -> object.getMetadata().getDeletionTimestamp() == null)
                .map(owner -> object.getKind() + " " + ObjectStore.keyOf(object) + " outlives its " + ownerKind + " "
                        + owner.getName());
    }

    private Optional<String> unsettledEndpoints(Map<String, List<Pod>> podsByNamespace) {
        Map<String, Endpoints> endpointsByKey = byKey(client.endpoints().inAnyNamespace().list().getItems());
        List<EndpointSlice> allSlices = endpointSlices
                ? client.discovery().v1().endpointSlices().inAnyNamespace()
                        .withLabel(EndpointsController.SLICE_MANAGED_BY_LABEL, EndpointsController.SLICE_MANAGER)
                        .list().getItems()
                : List.of();
        Map<String, Service> servicesByKey = byKey(client.services().inAnyNamespace().list().getItems());
        Optional<String> orphan = orphanedEndpoints(servicesByKey, endpointsByKey.values(), allSlices);
        if (orphan.isPresent()) {
            return orphan;
        }
        Map<String, List<EndpointSlice>> slicesByNamespace = allSlices.stream()
                .collect(Collectors.groupingBy(slice -> slice.getMetadata().getNamespace()));
        for (Service service : servicesByKey.values()) {
            if (EndpointsController.hasSelector(service)) {
                String namespace = service.getMetadata().getNamespace();
                Optional<String> unsettled = EndpointsController.unsettled(service,
                        podsByNamespace.getOrDefault(namespace, List.of()),
                        endpointsByKey.get(ObjectStore.keyOf(service)),
                        slicesByNamespace.getOrDefault(namespace, List.of()), endpointSlices);
                if (unsettled.isPresent()) {
                    return unsettled;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> orphanedEndpoints(Map<String, Service> services,
            Collection<Endpoints> endpoints, Collection<EndpointSlice> slices) {
        Optional<String> orphanedEndpoints = endpoints.stream()
                .filter(e -> EndpointsController.ENDPOINTS_MANAGER.equals(
                        Models.labels(e).get(EndpointsController.ENDPOINTS_MANAGED_BY_LABEL)))
                .filter(e -> !services.containsKey(ObjectStore.keyOf(e)))
                .findFirst()
                .map(e -> "Endpoints " + ObjectStore.keyOf(e) + " outlive their Service");
        if (orphanedEndpoints.isPresent()) {
            return orphanedEndpoints;
        }
        return slices.stream()
                .filter(slice -> !services.containsKey(ObjectStore.key(slice.getMetadata().getNamespace(),
                        Models.labels(slice).get(EndpointsController.SERVICE_NAME_LABEL))))
                .findFirst()
                .map(slice -> "EndpointSlice " + ObjectStore.keyOf(slice) + " outlives its Service");
    }

    private static <T extends HasMetadata> Map<String, T> byKey(List<T> objects) {
        return objects.stream().collect(Collectors.toMap(ObjectStore::keyOf, Function.identity()));
    }

    /**
     * Makes {@code listener} learn whether each pod's serving container runs and whether the pod is ready,
     * right before the kubelet reports each change (see {@link PodRuntime}); the pods running now are reported
     * first. For the data plane, which serves HTTP for the pods that run.
     *
     * @param listener called on the controllers' thread; it must not block
     * @return completes once the listener is in place and has heard of every pod that runs now
     */
    public CompletableFuture<Void> watchPodRuntime(Consumer<PodRuntime> listener) {
        CompletableFuture<Void> registered = new CompletableFuture<>();
        loop.run(() -> {
            try {
                kubelet.watchRuntime(listener);
                registered.complete(null);
            } catch (RuntimeException e) {
                registered.completeExceptionally(e);
            }
        });
        return registered;
    }

    /**
     * Stops the informers, then the controller thread. Idempotent.
     */
    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        loop.close();
    }
}
