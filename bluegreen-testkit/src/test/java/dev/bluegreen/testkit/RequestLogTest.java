package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedClusterExtension.class)
class RequestLogTest {

    private SimulatedCluster cluster;
    private KubernetesClient client;

    @BeforeEach
    void useCluster(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
    }

    @Test
    void recordsMethodPathAndBodyOfAMergePatch() {
        client.configMaps().resource(new ConfigMapBuilder()
                .withNewMetadata().withName("settings").endMetadata().addToData("color", "blue").build()).create();

        client.configMaps().withName("settings")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"color\":\"green\"}}");

        ClientRequest patch = cluster.requests().fromUsers().stream()
                .filter(r -> r.method().equals("PATCH")).findFirst().orElseThrow();
        assertEquals("/api/v1/namespaces/default/configmaps/settings", patch.path());
        assertEquals("{\"data\":{\"color\":\"green\"}}", patch.body());
        assertTrue(patch.userAgent().startsWith("fabric8-kubernetes-client/"), patch.userAgent());
        assertFalse(patch.fromController());
        assertEquals("green", client.configMaps().withName("settings").get().getData().get("color"),
                "recording the body does not take it away from the CRUD handler");
    }

    @Test
    void tellsTheClustersOwnRequestsApartFromTheUsers() {
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        List<ClientRequest> fromUsers = cluster.requests().fromUsers();
        assertEquals(List.of("POST /apis/apps/v1/namespaces/default/deployments"),
                fromUsers.stream().map(r -> r.method() + " " + r.path()).toList());
        List<ClientRequest> controllers = cluster.requests().all().stream().filter(ClientRequest::fromController).toList();
        assertTrue(controllers.stream().anyMatch(r -> r.method().equals("POST") && r.path().endsWith("/pods")));
        assertTrue(controllers.stream().anyMatch(ClientRequest::isWatch));
        assertTrue(controllers.stream().allMatch(r -> r.userAgent().equals(SimulatedCluster.CONTROLLER_USER_AGENT)));
    }

    @Test
    void aMarkLimitsTheLogToLaterRequests() {
        client.configMaps().list();
        RequestLog.Mark mark = cluster.requests().mark();
        client.pods().list();

        assertEquals(List.of("/api/v1/namespaces/default/pods"),
                cluster.requests().fromUsersSince(mark).stream().map(ClientRequest::path).toList());
        assertEquals(2, cluster.requests().count(r -> !r.fromController() && r.method().equals("GET")));

        cluster.requests().clear();
        client.services().list();
        assertEquals(List.of("/api/v1/namespaces/default/services"),
                cluster.requests().fromUsersSince(mark).stream().map(ClientRequest::path).toList());
        assertEquals(1, cluster.requests().fromUsers().size());
    }
}
