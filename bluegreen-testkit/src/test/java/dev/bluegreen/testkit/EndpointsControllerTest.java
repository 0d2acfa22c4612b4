package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
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
