package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ResourceQuotas count the namespace's pods, and the API server refuses pods past them, as a real one does. */
@ExtendWith(SimulatedClusterExtension.class)
class ResourceQuotaTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aPodPastTheQuotaIsForbiddenWithTheServersMessage(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.resourceQuotas().resource(quota(Map.of("pods", "5", "requests.cpu", "1", "limits.memory", "1Gi"))).create();
        client.pods().resource(pod("small", "600m", "512Mi")).create();

        KubernetesClientException big = assertThrows(KubernetesClientException.class,
                () -> client.pods().resource(pod("big", "600m", "256Mi")).create());
        KubernetesClientException bare = assertThrows(KubernetesClientException.class,
                () -> client.pods().resource(new PodBuilder().withNewMetadata().withName("bare").endMetadata()
                        .withNewSpec().addNewContainer().withName("app").withImage("app:v1").endContainer().endSpec()
                        .build()).create());

        assertEquals(403, big.getCode());
        assertEquals("Forbidden", big.getStatus().getReason());
        assertEquals("pods \"big\" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, "
                + "used: requests.cpu=600m, limited: requests.cpu=1", big.getStatus().getMessage());
        assertEquals(403, bare.getCode());
        assertEquals("pods \"bare\" is forbidden: failed quota: compute: must specify limits.memory for: app; "
                + "requests.cpu for: app", bare.getStatus().getMessage());
        ResourceQuota counted = client.resourceQuotas().withName("compute").waitUntilCondition(
                // The quota's first status (before the pod counted) has pods=0: wait for the one that counts it.
                q -> q.getStatus() != null && q.getStatus().getUsed() != null
                        && new Quantity("1").equals(q.getStatus().getUsed().get("pods")),
                TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        assertEquals(Map.of("pods", new Quantity("1"), "requests.cpu", new Quantity("600m"), "limits.memory",
                new Quantity("512Mi")), counted.getStatus().getUsed());
        assertEquals(Map.of("pods", new Quantity("5"), "requests.cpu", new Quantity("1"), "limits.memory",
                new Quantity("1Gi")), counted.getStatus().getHard());
    }

    @Test
    void aDeploymentWhosePodsExceedTheQuotaStopsShortAndSaysWhyInItsConditions(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.resourceQuotas().resource(quota(Map.of("requests.cpu", "1"))).create();
        Deployment web = deployment("web", "web:v1", 3);
        web.getSpec().getTemplate().getSpec().getContainers().get(0).setResources(new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("400m")).build());

        client.apps().deployments().resource(web).create();
        Deployment stuck = cluster.awaitDeployment("default", "web", d -> condition(d, "ReplicaFailure") != null
                && d.getStatus().getAvailableReplicas() != null && d.getStatus().getAvailableReplicas() == 2, TIMEOUT);

        DeploymentCondition failure = condition(stuck, "ReplicaFailure");
        assertEquals("True", failure.getStatus());
        assertEquals("FailedCreate", failure.getReason());
        assertTrue(failure.getMessage().matches("pods \"web-[a-z0-9]+-\" is forbidden: exceeded quota: compute, "
                + "requested: requests.cpu=400m, used: requests.cpu=800m, limited: requests.cpu=1"), failure.getMessage());
        assertEquals(2, stuck.getStatus().getReplicas());
        assertEquals("False", condition(stuck, "Available").getStatus());
        assertEquals(2, podsOf(client, "web").size());
        ReplicaSet rs = client.apps().replicaSets().withLabel("app", "web").list().getItems().get(0);
        assertEquals("FailedCreate", rs.getStatus().getConditions().get(0).getReason());
        Event event = client.v1().events().list().getItems().stream()
                .filter(e -> "FailedCreate".equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("ReplicaSet", event.getInvolvedObject().getKind());
        assertEquals("Error creating: " + failure.getMessage(), event.getMessage());
        cluster.awaitSettled(TIMEOUT);

        // Room in the quota again: the next attempt creates the third pod and the failure condition goes.
        client.resourceQuotas().withName("compute").edit(q -> {
            q.getSpec().setHard(Map.of("requests.cpu", new Quantity("2")));
            return q;
        });
        Deployment complete = cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        assertEquals(null, condition(complete, "ReplicaFailure"));
        assertEquals(3, complete.getStatus().getAvailableReplicas());
    }

    private static ResourceQuota quota(Map<String, String> hard) {
        ResourceQuotaBuilder builder = new ResourceQuotaBuilder().withNewMetadata().withName("compute").endMetadata()
                .withNewSpec().endSpec();
        hard.forEach((resource, value) -> builder.editSpec().addToHard(resource, new Quantity(value)).endSpec());
        return builder.build();
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(String name, String cpu, String memoryLimit) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:v1")
                .withResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity(cpu))
                        .addToLimits("memory", new Quantity(memoryLimit)).build())
                .endContainer().endSpec().build();
    }

    private static DeploymentCondition condition(Deployment deployment, String type) {
        return deployment.getStatus() == null ? null : deployment.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }
}
