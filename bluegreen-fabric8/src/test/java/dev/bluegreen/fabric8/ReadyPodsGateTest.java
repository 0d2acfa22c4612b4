package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bluegreen.Color;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.internal.KubernetesApp;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The automated release's "ready pods == desired replicas" check (the guide's step 9). */
@ExtendWith(SimulatedClusterExtension.class)
class ReadyPodsGateTest {

    private static GateResult evaluate(SimulatedCluster cluster, Color color) throws Exception {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").namespace(cluster.namespace()).build();
        HealthGate gate = new KubernetesApp(cluster.client(), conventions, KubernetesOptions.defaults())
                .automatedSteps(RoutingMethod.SERVICE_SELECTOR).readyPods();
        return gate.evaluate(GateContext.builder().app("myapp").namespace(cluster.namespace())
                .candidate(color, "myapp:v2").build());
    }

    @Test
    void passesWhenEveryDesiredReplicaIsReady(SimulatedCluster cluster) throws Exception {
        BlueGreenApp.named("myapp").replicas(3).create(cluster);

        GateResult result = evaluate(cluster, Color.BLUE);

        assertEquals(GateStatus.PASSED, result.status());
        assertEquals("Deployment " + cluster.namespace() + "/myapp-blue: 3/3 pods ready", result.reason());
    }

    @Test
    void failsNamingHowManyOfTheDesiredReplicasAreReady(SimulatedCluster cluster) throws Exception {
        cluster.markImage("myapp:broken", PodBehavior.NEVER_READY);
        BlueGreenApp.named("myapp").replicas(3).create(cluster);
        cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName("myapp-green").edit(d -> {
            d.getSpec().setReplicas(2);
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("myapp:broken");
            return d;
        });
        cluster.awaitSettled(Duration.ofSeconds(10));

        GateResult result = evaluate(cluster, Color.GREEN);

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("Deployment " + cluster.namespace() + "/myapp-green: only 0/2 pods ready", result.reason());
    }
}
