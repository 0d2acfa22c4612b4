package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fence a recovery writes on the color it rolls back to, so that a scale-down a crashed release
 * still had on the wire cannot land afterwards (found by the chaos matrix).
 */
@ExtendWith(SimulatedClusterExtension.class)
class DeploymentFenceTest {
    private SimulatedCluster cluster;
    private String ns;
    private ColorEnvironments environments;

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        ns = cluster.namespace();
        BlueGreenApp.named("myapp").replicas(3).create(cluster);
        environments = KubernetesBlueGreen.deployments(cluster.client(),
                BlueGreenConventions.forApp("myapp").namespace(ns).build());
    }

    private static Deadline deadline() {
        return Deadline.after(Duration.ofSeconds(5));
    }

    private int blueReplicas() {
        return cluster.client().apps().deployments().inNamespace(ns).withName("myapp-blue").get().getSpec().getReplicas();
    }

    @Test
    void aWriteDecidedOnTheStateBeforeTheFenceFailsAndTheFenceLeavesTheSpecAlone() {
        EnvironmentState blue = environments.read(Color.BLUE, deadline());

        EnvironmentState fenced = environments.fence(blue, deadline());

        assertNotEquals(blue.revision(), fenced.revision());
        assertEquals(blue.generation(), fenced.generation(), "only the SDK's marker was written");
        assertEquals(3, fenced.desired());
        KubernetesClient crashedRelease = cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
        KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> crashedRelease.apps()
                .deployments().inNamespace(ns).withName("myapp-blue").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"resourceVersion\":\"" + blue.revision() + "\"},\"spec\":{\"replicas\":0}}"));
        assertEquals(409, refused.getCode());
        assertEquals(3, blueReplicas());
    }

    @Test
    void aFenceOnAStateSomeoneElseChangedSinceIsAConflict() {
        EnvironmentState blue = environments.read(Color.BLUE, deadline());
        cluster.newClient().apps().deployments().inNamespace(ns).withName("myapp-blue")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":4}}");

        assertThrows(ConflictException.class, () -> environments.fence(blue, deadline()));
        assertEquals(4, blueReplicas());
    }
}
