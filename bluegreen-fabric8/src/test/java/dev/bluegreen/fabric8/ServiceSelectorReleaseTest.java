package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.CustomStep;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.Outcome;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepStatus;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guide's method 1, end to end, against the simulated cluster. */
@ExtendWith(SimulatedClusterExtension.class)
class ServiceSelectorReleaseTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private SimulatedCluster cluster;
    private KubernetesClient client;
    private BlueGreenApp app;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        app = BlueGreenApp.named("myapp").image("myapp:v1").replicas(3).create(cluster);
        conventions = BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build();
    }

    private ReleasePlan.Builder plan(String version) {
        return KubernetesBlueGreen.serviceSelectorPlan(client, conventions).version(version)
                .timeout(StandardStep.AWAIT_READY, Duration.ofSeconds(10))
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }

    private String selectedColor() {
        return client.services().inNamespace(app.namespace()).withName("myapp-service").get().getSpec().getSelector().get("version");
    }

    private Deployment deployment(String color) {
        return client.apps().deployments().inNamespace(app.namespace()).withName("myapp-" + color).get();
    }

    /**
     * A custom step that lets the simulated controllers finish (pods created and crashed or failing
     * their probe) so the short readiness timeout that follows sees their final state, however
     * loaded the machine is.
     */
    private CustomStep settle() {
        return CustomStep.of("settle", ctx -> cluster.awaitSettled(Duration.ofSeconds(10)));
    }

    /** A gate that reads the cluster: every pod of the candidate color is ready. */
    private HealthGate candidatePodsReady() {
        return HealthGate.named("candidate-pods-ready", ctx -> {
            List<Pod> pods = client.pods().inNamespace(ctx.namespace())
                    .withLabel("app", ctx.app()).withLabel("version", ctx.candidate().color().name()).list().getItems();
            long ready = pods.stream().filter(p -> p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))).count();
            GateResult result = ready == pods.size() && ready > 0
                    ? GateResult.passed(ready + " of " + pods.size() + " " + ctx.candidate().color() + " pods ready")
                    : GateResult.failed(ready + " of " + pods.size() + " " + ctx.candidate().color() + " pods ready");
            return result.withMeasurement("ready", ready).withMeasurement("pods", pods.size());
        });
    }

    private long serviceWrites() {
        return cluster.requests().fromUsers().stream()
                .filter(r -> !r.method().equals("GET") && r.pathWithoutQuery().endsWith("/services/myapp-service"))
                .count();
    }

    @Test
    void aFullReleaseMovesTrafficToGreenOnlyAfterItIsReadyAndVerifiedThenRetiresBlue() {
        ReleaseResult result = engine.run(plan("myapp:v2")
                .preSwitchGate(candidatePodsReady())
                .postSwitchGate(HealthGate.observe(candidatePodsReady()).every(Duration.ofSeconds(30))
                        .lasting(Duration.ofMinutes(2)).build())
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("green", selectedColor());
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        Deployment green = deployment("green");
        assertEquals("myapp:v2", green.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(3, green.getSpec().getReplicas());
        assertEquals(0, deployment("blue").getSpec().getReplicas(), "blue is scaled down after retention");
        assertTrue(result.step("switch").orElseThrow().detail().contains("reaches 3 ready green backends"),
                result.step("switch").orElseThrow().detail());
        assertEquals(List.of(GateStatus.PASSED, GateStatus.PASSED),
                result.gateEvaluations().stream().map(g -> g.result().status()).collect(Collectors.toList()));
        assertEquals(3, result.gateEvaluations().get(0).result().measurements().get("ready").intValue());
        assertEquals(Duration.ofMinutes(10), result.step("retire-previous").orElseThrow().duration());
        assertEquals(1, serviceWrites(), "one write moves traffic");
        cluster.awaitSettled(Duration.ofSeconds(5));
        List<String> endpointColors = client.discovery().v1().endpointSlices().inNamespace(app.namespace())
                .withLabel("kubernetes.io/service-name", "myapp-service").list().getItems().stream()
                .flatMap(s -> s.getEndpoints().stream())
                .map(e -> e.getTargetRef().getName().startsWith("myapp-green-") ? "green" : "other")
                .distinct().collect(Collectors.toList());
        assertEquals(List.of("green"), endpointColors);
    }

    @Test
    void aGreenThatNeverBecomesReadyTimesOutAbortsAndSaysWhichPodsAndWhy() {
        cluster.markImage("myapp:v2-crash", PodBehavior.CRASH_LOOP);

        ReleaseResult result = engine.run(plan("myapp:v2-crash").stepAfter(StandardStep.DEPLOY, settle())
                .timeout(StandardStep.AWAIT_READY, Duration.ofMillis(300)).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals("blue", selectedColor());
        NotReadyException error = assertInstanceOf(NotReadyException.class, result.error().orElseThrow());
        assertEquals(3, error.unready().size(), error.getMessage());
        assertTrue(error.getMessage().startsWith("Deployment " + app.namespace() + "/myapp-green did not become ready within PT0.3S: "),
                error.getMessage());
        assertTrue(error.getMessage().contains("0 of 3 replicas available"), error.getMessage());
        assertTrue(error.unready().get(0).contains("container myapp waiting: CrashLoopBackOff"), error.unready().get(0));
        assertTrue(error.unready().get(0).contains("last exit code 1 (Error)"), error.unready().get(0));
        assertEquals(0, serviceWrites(), "live traffic was never touched");
        assertEquals(0, deployment("green").getSpec().getReplicas(), "the idle color is scaled down on abort");
    }

    @Test
    void aGreenWhoseReadinessProbeFailsIsReportedAsNotReady() {
        cluster.markImage("myapp:v2-unready", PodBehavior.NEVER_READY);

        ReleaseResult result = engine.run(plan("myapp:v2-unready").stepAfter(StandardStep.DEPLOY, settle())
                .timeout(StandardStep.AWAIT_READY, Duration.ofMillis(300)).build());

        assertEquals(Outcome.ABORTED, result.outcome());
        NotReadyException error = assertInstanceOf(NotReadyException.class, result.error().orElseThrow());
        assertTrue(error.unready().get(0).contains("running but not ready (readiness probe failing)"), error.unready().get(0));
        assertEquals("blue", selectedColor());
    }

    @Test
    void aFailingPreSwitchGateAbortsAndLeavesLiveTrafficUntouched() {
        ReleaseResult result = engine.run(plan("myapp:v2")
                .preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("GET /api/test answered 500")))
                .build());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals("blue", selectedColor());
        assertEquals(0, serviceWrites());
        assertEquals(3, deployment("blue").getSpec().getReplicas());
        assertEquals("release " + result.releaseId() + " of " + app.namespace() + "/myapp: pre-switch gate 'smoke' FAILED: "
                + "GET /api/test answered 500", result.error().orElseThrow().getMessage());
    }

    @Test
    void aFailingPostSwitchGateRollsTrafficBackToBlueWithOneWrite() {
        ReleaseResult result = engine.run(plan("myapp:v2")
                .postSwitchGate(HealthGate.named("error-rate", ctx -> GateResult.failed("error rate 7% above 1%")))
                .build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals("blue", selectedColor());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals(2, serviceWrites(), "one write to switch, one write to switch back");
        assertEquals(StepStatus.SUCCEEDED, result.step("rollback").orElseThrow().status());
        assertTrue(result.step("rollback").orElseThrow().detail().contains("reaches 3 ready blue backends"),
                result.step("rollback").orElseThrow().detail());
        assertEquals(3, deployment("blue").getSpec().getReplicas());
        assertEquals(0, deployment("green").getSpec().getReplicas());
    }

    @Test
    void aReleaseWhosePreflightFailsChangesNothingInTheCluster() {
        // A Deployment's selector is immutable: someone replaced green by a Deployment with other labels.
        ClusterState.recreateWithLabel(cluster, app.namespace(), "myapp-green", "app", "myapp-canary");
        Map<String, String> before = ClusterState.resourceVersions(client, app.namespace());
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2").build());

        assertEquals(Outcome.ABORTED, result.outcome());
        PreflightException error = assertInstanceOf(PreflightException.class, result.error().orElseThrow());
        assertEquals(List.of("the pods of Deployment " + app.namespace() + "/myapp-green are labelled {app=myapp-canary, "
                + "version=green}, which the selector {app=myapp, version=green} of Service " + app.namespace()
                + "/myapp-service would not match after the switch (label 'app' is 'myapp-canary', expected 'myapp')"),
                error.problems());
        assertEquals(before, ClusterState.resourceVersions(client, app.namespace()), "nothing was written");
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void theNextReleaseGoesBackToBlue() {
        assertEquals(Outcome.SUCCEEDED, engine.run(plan("myapp:v2").build()).outcome());
        ReleaseResult second = engine.run(plan("myapp:v3").build());

        assertEquals(Outcome.SUCCEEDED, second.outcome(), second::summary);
        assertEquals("blue", selectedColor());
        assertEquals("myapp:v3", deployment("blue").getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(0, deployment("green").getSpec().getReplicas());
    }

    @Test
    void aReleaseMakesFewRequests() {
        cluster.requests().clear();
        engine.run(plan("myapp:v2").build());
        List<ClientRequest> requests = cluster.requests().fromUsers();
        // preflight, deploy, wait, switch and verify, retire, final read: a few dozen at most, never a polling loop
        assertTrue(requests.size() < 40, requests.size() + " requests: " + requests);
    }
}
