package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedClusterExtension.class)
class EndpointsControllerTest {

    @Test
    void switchingTheServiceSelectorMovesEndpointsAndTheSliceToTheOtherColorsPods(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        BlueGreenApp shop = BlueGreenApp.named("shop").replicas(2).idleReplicas(2).create(cluster);
        cluster.awaitSettled(TIMEOUT);
        Set<String> greenIps = ips(client.pods().withLabel("version", "green").list().getItems());

        long start = System.nanoTime();
        client.services().withName(shop.serviceName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
        Endpoints endpoints = cluster.awaitEndpoints("default", shop.serviceName(),
                e -> readyIps(e).equals(greenIps), TIMEOUT);
        System.out.printf("Endpoints followed the selector switch after %d ms%n", (System.nanoTime() - start) / 1_000_000);

        EndpointSubset subset = endpoints.getSubsets().get(0);
        assertEquals(List.of(), subset.getNotReadyAddresses());
        for (EndpointAddress address : subset.getAddresses()) {
            assertEquals("Pod", address.getTargetRef().getKind());
            assertEquals("default", address.getTargetRef().getNamespace());
            assertTrue(address.getTargetRef().getName().startsWith("shop-green-"), address.getTargetRef().getName());
            assertEquals("sim-node-1", address.getNodeName());
        }
        assertEquals("http", subset.getPorts().get(0).getName());
        assertEquals(8080, subset.getPorts().get(0).getPort());
        assertEquals("TCP", subset.getPorts().get(0).getProtocol());

        cluster.awaitSettled(TIMEOUT);
        EndpointSlice slice = onlySliceOf(client, shop.serviceName());
        Service service = client.services().withName(shop.serviceName()).get();
        assertTrue(slice.getMetadata().getName().matches("shop-service-[a-z0-9]{5}"), slice.getMetadata().getName());
        assertEquals("endpointslice-controller.k8s.io",
                slice.getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by"));
        assertEquals(service.getMetadata().getUid(), slice.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("Service", slice.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals("IPv4", slice.getAddressType());
        assertEquals(greenIps, slice.getEndpoints().stream().map(e -> e.getAddresses().get(0)).collect(Collectors.toSet()));
        for (Endpoint endpoint : slice.getEndpoints()) {
            assertTrue(endpoint.getConditions().getReady());
            assertTrue(endpoint.getConditions().getServing());
            assertEquals(false, endpoint.getConditions().getTerminating());
            assertTrue(endpoint.getTargetRef().getName().startsWith("shop-green-"));
        }
        assertEquals(8080, slice.getPorts().get(0).getPort());
    }

    @Test
    @SimulatedClusterConfig(readinessDelayMillis = 500)
    void endpointsFollowPodReadinessFromNotReadyToReady(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();

        Endpoints starting = cluster.awaitEndpoints("default", "web", e -> notReadyIps(e).size() == 2, TIMEOUT);
        assertEquals(Set.of(), readyIps(starting));

        Endpoints ready = cluster.awaitEndpoints("default", "web", e -> readyIps(e).size() == 2, TIMEOUT);
        assertEquals(notReadyIps(starting), readyIps(ready));
        assertEquals(Set.of(), notReadyIps(ready));
    }

    @Test
    void podsThatNeverBecomeReadyAreListedAsNotReady(SimulatedCluster cluster) {
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:broken", 2)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);

        Endpoints endpoints = client.endpoints().withName("web").get();
        assertEquals(Set.of(), readyIps(endpoints));
        assertEquals(ips(podsOf(client, "web")), notReadyIps(endpoints));
        for (Endpoint endpoint : onlySliceOf(client, "web").getEndpoints()) {
            assertEquals(false, endpoint.getConditions().getReady());
            assertEquals(false, endpoint.getConditions().getServing());
        }
    }

    @Test
    @SimulatedClusterConfig(endpointSlices = false)
    void withEndpointSlicesOffOnlyEndpointsAreMaintained(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);

        assertEquals(ips(podsOf(client, "web")), readyIps(client.endpoints().withName("web").get()));
        assertEquals(List.of(), client.discovery().v1().endpointSlices().list().getItems());
    }

    @Test
    void deletingAServiceDeletesItsEndpointsAndSlice(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);
        assertEquals(1, client.discovery().v1().endpointSlices().list().getItems().size());

        client.services().withName("web").delete();
        cluster.awaitSettled(TIMEOUT);

        assertNull(client.endpoints().withName("web").get());
        assertEquals(List.of(), client.discovery().v1().endpointSlices().list().getItems());
    }

    @Test
    void aServiceWithoutSelectorKeepsTheEndpointsItsOwnerWrote(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.services().resource(new ServiceBuilder(service("external", Map.of()))
                .editSpec().withSelector(null).endSpec().build()).create();
        Endpoints manual = client.endpoints().resource(new EndpointsBuilder()
                .withNewMetadata().withName("external").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.0.2.10").endAddress().addNewPort().withPort(443).endPort().endSubset()
                .build()).create();
        cluster.awaitSettled(TIMEOUT);

        Endpoints after = client.endpoints().withName("external").get();
        assertEquals(manual.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
        assertEquals(List.of(), client.discovery().v1().endpointSlices().list().getItems());
    }

    @Test
    void aTerminatingPodKeptByAFinalizerLeavesTheCountsAndStaysInTheSliceAsServingAndTerminating(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment slowToStop = deployment("web", "web:v1", 2);
        slowToStop.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(3600L);
        client.apps().deployments().resource(slowToStop).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        Pod kept = podsOf(client, "web").get(0);
        String name = kept.getMetadata().getName();
        client.pods().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"finalizers\":[\"example.com/keep\"]}}");

        client.pods().withName(name).delete();

        // The replacement becomes ready; the terminating pod no longer counts but still serves while it drains.
        client.pods().withLabel("app", "web").informOnCondition(pods -> pods.size() == 3 && pods.stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).allMatch(p -> p.getStatus() != null
                        && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                                && "True".equals(c.getStatus())))).join();
        // Not awaitSettled: a pod that is terminating is work the cluster still has to do.
        Deployment web = cluster.awaitDeployment("default", "web", d -> Integer.valueOf(2).equals(d.getStatus().getReplicas())
                && Integer.valueOf(2).equals(d.getStatus().getAvailableReplicas())
                && Integer.valueOf(2).equals(d.getStatus().getReadyReplicas()), TIMEOUT);
        assertEquals(2, web.getStatus().getReplicas(), "the terminating pod is no replica any more");
        EndpointSlice slice = cluster.client().discovery().v1().endpointSlices()
                .withLabel("kubernetes.io/service-name", "web").informOnCondition(slices -> slices.size() == 1
                        && slices.get(0).getEndpoints().size() == 3 && endpointOf(slices.get(0), name) != null
                        && Boolean.TRUE.equals(endpointOf(slices.get(0), name).getConditions().getTerminating())
                        && slices.get(0).getEndpoints().stream().filter(e -> e.getConditions().getReady()).count() == 2)
                .join().get(0);
        Endpoint terminating = endpointOf(slice, name);
        assertEquals(false, terminating.getConditions().getReady());
        assertEquals(true, terminating.getConditions().getServing());
        assertEquals(true, terminating.getConditions().getTerminating());
        Endpoints endpoints = cluster.awaitEndpoints("default", "web", e -> readyIps(e).size() == 2, TIMEOUT);
        assertFalse(readyIps(endpoints).contains(kept.getStatus().getPodIP()), "Endpoints leave terminating pods out");
        assertFalse(notReadyIps(endpoints).contains(kept.getStatus().getPodIP()));

        // Killed at once: the containers stop, the kubelet deletes the pod, the finalizer keeps the object.
        client.pods().withName(name).withGracePeriod(0).delete();
        Pod finished = cluster.awaitPod("default", name, p -> "Succeeded".equals(p.getStatus().getPhase())
                && Long.valueOf(0).equals(p.getMetadata().getDeletionGracePeriodSeconds()), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);
        assertEquals(List.of("example.com/keep"), finished.getMetadata().getFinalizers());
        assertTrue(onlySliceOf(client, "web").getEndpoints().stream().noneMatch(e -> e.getTargetRef().getName().equals(name)),
                "a finished pod is no endpoint");

        client.pods().withName(name).patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
        assertNull(client.pods().withName(name).get(), "gone with its last finalizer");
    }

    @Test
    void publishNotReadyAddressesListsPodsThatAreNotReadyAsReady(SimulatedCluster cluster) {
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:broken", 2)).create();
        client.services().resource(new ServiceBuilder(service("web", Map.of("app", "web")))
                .editSpec().withPublishNotReadyAddresses(true).endSpec().build()).create();
        cluster.awaitSettled(TIMEOUT);

        Endpoints endpoints = client.endpoints().withName("web").get();
        assertEquals(ips(podsOf(client, "web")), readyIps(endpoints));
        assertEquals(Set.of(), notReadyIps(endpoints));
        for (Endpoint endpoint : onlySliceOf(client, "web").getEndpoints()) {
            assertEquals(true, endpoint.getConditions().getReady(), "ready, as the Service asks");
            assertEquals(false, endpoint.getConditions().getServing(), "but not serving: the pod is not ready");
        }
    }

    @Test
    void moreThanAHundredEndpointsAreSplitIntoSeveralSlices(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment many = deployment("web", "web:v1", 105);
        many.getSpec().getTemplate().getSpec().getContainers().get(0).setReadinessProbe(null);
        client.apps().deployments().resource(many).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);

        List<EndpointSlice> slices = client.discovery().v1().endpointSlices().withLabel("kubernetes.io/service-name", "web")
                .list().getItems();

        assertEquals(2, slices.size());
        assertEquals(List.of(5, 100), slices.stream().map(s -> s.getEndpoints().size()).sorted().toList());
        Set<String> listed = slices.stream().flatMap(s -> s.getEndpoints().stream()).map(e -> e.getAddresses().get(0))
                .collect(Collectors.toSet());
        assertEquals(ips(podsOf(client, "web")), listed, "every pod once");
        assertTrue(slices.stream().allMatch(s -> s.getMetadata().getName().matches("web-[a-z0-9]{5}")));
        assertEquals(105, readyIps(client.endpoints().withName("web").get()).size());
    }

    private static Endpoint endpointOf(EndpointSlice slice, String pod) {
        return slice.getEndpoints().stream().filter(e -> e.getTargetRef().getName().equals(pod)).findFirst().orElse(null);
    }

    private static EndpointSlice onlySliceOf(KubernetesClient client, String service) {
        List<EndpointSlice> slices = client.discovery().v1().endpointSlices()
                .withLabel("kubernetes.io/service-name", service).list().getItems();
        assertEquals(1, slices.size(), slices.toString());
        return slices.get(0);
    }

    private static Set<String> ips(List<Pod> pods) {
        return pods.stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
    }

    private static Set<String> readyIps(Endpoints endpoints) {
        return endpoints.getSubsets().stream().flatMap(s -> s.getAddresses().stream())
                .map(EndpointAddress::getIp).collect(Collectors.toSet());
    }

    private static Set<String> notReadyIps(Endpoints endpoints) {
        return endpoints.getSubsets().stream().flatMap(s -> s.getNotReadyAddresses().stream())
                .map(EndpointAddress::getIp).collect(Collectors.toSet());
    }
}
