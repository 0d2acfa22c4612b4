package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedClusterExtension.class)
class BlueGreenAppTest {

    @Test
    void createsTheGuidesDeploymentsAndServiceWithTrafficOnTheReadyBluePods(SimulatedCluster cluster) {
        BlueGreenApp shop = BlueGreenApp.named("shop").create(cluster);
        assertEquals(List.of(), cluster.requests().fromUsers(), "the fixture's requests are the cluster's own");

        KubernetesClient client = cluster.client();
        Deployment blue = client.apps().deployments().withName("shop-blue").get();
        Deployment green = client.apps().deployments().withName("shop-green").get();
        assertEquals(Map.of("app", "shop", "version", "blue"), blue.getMetadata().getLabels());
        assertEquals(Map.of("app", "shop", "version", "blue"), blue.getSpec().getSelector().getMatchLabels());
        assertEquals(Map.of("app", "shop", "version", "blue"), blue.getSpec().getTemplate().getMetadata().getLabels());
        assertEquals(3, blue.getSpec().getReplicas());
        assertEquals(0, green.getSpec().getReplicas());
        assertEquals(Map.of("app", "shop", "version", "green"), green.getSpec().getTemplate().getMetadata().getLabels());
        assertTrue(DeploymentConditions.rolloutComplete().test(blue));

        Container container = blue.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("shop", container.getName());
        assertEquals("shop:v1", container.getImage());
        assertEquals(8080, container.getPorts().get(0).getContainerPort());
        assertEquals("/ready", container.getReadinessProbe().getHttpGet().getPath());
        assertEquals(8080, container.getReadinessProbe().getHttpGet().getPort().getIntVal());
        assertEquals("/health", container.getLivenessProbe().getHttpGet().getPath());

        Service service = client.services().withName("shop-service").get();
        assertEquals(Map.of("app", "shop"), service.getMetadata().getLabels());
        assertEquals(Map.of("app", "shop", "version", "blue"), service.getSpec().getSelector());
        assertEquals("ClusterIP", service.getSpec().getType());
        ServicePort port = service.getSpec().getPorts().get(0);
        assertEquals(80, port.getPort());
        assertEquals(8080, port.getTargetPort().getIntVal());

        Set<String> bluePodIps = client.pods().withLabel("version", "blue").list().getItems().stream()
                .map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
        Set<String> routed = client.endpoints().withName("shop-service").get().getSubsets().stream()
                .flatMap(s -> s.getAddresses().stream()).map(EndpointAddress::getIp).collect(Collectors.toSet());
        assertEquals(3, bluePodIps.size());
        assertEquals(bluePodIps, routed);

        assertEquals("shop", shop.app());
        assertEquals("default", shop.namespace());
        assertEquals("shop-service", shop.serviceName());
        assertEquals("shop-green", shop.deploymentName("green"));
        assertEquals("blue", shop.liveColor());
        assertEquals("green", shop.idleColor());
    }

    @Test
    void liveColorIdleReplicasImageAndColorLabelAreConfigurable(SimulatedCluster cluster) {
        BlueGreenApp shop = BlueGreenApp.named("shop").namespace("store").image("shop:v7").replicas(2)
                .live("green").idleReplicas(1).colorLabel("color").containerPort(9090).create(cluster);

        KubernetesClient client = cluster.client();
        assertEquals("store", shop.namespace());
        assertEquals(Map.of("app", "shop", "color", "green"),
                client.services().inNamespace("store").withName("shop-service").get().getSpec().getSelector());
        assertEquals(2, client.apps().deployments().inNamespace("store").withName("shop-green").get().getSpec().getReplicas());
        List<Pod> bluePods = client.pods().inNamespace("store").withLabel("color", "blue").list().getItems();
        assertEquals(1, bluePods.size());
        assertEquals("shop:v7", bluePods.get(0).getSpec().getContainers().get(0).getImage());
        assertEquals(9090, client.endpoints().inNamespace("store").withName("shop-service").get()
                .getSubsets().get(0).getPorts().get(0).getPort());
    }

    @Test
    void rejectsInvalidSettingsNamingTheValue() {
        assertEquals("live must be \"blue\" or \"green\", but was \"red\"",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").live("red")).getMessage());
        assertEquals("replicas must be zero or more, but was -1",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").replicas(-1)).getMessage());
        assertEquals("app must be a DNS-1123 label (lower-case letters, digits and '-'), but was \"Shop\"",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("Shop")).getMessage());
        assertEquals("containerPort must be between 1 and 65535, but was 0",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").containerPort(0)).getMessage());
    }
}
