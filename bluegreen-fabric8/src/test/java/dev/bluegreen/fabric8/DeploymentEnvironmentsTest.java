package dev.bluegreen.fabric8;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.ConflictException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
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

    private static Deadline seconds(int n) {
        return Deadline.after(Duration.ofSeconds(n));
    }

    private EnvironmentState read(Color color) {
        return environments.read(color, seconds(5));
    }

    private Candidate deploy(Color color, String image, int replicas) {
        return environments.deploy(read(color), image, replicas, seconds(5));
    }

    private Deployment green() {
        return client.apps().deployments().inNamespace(ns).withName("myapp-green").get();
    }

    @Test
    void deploysANewImageAndReplicaCountThenWaitsForTheRolloutLikeKubectlRolloutStatus() {
        Candidate candidate = deploy(Color.GREEN, "myapp:v2", 3);
        EnvironmentState ready = environments.awaitReady(candidate, seconds(5));

        Deployment green = green();
        assertEquals("myapp:v2", green.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(3, green.getStatus().getAvailableReplicas());
        assertEquals(green.getMetadata().getGeneration(), green.getStatus().getObservedGeneration());
        assertTrue(ready.serves("myapp:v2"), ready.toString());
        assertEquals(3, ready.desired());
        assertEquals(Color.GREEN, candidate.color());
        assertEquals("Deployment " + ns + "/myapp-green", candidate.object());
        assertEquals("pods labelled {app=myapp, version=green} in namespace " + ns, candidate.reachAt());
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

        named.deploy(named.read(Color.GREEN, seconds(5)), "myapp:v2", 1, seconds(5));

        assertEquals(List.of("myapp:v2", "envoy:1.30"), green().getSpec().getTemplate().getSpec().getContainers().stream()
                .map(c -> c.getImage()).toList());
    }

    @Test
    void aDeployThatLosesARaceToAMetadataEditIsReDecidedFromAFreshReadAndKeepsTheirChange() {
        EnvironmentState decided = read(Color.GREEN);
        KubernetesClient someoneElse = cluster.newClient();
        cluster.beforeNextRequest(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/deployments/myapp-green"),
                () -> someoneElse.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
                    d.getMetadata().getAnnotations().put("team", "payments");
                    return d;
                }));

        environments.deploy(decided, "myapp:v2", 2, seconds(5));

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
    void aDeployOverAColorSomeoneElseScaledMeanwhileIsRefusedAndTheirReplicasStay() {
        EnvironmentState decided = read(Color.GREEN);
        client.apps().deployments().inNamespace(ns).withName("myapp-green").scale(5);
        cluster.requests().clear();

        ConflictException error = assertThrows(ConflictException.class,
                () -> environments.deploy(decided, "myapp:v2", 3, seconds(5)));

        assertTrue(error.getMessage().startsWith("Deployment " + ns + "/myapp-green was changed by someone else since it "
                + "was read (generation "), error.getMessage());
        assertEquals(5, green().getSpec().getReplicas(), "their scale survives");
        assertEquals("myapp:v1", green().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(1, cluster.requests().fromUsers().stream().filter(r -> r.method().equals("PATCH")).count(),
                "one conditioned write, refused by the server; after re-reading, no second one");
    }

    @Test
    void waitingForAColorThatCrashLoopsEndsWithEveryPodAndItsReason() {
        cluster.markImage("myapp:crash", PodBehavior.CRASH_LOOP);
        Candidate candidate = deploy(Color.GREEN, "myapp:crash", 2);
        cluster.awaitSettled(Duration.ofSeconds(10));

        NotReadyException error = assertThrows(NotReadyException.class,
                () -> environments.awaitReady(candidate, Deadline.after(Duration.ofMillis(250))));

        assertEquals(2, error.unready().size());
        assertTrue(error.getMessage().contains("Waiting for deployment \"myapp-green\" rollout to finish: 0 of 2 updated "
                + "replicas are available..."), error.getMessage());
        for (String pod : error.unready()) {
            assertTrue(pod.matches("myapp-green-\\S+: Running; container myapp waiting: CrashLoopBackOff .*"), pod);
        }
    }

    @Test
    void aRolloutPastItsProgressDeadlineFailsWithoutWaitingForTheTimeout() {
        cluster.markImage("myapp:stuck", PodBehavior.NEVER_READY);
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            // The smallest deadline the API server accepts (it must exceed minReadySeconds, 0 here): 1 simulated second.
            d.getSpec().setProgressDeadlineSeconds(1);
            return d;
        });
        Candidate candidate = deploy(Color.GREEN, "myapp:stuck", 1);

        NotReadyException error = assertThrows(NotReadyException.class,
                () -> environments.awaitReady(candidate, seconds(30)));

        assertTrue(error.getMessage().startsWith("Deployment " + ns + "/myapp-green cannot become ready: deployment "
                + "\"myapp-green\" exceeded its progress deadline"), error.getMessage());
    }

    @Test
    void retiresAColorByScalingItToZeroAndKeepsItsDefinition() {
        environments.retire(read(Color.BLUE), seconds(5));
        cluster.awaitSettled(Duration.ofSeconds(5));

        Deployment blue = client.apps().deployments().inNamespace(ns).withName("myapp-blue").get();
        assertEquals(0, blue.getSpec().getReplicas());
        assertEquals("myapp:v1", blue.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(0, client.pods().inNamespace(ns).withLabel("version", "blue").list().getItems().size());

        EnvironmentState zero = read(Color.BLUE);
        cluster.requests().clear();
        environments.retire(zero, seconds(5));
        assertEquals(0, cluster.requests().fromUsers().size(), "retiring a color already at zero sends nothing");

        EnvironmentState restored = environments.restore(zero, 3, seconds(5));
        assertEquals(3, restored.desired());
        assertEquals(3, client.apps().deployments().inNamespace(ns).withName("myapp-blue").get().getSpec().getReplicas());
    }

    @Test
    void preflightNamesAMissingDeploymentOnceAndAnAmbiguousContainer() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").delete();
        assertEquals(List.of("Deployment " + ns + "/myapp-green does not exist; expected the green color's Deployment"),
                environments.checkDeployable(read(Color.GREEN), read(Color.BLUE)));

        client.apps().deployments().inNamespace(ns).withName("myapp-blue").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().add(new ContainerBuilder().withName("sidecar")
                    .withImage("envoy:1.30").build());
            return d;
        });
        assertEquals(List.of("Deployment " + ns + "/myapp-blue has 2 containers [myapp, sidecar]; set "
                + "BlueGreenConventions.containerName to the one a release updates"),
                environments.checkDeployable(read(Color.BLUE), read(Color.BLUE)));
    }

    @Test
    void writingToAMissingDeploymentNamesIt() {
        EnvironmentState decided = read(Color.GREEN);
        client.apps().deployments().inNamespace(ns).withName("myapp-green").delete();
        ClusterApiException error = assertThrows(ClusterApiException.class,
                () -> environments.restore(decided, 2, seconds(5)));
        assertEquals("Deployment " + ns + "/myapp-green does not exist; expected the green color's Deployment (it was "
                + "deleted since it was read); nothing was written", error.getMessage());
        assertEquals(404, error.statusCode());
    }

    @Test
    void rejectsBadDeployArgumentsBeforeAnyRequest() {
        EnvironmentState decided = read(Color.GREEN);
        cluster.requests().clear();
        assertEquals("replicas must be at least 1, but was 0",
                assertThrows(ConfigurationException.class, () -> environments.deploy(decided, "myapp:v2", 0, seconds(5)))
                        .getMessage());
        assertEquals("version must not be blank, but was ''",
                assertThrows(ConfigurationException.class, () -> environments.deploy(decided, "", 1, seconds(5))).getMessage());
        assertEquals(0, cluster.requests().fromUsers().size());
    }

    @Test
    void checksImageReferencesTheWayContainerRuntimesParseThem() {
        assertEquals(List.of(), environments.checkVersion("registry.example.com:5000/shop/myapp:1.4.2"));
        assertEquals(List.of(), environments.checkVersion("myapp@sha256:" + "a".repeat(64)));
        assertEquals(List.of("'MyApp:v2' is not a container image reference; expected [registry[:port]/]name[:tag]"
                + "[@sha256:digest], e.g. registry.example.com/shop/myapp:1.4.2"), environments.checkVersion("MyApp:v2"));
        assertEquals(List.of("'myapp: v2' is not a container image reference (it contains a space); expected "
                + "[registry[:port]/]name[:tag][@sha256:digest], e.g. registry.example.com/shop/myapp:1.4.2"),
                environments.checkVersion("myapp: v2"));
    }
}
