package dev.bluegreen.fabric8;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ColorEnvironments;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.PreflightException;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SimulatedClusterExtension.class)
class DeploymentEnvironmentsTest {
    private SimulatedCluster cluster;
    private KubernetesClient client;
    private String ns;
    private ColorEnvironments environments;

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        ns = cluster.namespace();
        BlueGreenApp.named("myapp").replicas(3).create(cluster);
        environments = KubernetesBlueGreen.deployments(client, BlueGreenConventions.forApp("myapp").namespace(ns).build());
    }

    private Deployment green() {
        return client.apps().deployments().inNamespace(ns).withName("myapp-green").get();
    }

    @Test
    void deploysANewImageAndReplicaCountThenWaitsForTheRolloutLikeKubectlRolloutStatus() {
        environments.deploy(Color.GREEN, "myapp:v2", 3);
        environments.awaitReady(Color.GREEN, Duration.ofSeconds(5));

        Deployment green = green();
        assertEquals("myapp:v2", green.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(3, green.getStatus().getAvailableReplicas());
        assertEquals(green.getMetadata().getGeneration(), green.getStatus().getObservedGeneration());
        assertEquals(3, environments.replicas(Color.GREEN));
    }

    @Test
    void aDeployKeepsEveryOtherContainerAsItWas() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().add(new ContainerBuilder().withName("sidecar")
                    .withImage("envoy:1.30").build());
            return d;
        });
        ColorEnvironments named = KubernetesBlueGreen.deployments(client,
                BlueGreenConventions.forApp("myapp").namespace(ns).containerName("myapp").build());

        named.deploy(Color.GREEN, "myapp:v2", 1);

        assertEquals(List.of("myapp:v2", "envoy:1.30"), green().getSpec().getTemplate().getSpec().getContainers().stream()
                .map(c -> c.getImage()).toList());
    }

    @Test
    void aDeployThatLosesARaceToAnotherWriterIsRetriedFromAFreshReadAndKeepsTheirChange() {
        KubernetesClient someoneElse = cluster.newClient();
        cluster.beforeNextRequest(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/deployments/myapp-green"),
                () -> someoneElse.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
                    d.getMetadata().getAnnotations().put("team", "payments");
                    return d;
                }));

        environments.deploy(Color.GREEN, "myapp:v2", 2);

        Deployment green = green();
        assertEquals("payments", green.getMetadata().getAnnotations().get("team"));
        assertEquals("myapp:v2", green.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(2, green.getSpec().getReplicas());
        long patches = cluster.requests().fromUsers().stream()
                .filter(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/deployments/myapp-green")).count();
        // the first patch lost the compare-and-swap to their edit; later ones may lose to the controller's status writes
        assertTrue(patches >= 2, patches + " patches");
    }

    @Test
    void waitingForAColorThatCrashLoopsEndsWithEveryPodAndItsReason() {
        cluster.markImage("myapp:crash", PodBehavior.CRASH_LOOP);
        environments.deploy(Color.GREEN, "myapp:crash", 2);
        cluster.awaitSettled(Duration.ofSeconds(10));

        NotReadyException error = assertThrows(NotReadyException.class,
                () -> environments.awaitReady(Color.GREEN, Duration.ofMillis(250)));

        assertEquals(2, error.unready().size());
        assertTrue(error.getMessage().contains("0 of 2 updated replicas of deployment myapp-green are available"),
                error.getMessage());
        for (String pod : error.unready()) {
            assertTrue(pod.matches("myapp-green-\\S+: Running; container myapp waiting: CrashLoopBackOff .*"), pod);
        }
    }

    @Test
    void aRolloutPastItsProgressDeadlineFailsWithoutWaitingForTheTimeout() {
        cluster.markImage("myapp:stuck", PodBehavior.NEVER_READY);
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            d.getSpec().setProgressDeadlineSeconds(0);
            return d;
        });
        environments.deploy(Color.GREEN, "myapp:stuck", 1);

        NotReadyException error = assertThrows(NotReadyException.class,
                () -> environments.awaitReady(Color.GREEN, Duration.ofSeconds(30)));

        assertTrue(error.getMessage().startsWith("Deployment " + ns + "/myapp-green cannot become ready: deployment "
                + "myapp-green exceeded its progress deadline"), error.getMessage());
    }

    @Test
    void scalesAColorDownToZeroAndKeepsItsDefinition() {
        environments.scaleDown(Color.BLUE);
        cluster.awaitSettled(Duration.ofSeconds(5));

        Deployment blue = client.apps().deployments().inNamespace(ns).withName("myapp-blue").get();
        assertEquals(0, blue.getSpec().getReplicas());
        assertEquals("myapp:v1", blue.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(0, client.pods().inNamespace(ns).withLabel("version", "blue").list().getItems().size());

        cluster.requests().clear();
        environments.scaleDown(Color.BLUE);
        assertEquals(0, cluster.requests().fromUsers().stream().filter(r -> !r.method().equals("GET")).count(),
                "scaling down a color already at zero writes nothing");
    }

    @Test
    void preflightNamesAMissingDeploymentAndAnAmbiguousContainer() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").delete();
        assertEquals(List.of("Deployment " + ns + "/myapp-green does not exist; expected the green color's Deployment"),
                assertThrows(PreflightException.class, () -> environments.checkDeployable(Color.GREEN)).problems());

        client.apps().deployments().inNamespace(ns).withName("myapp-blue").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().add(new ContainerBuilder().withName("sidecar")
                    .withImage("envoy:1.30").build());
            return d;
        });
        assertEquals(List.of("Deployment " + ns + "/myapp-blue has 2 containers [myapp, sidecar]; set "
                + "BlueGreenConventions.containerName to the one a release updates"),
                assertThrows(PreflightException.class, () -> environments.checkDeployable(Color.BLUE)).problems());
    }

    @Test
    void writingToAMissingDeploymentNamesIt() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").delete();
        ClusterApiException error = assertThrows(ClusterApiException.class, () -> environments.scaleDown(Color.GREEN));
        assertEquals("Deployment " + ns + "/myapp-green does not exist; expected the green color's Deployment", error.getMessage());
        assertEquals(404, error.statusCode());
    }

    @Test
    void rejectsBadDeployArgumentsBeforeAnyRequest() {
        cluster.requests().clear();
        assertEquals("replicas must be at least 1, but was 0",
                assertThrows(ConfigurationException.class, () -> environments.deploy(Color.GREEN, "myapp:v2", 0)).getMessage());
        assertEquals("version must not be blank, but was ''",
                assertThrows(ConfigurationException.class, () -> environments.deploy(Color.GREEN, "", 1)).getMessage());
        assertEquals(0, cluster.requests().fromUsers().size());
    }
}
