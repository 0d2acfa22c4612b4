package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.Color;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.HttpBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The guide's automation script as one call, end to end for the Service-selector, Ingress and HTTPRoute methods:
 * the idle Deployment updated or created from the live one, the test Service and smoke gates through it, the switch,
 * the observation, the test Service deleted in every outcome, and the retention policies.
 */
@ExtendWith(SimulatedClusterExtension.class)
class AutomatedReleaseTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SimulatedCluster cluster;
    private KubernetesClient client;
    private String ns;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final KubernetesOptions options = KubernetesOptions.builder().time(time).build();
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();
    /** What the smoke gate saw: the test Service's name and the version that answered through it. */
    private final List<String> smoked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        ns = cluster.namespace();
        BlueGreenApp.named("myapp").image("myapp:v1").replicas(3).create(cluster);
        RouteFixtures.colorServices(cluster, ns);
        RouteFixtures.ingress(cluster, ns, "blue");
        RouteFixtures.httpRoute(cluster, ns, "blue");
        conventions = BlueGreenConventions.forApp("myapp").namespace(ns).build();
    }

    /** A smoke test as the guide's script runs one: GET /smoke through the test Service, 200 passes. */
    private HealthGate smokeTest() {
        return HealthGate.named("smoke-test", ctx -> {
            String service = conventions.testServiceName(ctx.candidate().color());
            URI url = cluster.dataPlane().serviceUrl(ns, service);
            cluster.dataPlane().awaitSynced(WAIT);
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(url.resolve("/smoke")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String version = answer.headers().firstValue(HttpBehavior.VERSION_HEADER).orElse("none");
            smoked.add(service + " -> " + answer.statusCode() + " " + version);
            return answer.statusCode() == 200 ? GateResult.passed("GET /smoke -> 200 from " + version)
                    : GateResult.failed("GET /smoke -> " + answer.statusCode());
        });
    }

    private AutomatedRelease.Builder release(RoutingMethod method) {
        return KubernetesBlueGreen.automatedRelease(client, conventions).method(method).options(options)
                .rolloutTimeout(WAIT).smokeGate(smokeTest());
    }

    private Deployment deployment(String color) {
        return client.apps().deployments().inNamespace(ns).withName("myapp-" + color).get();
    }

    private String image(String color) {
        return deployment(color).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private Service testService(String color) {
        return client.services().inNamespace(ns).withName("myapp-" + color + "-test").get();
    }

    private void assertLive(RoutingMethod method, String color) {
        String service = "myapp-" + color + "-svc";
        switch (method) {
            case SERVICE_SELECTOR -> assertEquals(color, client.services().inNamespace(ns).withName("myapp-service").get()
                    .getSpec().getSelector().get("version"));
            case INGRESS -> assertEquals(service, RouteFixtures.ingress(client, ns).getSpec().getRules().get(0).getHttp()
                    .getPaths().get(0).getBackend().getService().getName());
            case HTTP_ROUTE -> assertEquals(service, RouteFixtures.route(client, ns).getSpec().getRules().get(2)
                    .getBackendRefs().get(0).getName());
        }
    }

    @Test
    void aServiceSelectorReleaseTestsTheNewColorThroughItsTestServiceSwitchesObservesAndDeletesTheTestService() {
        ReleaseResult result = release(RoutingMethod.SERVICE_SELECTOR).build().run(engine, "myapp:v2");

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("myapp-green-test -> 200 myapp:v2"), smoked, "the smoke test reached v2 through the test Service");
        assertLive(RoutingMethod.SERVICE_SELECTOR, "green");
        assertNull(testService("green"), "the test Service is deleted");
        assertTrue(result.step("create-test-service").isPresent(), result::summary);
        assertTrue(result.gateEvaluations().toString().contains("ready-pods.ready=3, ready-pods.desired=3"),
                result.gateEvaluations()::toString);
        assertEquals(3, deployment("blue").getSpec().getReplicas(), "kept running by default");
    }

    @Test
    void anIngressReleaseCreatesTheMissingIdleDeploymentFromTheLiveOneAndScalesThePreviousColorToZeroAfterTheDelay() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").delete();
        cluster.awaitSettled(WAIT);

        ReleaseResult result = release(RoutingMethod.INGRESS)
                .retention(PreviousColorRetention.scaleToZeroAfter(Duration.ofHours(1))).build().run(engine, "myapp:v2");

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        Deployment green = deployment("green");
        assertEquals("myapp:v2", image("green"));
        assertEquals(java.util.Map.of("app", "myapp", "version", "green"), green.getSpec().getSelector().getMatchLabels());
        assertEquals("green", green.getSpec().getTemplate().getMetadata().getLabels().get("version"));
        assertEquals(3, green.getSpec().getReplicas());
        assertEquals(deployment("blue").getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe(),
                green.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe(), "the live one's spec");
        assertEquals(List.of("myapp-green-test -> 200 myapp:v2"), smoked);
        assertLive(RoutingMethod.INGRESS, "green");
        assertNull(testService("green"));
        assertEquals(0, deployment("blue").getSpec().getReplicas(), "scaled to zero after the delay");
        assertEquals("myapp:v1", image("blue"));
    }

    @Test
    void anHttpRouteReleaseDeletesThePreviousColorAfterTheDelayAndTheNextReleaseCreatesItAgainSoColorsAlternate() {
        AutomatedRelease release = release(RoutingMethod.HTTP_ROUTE)
                .retention(PreviousColorRetention.deleteAfter(Duration.ofHours(1))).build();

        ReleaseResult first = release.run(engine, "myapp:v2");
        assertEquals(Outcome.SUCCEEDED, first.outcome(), first::summary);
        assertLive(RoutingMethod.HTTP_ROUTE, "green");
        assertNull(deployment("blue"), () -> "deleted after the delay: " + first.warnings() + first.summary());
        assertNull(testService("green"));

        ReleaseResult second = release.run(engine, "myapp:v3");
        assertEquals(Outcome.SUCCEEDED, second.outcome(), second::summary);
        assertLive(RoutingMethod.HTTP_ROUTE, "blue");
        assertEquals("myapp:v3", image("blue"), "created again from green's spec");
        assertNull(deployment("green"));
        assertEquals(List.of("myapp-green-test -> 200 myapp:v2", "myapp-blue-test -> 200 myapp:v3"), smoked);
        assertNull(testService("blue"));
    }

    @Test
    void aFailedSmokeTestAbortsBeforeTheSwitchAndStillDeletesTheTestService() {
        cluster.markImage("myapp:v2", HttpBehavior.DEFAULT.withResponse("/smoke", 500, "database unreachable"));

        ReleaseResult result = release(RoutingMethod.INGRESS).build().run(engine, "myapp:v2");

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("myapp-green-test -> 500 myapp:v2"), smoked);
        assertLive(RoutingMethod.INGRESS, "blue");
        assertNull(testService("green"), "deleted although the release failed");
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
    }

    @Test
    void theLibrarysHttpGateSmokeTestsTheNewColorThroughTheTestServiceAndABrokenVersionNeverGetsTraffic() {
        cluster.markImage("myapp:v3", HttpBehavior.DEFAULT.withErrorRatio(1.0));
        KubernetesGates gates = KubernetesGates.using(client).serviceAddresses(
                (namespace, service, port) -> ServiceAddress.of(cluster.dataPlane().serviceUrl(namespace, service)));
        HealthGate smoke = gates.http("smoke", ctx -> conventions.testServiceName(ctx.candidate().color()), null, "/",
                http -> http.expectStatus(200));
        AutomatedRelease.Builder release = KubernetesBlueGreen.automatedRelease(client, conventions)
                .method(RoutingMethod.SERVICE_SELECTOR).options(options).rolloutTimeout(WAIT).smokeGate(smoke);

        ReleaseResult healthy = release.build().run(engine, "myapp:v2");
        ReleaseResult broken = release.build().run(engine, "myapp:v3");

        assertEquals(Outcome.SUCCEEDED, healthy.outcome(), healthy::summary);
        assertEquals(Outcome.ABORTED, broken.outcome(), broken::summary);
        assertTrue(broken.error().orElseThrow().getMessage().contains("500"), broken::summary);
        assertLive(RoutingMethod.SERVICE_SELECTOR, "green");
        assertEquals("myapp:v2", image("green"), "the broken version went to blue and never got traffic");
        assertNull(testService("blue"));
        assertNull(testService("green"));
    }

    @Test
    void aFailingObservationSwitchesBackAndStillDeletesTheTestService() {
        ReleaseResult result = release(RoutingMethod.HTTP_ROUTE)
                .observationGate(HealthGate.named("error-rate", ctx -> GateResult.failed("5xx at 3%"))).build()
                .run(engine, "myapp:v2");

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertLive(RoutingMethod.HTTP_ROUTE, "blue");
        assertNull(testService("green"));
        assertEquals(3, deployment("blue").getSpec().getReplicas());
    }

    @Test
    void aTestServiceLeftByACrashedReleaseIsUsedAgainButOneTheSdkDidNotCreateIsLeftAloneAndAbortsTheRelease() {
        client.services().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("myapp-green-test").endMetadata()
                .withNewSpec().withSelector(java.util.Map.of("app", "other")).addNewPort().withPort(80).endPort().endSpec()
                .build()).create();

        ReleaseResult result = release(RoutingMethod.SERVICE_SELECTOR).build().run(engine, "myapp:v2");

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertTrue(result.error().orElseThrow().getMessage().contains("Service " + ns + "/myapp-green-test already exists "
                + "and was not created by the SDK"), result.error().orElseThrow().getMessage());
        assertEquals(java.util.Map.of("app", "other"), testService("green").getSpec().getSelector(), "left as it is");
        assertLive(RoutingMethod.SERVICE_SELECTOR, "blue");
    }

    private io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget pdb() {
        return client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("myapp-live-pdb").get();
    }

    @Test
    void aPodDisruptionBudgetCoversTheLiveColorBeforeTheDeployAndFollowsTheSwitch() {
        java.util.List<String> selectedDuringSmoke = new CopyOnWriteArrayList<>();
        ReleaseResult result = release(RoutingMethod.INGRESS).podDisruptionBudget("2")
                .smokeGate(HealthGate.named("pdb-seen", ctx -> {
                    selectedDuringSmoke.add(pdb().getSpec().getSelector().getMatchLabels().get("version"));
                    return GateResult.passed("seen");
                })).build().run(engine, "myapp:v2");

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("blue"), selectedDuringSmoke, "the live color is protected while the new one is tested");
        assertEquals(java.util.Map.of("app", "myapp", "version", "green"), pdb().getSpec().getSelector().getMatchLabels());
        assertEquals(2, pdb().getSpec().getMinAvailable().getIntVal());
    }

    @Test
    void aPodDisruptionBudgetMovesBackWithTheRollback() {
        ReleaseResult result = release(RoutingMethod.SERVICE_SELECTOR).podDisruptionBudget("50%")
                .observationGate(HealthGate.named("error-rate", ctx -> GateResult.failed("5xx at 3%"))).build()
                .run(engine, "myapp:v2");

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals("blue", pdb().getSpec().getSelector().getMatchLabels().get("version"));
        assertEquals("50%", pdb().getSpec().getMinAvailable().getStrVal());
    }

    @Test
    void anInvalidMinAvailableIsRejectedNamingTheValueAndWhatWasExpected() {
        dev.bluegreen.ConfigurationException error = org.junit.jupiter.api.Assertions.assertThrows(
                dev.bluegreen.ConfigurationException.class, () -> release(RoutingMethod.INGRESS).podDisruptionBudget("half"));
        assertEquals("PodDisruptionBudget minAvailable must be a number of pods (e.g. \"2\") or a percentage from 0% to "
                + "100% (e.g. \"50%\"), but was 'half'", error.getMessage());
    }
}
