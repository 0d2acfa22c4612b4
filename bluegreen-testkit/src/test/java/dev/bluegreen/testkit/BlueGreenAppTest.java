package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
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
    void theNamesUsersReallyHaveCanAllBeExpressed(SimulatedCluster cluster) {
        Container envoy = new ContainerBuilder().withName("envoy").withImage("envoy:1.30").build();
        Probe tcp = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(9090)).endTcpSocket()
                .withPeriodSeconds(2).build();
        ResourceRequirements resources = new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("100m")).addToLimits("memory", new Quantity("128Mi")).build();

        BlueGreenApp api = BlueGreenApp.named("api").serviceName("api-live").deploymentNamePattern("{color}-{app}-v1")
                .colors("east", "west").colorLabel("example.com/slot").containerName("server").containerPort(9090)
                .sidecar(envoy).readinessProbe(tcp).livenessProbe(null).resources(resources).replicas(2)
                .create(cluster);

        KubernetesClient client = cluster.client();
        assertEquals("api-live", api.serviceName());
        assertEquals("east-api-v1", api.deploymentName("east"));
        assertEquals("west-api-v1", api.deploymentName("west"));
        assertEquals("east", api.liveColor());
        assertEquals("west", api.idleColor());
        assertEquals("server", api.containerName());
        assertEquals("example.com/slot", api.colorLabel());
        Deployment east = client.apps().deployments().withName("east-api-v1").get();
        assertEquals(Map.of("app", "api", "example.com/slot", "east"), east.getSpec().getSelector().getMatchLabels());
        List<Container> containers = east.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(List.of("server", "envoy"), containers.stream().map(Container::getName).toList());
        assertEquals(9090, containers.get(0).getReadinessProbe().getTcpSocket().getPort().getIntVal());
        assertNull(containers.get(0).getLivenessProbe());
        assertEquals(new Quantity("100m"), containers.get(0).getResources().getRequests().get("cpu"));
        assertEquals(Map.of("app", "api", "example.com/slot", "east"),
                client.services().withName("api-live").get().getSpec().getSelector());
        assertEquals("Burstable", client.pods().withLabel("example.com/slot", "east").list().getItems().get(0)
                .getStatus().getQosClass(), "requests without equal limits");
        assertEquals(2, client.endpoints().withName("api-live").get().getSubsets().get(0).getAddresses().size());
        assertEquals("color must be \"east\" or \"west\", but was \"blue\"",
                assertThrows(IllegalArgumentException.class, () -> api.deploymentName("blue")).getMessage());
    }

    @Test
    void rejectsInvalidSettingsNamingTheValue(SimulatedCluster cluster) {
        assertEquals("live must be \"blue\" or \"green\", but was \"red\"",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").live("red").create(cluster))
                        .getMessage());
        assertEquals("replicas must be zero or more, but was -1",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").replicas(-1)).getMessage());
        assertEquals("app must be a DNS-1123 label (lower-case letters, digits and '-'), but was \"Shop\"",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("Shop")).getMessage());
        assertEquals("containerPort must be between 1 and 65535, but was 0",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").containerPort(0)).getMessage());
        assertEquals("the two colors must differ, but both were \"east\"",
                assertThrows(IllegalArgumentException.class, () -> BlueGreenApp.named("shop").colors("east", "east")).getMessage());
        assertEquals("deploymentNamePattern must contain {color}, so that the colors get different Deployments, but was "
                + "\"{app}\"", assertThrows(IllegalArgumentException.class,
                () -> BlueGreenApp.named("shop").deploymentNamePattern("{app}")).getMessage());
        assertEquals("serviceName must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at "
                + "most 63), but was \"1shop\"", assertThrows(IllegalArgumentException.class,
                () -> BlueGreenApp.named("shop").serviceName("1shop")).getMessage());
        assertEquals(List.of(), cluster.client().apps().deployments().list().getItems(), "nothing was created");
    }
}
