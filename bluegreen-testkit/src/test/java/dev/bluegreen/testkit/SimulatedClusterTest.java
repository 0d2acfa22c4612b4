package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {

    @Test
    void eachStartGivesAFreshClusterWithNothingLeftFromThePreviousOne() {
        // How long a start takes is measured by the benchmark (java -jar bluegreen-examples.jar benchmark).
        for (int run = 0; run < 3; run++) {
            try (SimulatedCluster cluster = SimulatedCluster.start()) {
                assertEquals(List.of(), cluster.client().configMaps().withLabel("left-by").list().getItems(),
                        "start " + (run + 1) + " sees nothing of the previous cluster");
                assertEquals(List.of(), cluster.client().pods().inAnyNamespace().list().getItems());
                cluster.client().configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("left-behind")
                        .addToLabels("left-by", "run-" + run).endMetadata().build()).create();
            }
        }
    }

    @Test
    void theMockServersPerRequestLoggingIsOffWithoutAnyConfiguration() {
        assumeFalse(Boolean.getBoolean("bluegreen.testkit.verbose"), "the user asked for the mock's logging");
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            cluster.client().pods().list();

            assertFalse(Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").isLoggable(Level.INFO));
            assertFalse(Logger.getLogger("io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher").isLoggable(Level.INFO));
            assertTrue(Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").isLoggable(Level.WARNING), "warnings still show");
        }
    }

    @Test
    void userClientsShareNamespaceAndUserAgentButNotTheirConnectionPool() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().namespace("shop").start()) {
            KubernetesClient other = cluster.newClient();

            assertTrue(cluster.masterUrl().matches("http://127\\.0\\.0\\.1:\\d+/"), cluster.masterUrl());
            assertNotSame(cluster.client(), other);
            assertEquals("shop", cluster.client().getNamespace());
            assertEquals("shop", other.getNamespace());
            cluster.client().pods().list();
            other.pods().list();
            List<ClientRequest> requests = cluster.requests().fromUsers();
            assertEquals(List.of("/api/v1/namespaces/shop/pods", "/api/v1/namespaces/shop/pods"),
                    requests.stream().map(ClientRequest::path).toList());
            assertEquals(requests.get(0).userAgent(), requests.get(1).userAgent());
        }
    }

    @Test
    void closeStopsTheServerAndCanBeRepeated() {
        SimulatedCluster cluster = SimulatedCluster.start();
        URI server = URI.create(cluster.masterUrl());

        cluster.close();
        cluster.close();

        assertTrue(cluster.isClosed());
        assertThrows(ConnectException.class, () -> new Socket(server.getHost(), server.getPort()).close());
    }

    @Test
    void awaitSettledReturnsOnlyOnceDeploymentsAndEndpointsReflectThePods() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().startDelay(Duration.ofMillis(200)).start()) {
            KubernetesClient client = cluster.client();
            client.apps().deployments().resource(deployment("web", "web:v1", 3)).create();
            client.services().resource(service("web", Map.of("app", "web"))).create();

            cluster.awaitSettled(TIMEOUT);

            assertTrue(DeploymentConditions.rolloutComplete().test(client.apps().deployments().withName("web").get()));
            assertEquals(3, client.endpoints().withName("web").get().getSubsets().get(0).getAddresses().size());
        }
    }

    @Test
    void awaitSettledNamesWhatIsStillPendingWhenItTimesOut() {
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            // Every status write of the controller fails, so the Deployment's status never catches up.
            cluster.server().expect().put().withPath("/apis/apps/v1/namespaces/default/deployments/web/status")
                    .andReturn(422, new StatusBuilder().withCode(422).withMessage("injected").build()).always();
            cluster.client().apps().deployments().resource(deployment("web", "web:v1", 1)).create();

            AssertionError error = assertThrows(AssertionError.class, () -> cluster.awaitSettled(Duration.ofMillis(500)));

            assertTrue(error.getMessage().startsWith("The simulated cluster did not settle within PT0.5S: "), error.getMessage());
        }
    }

    @Test
    void awaitDeploymentNamesAMissingDeploymentOnTimeout() {
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            AssertionError error = assertThrows(AssertionError.class, () -> cluster.awaitDeployment("default", "missing",
                    DeploymentConditions.rolloutComplete(), Duration.ofMillis(100)));

            assertEquals("Deployment default/missing did not reach the expected state within PT0.1S; last seen: "
                    + "it does not exist", error.getMessage());
        }
    }

    @Test
    void theBuilderRejectsInvalidSettingsNamingTheValue() {
        SimulatedCluster.Builder builder = SimulatedCluster.builder();

        assertEquals("namespace must be a DNS-1123 label (lower-case letters, digits and '-', at most 63), but was \"Shop\"",
                assertThrows(IllegalArgumentException.class, () -> builder.namespace("Shop")).getMessage());
        assertEquals("startDelay must be zero or positive, but was PT-1S",
                assertThrows(IllegalArgumentException.class, () -> builder.startDelay(Duration.ofSeconds(-1))).getMessage());
        assertEquals("timeScale must be positive, but was 0.0",
                assertThrows(IllegalArgumentException.class, () -> builder.timeScale(0)).getMessage());
        assertEquals("image must not be blank, but was \" \"",
                assertThrows(IllegalArgumentException.class, () -> builder.image(" ", PodBehavior.HEALTHY)).getMessage());
    }

    @Test
    void podsStartImmediatelyWithAZeroStartDelay() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().startDelay(Duration.ZERO).start()) {
            cluster.client().apps().deployments().resource(deployment("web", "web:v1", 2)).create();
            cluster.awaitSettled(TIMEOUT);

            long pendingWrites = cluster.requests().count(r -> r.fromController() && r.body().contains("\"Pending\""));
            assertEquals(0, pendingWrites, "no Pending status is written when pods start at once");
            assertTrue(DeploymentConditions.rolloutComplete().test(cluster.client().apps().deployments().withName("web").get()));
        }
    }
}
