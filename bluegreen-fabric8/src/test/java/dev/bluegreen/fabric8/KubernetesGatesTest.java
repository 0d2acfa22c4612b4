package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.HttpBehavior;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each Kubernetes gate passing and failing against the simulated cluster, given the candidate the
 * Deployment adapter itself returns (so the gates read Service, selector and color label from it).
 */
@ExtendWith(SimulatedClusterExtension.class)
class KubernetesGatesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ManualTimeSource time = TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z"));

    private SimulatedCluster cluster;
    private KubernetesClient client;
    private BlueGreenApp app;
    private ColorEnvironments environments;
    private KubernetesGates gates;

    private void start(SimulatedCluster simulated, BlueGreenApp.Builder builder) {
        cluster = simulated;
        client = cluster.client();
        app = builder.create(cluster);
        BlueGreenConventions conventions = BlueGreenConventions.forApp(app.app()).namespace(app.namespace()).build();
        environments = KubernetesBlueGreen.deployments(client, conventions);
        gates = KubernetesGates.using(client).serviceAddresses(
                (namespace, service, port) -> ServiceAddress.of(cluster.dataPlane().serviceUrl(namespace, service)));
    }

    private void start(SimulatedCluster simulated) {
        start(simulated, BlueGreenApp.named("myapp").image("myapp:v1").replicas(2));
    }

    /** The candidate the adapter returns for a deploy of an image to a color (no write when it already runs it). */
    private Candidate deploy(Color color, String image, int replicas) {
        Candidate candidate = environments.deploy(environments.read(color, Deadline.after(TIMEOUT)), image, replicas,
                Deadline.after(TIMEOUT));
        cluster.awaitSettled(TIMEOUT);
        return candidate;
    }

    private Candidate liveBlue() {
        return deploy(Color.BLUE, "myapp:v1", 2);
    }

    private GateContext context(Candidate candidate) {
        return GateContext.builder().app(app.app()).namespace(app.namespace()).candidate(candidate).time(time).build();
    }

    private GateResult evaluate(HealthGate gate, Candidate candidate) throws Exception {
        return gate.evaluate(context(candidate));
    }

    private List<Pod> pods(String color) {
        return client.pods().inNamespace(app.namespace()).withLabel("app", "myapp").withLabel("version", color).list().getItems();
    }

    private void awaitCrashLoop(String color) {
        for (Pod pod : pods(color)) {
            cluster.awaitPod(app.namespace(), pod.getMetadata().getName(), p -> p.getStatus().getContainerStatuses().stream()
                    .anyMatch(c -> c.getRestartCount() != null && c.getRestartCount() > 0), TIMEOUT);
        }
    }

    @Test
    void theCandidateDescribesItsKubernetesObjectsSoGatesNeedNoConventions(SimulatedCluster simulated) {
        start(simulated, BlueGreenApp.named("shop").image("shop:v1").serviceName("shop-live").colorLabel("example.com/slot"));
        environments = KubernetesBlueGreen.deployments(client, BlueGreenConventions.forApp("shop").namespace(app.namespace())
                .serviceName("shop-live").colorLabel("example.com/slot").build());

        Candidate candidate = deploy(Color.GREEN, "shop:v2", 1);

        KubernetesCandidate kubernetes = KubernetesCandidate.require(candidate);
        assertEquals(new KubernetesCandidate(app.namespace(), "shop-green", "shop-live", "example.com/slot", Color.GREEN,
                Map.of("app", "shop", "example.com/slot", "green")), kubernetes);
        assertEquals("app=shop,example.com/slot=green", kubernetes.selectorString());
        assertEquals(candidate.attributes(), environments.candidateAttributes(Color.GREEN),
                "a recovery describes the candidate the same way");
    }

    @Test
    void aReleaseGatedByTheLibraryGatesSucceedsAndItsPostSwitchGatesSeeOnlyTheNewVersion(SimulatedCluster simulated) {
        simulated.markImage("myapp:v2", PodBehavior.HEALTHY.withUsage(100, 64));
        start(simulated);
        ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

        ReleaseResult result = engine.run(KubernetesBlueGreen.serviceSelectorPlan(client,
                        BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build())
                .version("myapp:v2")
                .preSwitchGate(gates.deploymentAvailable())
                .preSwitchGate(gates.podRestarts(Duration.ofSeconds(30)))
                .postSwitchGate(HealthGate.observe(HealthGate.allOf("live", gates.endpointsReady(2), gates.version(5),
                                gates.http("health", "/health", http -> http.expectStatus(200)), gates.logErrors(),
                                gates.resourceUsage(500, 256)))
                        .every(Duration.ofSeconds(10)).lasting(Duration.ofSeconds(30)).build())
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1)))
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(3, result.gateEvaluations().size(), result::summary);
        assertTrue(result.gateEvaluations().stream().allMatch(g -> g.result().passed()), result::summary);
        Map<String, Number> window = result.gateEvaluations().get(2).result().measurements();
        assertEquals(3, window.get("evaluations").intValue(), result::summary);
        assertEquals(5, window.get("version.matching").intValue(), result::summary);
        assertEquals(0, window.get("endpoints-ready.other_color").intValue(), result::summary);
    }

    @Test
    void aGateGivenACandidateOfAnotherAdapterRefusesNamingTheMissingAttributes(SimulatedCluster simulated) {
        start(simulated);
        GateContext foreign = GateContext.builder().app("myapp").candidate(Color.GREEN, "myapp:v2").build();

        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> gates.deploymentAvailable().evaluate(foreign));

        assertTrue(error.getMessage().contains("carries no Kubernetes description"), error.getMessage());
        assertTrue(error.getMessage().contains(KubernetesCandidate.SERVICE), error.getMessage());
    }

    @Test
    void deploymentAvailablePassesWhenEveryReplicaIsUpdatedAndAvailable(SimulatedCluster simulated) throws Exception {
        start(simulated);

        GateResult result = evaluate(gates.deploymentAvailable(), liveBlue());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(2, result.measurements().get("available").intValue());
    }

    @Test
    void deploymentAvailableFailsWhileThePodsNeverBecomeReady(SimulatedCluster simulated) throws Exception {
        start(simulated);
        cluster.markImage("myapp:stuck", PodBehavior.NEVER_READY);

        GateResult result = evaluate(gates.deploymentAvailable(), deploy(Color.GREEN, "myapp:stuck", 2));

        assertEquals(GateStatus.FAILED, result.status(), result::toString);
        assertTrue(result.reason().startsWith("Deployment " + app.namespace() + "/myapp-green is not available: "),
                result.reason());
        assertEquals(0, result.measurements().get("available").intValue());
    }

    @Test
    void endpointsReadyPassesWhenTheLiveServiceReachesEnoughPodsAllOfTheCandidateColor(SimulatedCluster simulated)
            throws Exception {
        start(simulated);

        GateResult result = evaluate(gates.endpointsReady(2), liveBlue());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(2, result.measurements().get("ready").intValue());
    }

    @Test
    void endpointsReadyFailsNamingThePodsOfTheOtherColorAndFailsWhenTooFewAreReady(SimulatedCluster simulated)
            throws Exception {
        start(simulated);
        Candidate green = deploy(Color.GREEN, "myapp:v2", 2);

        GateResult otherColor = evaluate(gates.endpointsReady(1), green);
        GateResult tooFew = evaluate(gates.endpointsReady(3), liveBlue());

        assertEquals(GateStatus.FAILED, otherColor.status(), otherColor::toString);
        assertTrue(otherColor.reason().contains("not pods of green (app=myapp,version=green)"), otherColor.reason());
        assertTrue(otherColor.reason().contains(pods("blue").get(0).getMetadata().getName()), otherColor.reason());
        assertEquals(GateStatus.FAILED, tooFew.status(), tooFew::toString);
        assertTrue(tooFew.reason().contains("2 ready address(es) (at least 3 expected)"), tooFew.reason());
    }

    @Test
    void podRestartsPassesForHealthyPodsOverItsWindowOnTheReleaseClock(SimulatedCluster simulated) throws Exception {
        start(simulated);
        Instant before = time.now();

        GateResult result = evaluate(gates.podRestarts(Duration.ofMinutes(5)), liveBlue());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(Duration.ofMinutes(5), Duration.between(before, time.now()), "the window is waited on the release's clock");
        assertEquals(0, result.measurements().get("restarts").intValue());
    }

    @Test
    void podRestartsFailsNamingTheCrashLoopingPods(SimulatedCluster simulated) throws Exception {
        start(simulated);
        cluster.markImage("myapp:crash", PodBehavior.CRASH_LOOP);
        Candidate green = deploy(Color.GREEN, "myapp:crash", 1);
        awaitCrashLoop("green");

        GateResult result = evaluate(gates.podRestarts(Duration.ZERO), green);

        assertEquals(GateStatus.FAILED, result.status(), result::toString);
        String pod = pods("green").get(0).getMetadata().getName();
        assertTrue(result.reason().contains(pod), result.reason());
        assertTrue(result.reason().contains("CrashLoopBackOff") || result.reason().contains("restart"), result.reason());
        assertTrue(result.measurements().get("restarts").intValue() > 0, result::toString);
    }

    @Test
    void logErrorsPassesWhenNoRecentLineMatchesAndFailsQuotingTheMatchingLines(SimulatedCluster simulated) throws Exception {
        start(simulated);
        cluster.markImage("myapp:noisy", PodBehavior.HEALTHY.withLogLines("INFO started", "ERROR database timeout",
                "ERROR database timeout"));
        GateResult quiet = evaluate(gates.logErrors(), liveBlue());
        Candidate noisy = deploy(Color.GREEN, "myapp:noisy", 1);

        GateResult failed = evaluate(gates.logErrors(), noisy);
        GateResult tolerated = evaluate(gates.logErrors(Pattern.compile("ERROR"), 2, 100), noisy);

        assertEquals(GateStatus.PASSED, quiet.status(), quiet::toString);
        assertEquals(GateStatus.FAILED, failed.status(), failed::toString);
        assertEquals(2, failed.measurements().get("matching_lines").intValue());
        assertTrue(failed.reason().contains("ERROR database timeout"), failed.reason());
        assertEquals(GateStatus.PASSED, tolerated.status(), tolerated::toString);
    }

    @Test
    void theHttpGateCallsTheLiveServiceAtTheResolvedAddressAndFailsOnAnUnexpectedStatus(SimulatedCluster simulated)
            throws Exception {
        simulated.markImage("myapp:v1", HttpBehavior.DEFAULT.withResponse("/checkout", 500, "boom"));
        start(simulated);
        Candidate blue = liveBlue();

        GateResult health = evaluate(gates.http("smoke", "/health", http -> http.expectStatus(200)), blue);
        GateResult checkout = evaluate(gates.http("checkout", "/checkout", http -> http.expectStatus(200)), blue);

        assertEquals(GateStatus.PASSED, health.status(), health::toString);
        assertEquals(GateStatus.FAILED, checkout.status(), checkout::toString);
        assertTrue(checkout.reason().contains("500"), checkout.reason());
    }

    @Test
    void theVersionGatePassesWhenEveryAnswerThroughTheLiveServiceIsTheNewVersion(SimulatedCluster simulated)
            throws Exception {
        start(simulated);

        GateResult result = evaluate(gates.version(10), liveBlue());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals("10 of 10 requests to Service " + app.namespace() + "/myapp-service /version answered myapp:v1",
                result.reason());
    }

    @Test
    void theVersionGateFailsWhileTheLiveServiceStillAnswersTheOldVersion(SimulatedCluster simulated) throws Exception {
        start(simulated);

        GateResult result = evaluate(gates.version(4), deploy(Color.GREEN, "myapp:v2", 2));

        assertEquals(GateStatus.FAILED, result.status(), result::toString);
        assertEquals("0 of 4 requests to Service " + app.namespace() + "/myapp-service /version answered myapp:v2; "
                + "answers: {myapp:v1=4}", result.reason());
    }

    @Test
    void resourceUsageJudgesThePodsMetricsAgainstThresholdsAndAgainstTheirLimits(SimulatedCluster simulated)
            throws Exception {
        cluster = simulated;
        cluster.markImage("myapp:v1", PodBehavior.HEALTHY.withUsage(450, 128));
        start(simulated, BlueGreenApp.named("myapp").image("myapp:v1").replicas(2).resources(new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi")))
                .withLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("256Mi"))).build()));
        Candidate blue = liveBlue();

        GateResult under = evaluate(gates.resourceUsage(500, 256), blue);
        GateResult overCpu = evaluate(gates.resourceUsage(400, 256), blue);
        GateResult overLimits = evaluate(gates.resourceUsageOfLimits(0.8), blue);
        GateResult withinLimits = evaluate(gates.resourceUsageOfLimits(0.95), blue);

        assertEquals(GateStatus.PASSED, under.status(), under::toString);
        assertEquals(450, under.measurements().get("max_cpu_millis").intValue());
        assertEquals(128, under.measurements().get("max_memory_mib").intValue());
        assertEquals(GateStatus.FAILED, overCpu.status(), overCpu::toString);
        assertTrue(overCpu.reason().contains("uses 450m CPU (at most 400m allowed)"), overCpu.reason());
        assertEquals(GateStatus.FAILED, overLimits.status(), overLimits::toString);
        assertTrue(overLimits.reason().contains("90.0% of its limit 500m"), overLimits.reason());
        assertEquals(GateStatus.PASSED, withinLimits.status(), withinLimits::toString);
    }

    @Test
    void theJobGatePassesWhenItsJobSucceedsAndFailsWithTheJobsLastLogLines(SimulatedCluster simulated) throws Exception {
        start(simulated);
        cluster.markImage("tests:ok", PodBehavior.succeedsAfter(Duration.ofSeconds(10)).withLogLines("42 tests passed"));
        cluster.markImage("tests:broken", PodBehavior.failsAfter(Duration.ofSeconds(5), 1)
                .withLogLines("running checkout suite", "FAILED: checkout returned 500"));
        Candidate blue = liveBlue();

        GateResult passed = evaluate(gates.job("integration-tests", job("tests:ok", 0), Duration.ofSeconds(30)), blue);
        GateResult failed = evaluate(gates.job("integration-tests", job("tests:broken", 0), Duration.ofSeconds(30)), blue);

        assertEquals(GateStatus.PASSED, passed.status(), passed::toString);
        assertTrue(passed.reason().contains("42 tests passed"), passed.reason());
        assertEquals(GateStatus.FAILED, failed.status(), failed::toString);
        assertTrue(failed.reason().contains("BackoffLimitExceeded"), failed.reason());
        assertTrue(failed.reason().endsWith("running checkout suite\n  FAILED: checkout returned 500"), failed.reason());
    }

    @Test
    void aJobThatRunsPastItsTimeoutFailsTheGateAndIsDeleted(SimulatedCluster simulated) throws Exception {
        start(simulated);
        cluster.markImage("tests:hanging", PodBehavior.HEALTHY.withLogLines("waiting for the payment sandbox"));

        // Long enough for the container to start and log on a loaded machine (it starts after 10 ms).
        GateResult result = evaluate(gates.job("integration-tests", job("tests:hanging", 0), Duration.ofSeconds(2)),
                liveBlue());

        assertEquals(GateStatus.FAILED, result.status(), result::toString);
        assertTrue(result.reason().matches("(?s)Job " + app.namespace() + "/integration-tests-[a-z0-9]{5} failed \\(did not "
                + "finish within PT2S; deleted\\).*"), result.reason());
        assertTrue(result.reason().endsWith("waiting for the payment sandbox"), result.reason());
        String name = result.reason().split(" ")[1].substring(app.namespace().length() + 1);
        assertEquals(null, client.batch().v1().jobs().inNamespace(app.namespace()).withName(name).get(), "deleted");
    }

    @Test
    void theHttpGateFailsNamingAServiceThatDoesNotExistOrHasNoSuchPort(SimulatedCluster simulated) throws Exception {
        start(simulated);
        gates = KubernetesGates.using(client).serviceAddresses(ServiceAddressResolver.inClusterDns(client));

        GateResult missing = evaluate(gates.http("smoke", ctx -> "myapp-green-test", null, "/health", h -> h), liveBlue());
        GateResult noPort = evaluate(gates.http("smoke", null, "grpc", "/health", h -> h), liveBlue());

        assertEquals(GateStatus.FAILED, missing.status());
        assertEquals("Service " + app.namespace() + "/myapp-green-test cannot be reached: Service " + app.namespace()
                + "/myapp-green-test does not exist; expected the Service the gate targets", missing.reason());
        assertEquals(GateStatus.FAILED, noPort.status());
        assertTrue(noPort.reason().contains("has no port 'grpc'; it has [http/80]")
                || noPort.reason().contains("has no port 'grpc'; it has [80]"), noPort.reason());
    }

    @Test
    void inClusterTheServiceIsReachedByItsDnsNameAndPort(SimulatedCluster simulated) {
        start(simulated);

        try (ServiceAddress address = ServiceAddressResolver.inClusterDns(client).resolve(app.namespace(), "myapp-service",
                null)) {
            assertEquals("http://myapp-service." + app.namespace() + ".svc:80/", address.baseUrl().toString());
        }
    }

    @Test
    void badGateSettingsAreRejectedNamingTheValue(SimulatedCluster simulated) {
        start(simulated);

        assertEquals("minimum ready endpoints must be at least 1, but was 0",
                assertThrows(ConfigurationException.class, () -> gates.endpointsReady(0)).getMessage());
        assertEquals("fraction of limits must be above 0 and at most 1, but was 1.5",
                assertThrows(ConfigurationException.class, () -> gates.resourceUsageOfLimits(1.5)).getMessage());
        assertEquals("path must start with '/', but was 'health'",
                assertThrows(ConfigurationException.class, () -> gates.http("smoke", "health", h -> h)).getMessage());
    }

    static Job job(String image, int backoffLimit) {
        return new JobBuilder()
                .withNewSpec().withBackoffLimit(backoffLimit)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(5L)
                .addNewContainer().withName("main").withImage(image).endContainer()
                .endSpec().endTemplate().endSpec()
                .build();
    }
}
