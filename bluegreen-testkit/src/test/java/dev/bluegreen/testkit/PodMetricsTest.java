package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The resource metrics API (metrics.k8s.io/v1beta1) reports what each image's pods use, as kubectl top reads it. */
@ExtendWith(SimulatedClusterExtension.class)
class PodMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void podAndNodeMetricsReportTheUsageSetPerImageThroughClientTop(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("web:v1", PodBehavior.HEALTHY.withUsage(250, 128));
        cluster.markImage("worker:v1", PodBehavior.HEALTHY.withUsage(1500, 2048));
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        client.apps().deployments().resource(deployment("worker", "worker:v1", 1)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        cluster.awaitDeployment("default", "worker", DeploymentConditions.rolloutComplete(), TIMEOUT);

        PodMetricsList all = client.top().pods().metrics("default");
        PodMetricsList web = client.top().pods().withLabels(Map.of("app", "web")).metrics("default");
        String name = podsOf(client, "worker").get(0).getMetadata().getName();
        PodMetrics worker = client.top().pods().metrics("default", name);
        NodeMetrics node = client.top().nodes().metrics("sim-node-1");

        assertEquals(3, all.getItems().size());
        assertEquals(2, web.getItems().size());
        for (PodMetrics pod : web.getItems()) {
            ContainerMetrics app = pod.getContainers().get(0);
            assertEquals("app", app.getName());
            assertEquals(new BigDecimal("0.25"), amount(app.getUsage().get("cpu")));
            assertEquals(BigDecimal.valueOf(128L << 20), amount(app.getUsage().get("memory")));
            assertEquals("web", pod.getMetadata().getLabels().get("app"));
        }
        assertEquals(name, worker.getMetadata().getName());
        assertEquals(new BigDecimal("1.5"), amount(worker.getContainers().get(0).getUsage().get("cpu")));
        assertEquals(Duration.ofSeconds(15), worker.getWindow().getDuration());
        assertEquals(new BigDecimal("2"), amount(node.getUsage().get("cpu")), "the node's pods together");
        assertEquals(BigDecimal.valueOf((128L * 2 + 2048) << 20), amount(node.getUsage().get("memory")));
        assertEquals(List.of("sim-node-1"), client.top().nodes().metrics().getItems().stream()
                .map(n -> n.getMetadata().getName()).toList());
    }

    @Test
    void aPodWhoseContainersDoNotRunHasNoMetrics(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("web:missing", PodBehavior.IMAGE_PULL_ERROR);
        client.apps().deployments().resource(deployment("web", "web:missing", 1)).create();
        cluster.awaitSettled(TIMEOUT);
        String name = podsOf(client, "web").get(0).getMetadata().getName();

        KubernetesClientException missing = assertThrows(KubernetesClientException.class,
                () -> client.top().pods().metrics("default", name));

        assertEquals(404, missing.getCode());
        assertEquals("podmetrics.metrics.k8s.io \"default/" + name + "\" not found", missing.getStatus().getMessage());
        assertEquals(0, client.top().pods().metrics("default").getItems().size());
    }

    private static BigDecimal amount(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).stripTrailingZeros();
    }
}
