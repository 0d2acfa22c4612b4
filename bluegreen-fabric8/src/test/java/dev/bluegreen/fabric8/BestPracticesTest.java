package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The guide's best practices at preflight: readiness probes, resource requests, room for a second color. */
@ExtendWith(SimulatedClusterExtension.class)
class BestPracticesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    private ReleaseResult release(SimulatedCluster cluster, BestPracticeChecks checks) {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").namespace(cluster.namespace()).build();
        KubernetesOptions options = KubernetesOptions.builder().time(time).bestPractices(checks).build();
        return engine.run(KubernetesBlueGreen.serviceSelectorPlan(cluster.client(), conventions, options)
                .version("myapp:v2").timeout(StandardStep.AWAIT_READY, Duration.ofSeconds(10))
                .retention(Retention.keepRunning()).build());
    }

    @Test
    void containersWithoutResourceRequestsAreAWarningAndTheReleaseGoesOn(SimulatedCluster cluster) {
        BlueGreenApp.named("myapp").replicas(2).create(cluster);

        ReleaseResult result = release(cluster, BestPracticeChecks.WARN);

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("container 'myapp' of the new color (Deployment " + cluster.namespace() + "/myapp-green) has "
                + "no resource requests (cpu, memory), so the scheduler cannot reserve room for both colors at once; set "
                + "resources.requests"), result.warnings());
    }

    @Test
    void aContainerWithoutReadinessProbeIsRefusedBeforeAnyWriteWhenThePlanSaysSo(SimulatedCluster cluster) {
        BlueGreenApp.named("myapp").replicas(2).readinessProbe(null).resources(new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m"))).build()).create(cluster);
        cluster.requests().clear();

        ReleaseResult result = release(cluster, BestPracticeChecks.REFUSE);

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("container 'myapp' of the new color (Deployment " + cluster.namespace() + "/myapp-green) has "
                        + "no readiness probe, so 'ready' only means 'started': the switch could send traffic to pods that "
                        + "cannot serve yet; add a readinessProbe"),
                assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void aResourceQuotaWithoutRoomForASecondFullColorIsNamedWithWhatIsLeftAndWhatIsNeeded(SimulatedCluster cluster) {
        cluster.client().resourceQuotas().inNamespace(cluster.namespace()).resource(new ResourceQuotaBuilder()
                .withNewMetadata().withName("compute").endMetadata()
                .withNewSpec().withHard(Map.of("requests.cpu", new Quantity("1"))).endSpec().build()).create();
        BlueGreenApp.named("myapp").replicas(3).resources(new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("200m"), "memory", new Quantity("64Mi"))).build()).create(cluster);
        cluster.awaitSettled(Duration.ofSeconds(10));

        ReleaseResult result = release(cluster, BestPracticeChecks.REFUSE);

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("ResourceQuota " + cluster.namespace() + "/compute leaves no room for a second full color: "
                        + "requests.cpu has 0.4 left of 1, but 3 new pods of the 3 need 0.6; the new color's rollout would "
                        + "stall"),
                assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems());
    }

    @Test
    void nothingIsCheckedWhenTheChecksAreOff(SimulatedCluster cluster) {
        BlueGreenApp.named("myapp").replicas(2).readinessProbe(null).create(cluster);

        ReleaseResult result = release(cluster, BestPracticeChecks.OFF);

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertTrue(result.warnings().isEmpty(), result.warnings()::toString);
    }
}
