package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.Color;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Gateway API releases end to end: an HTTPRoute's backendRefs move between the color Services. */
@ExtendWith(SimulatedClusterExtension.class)
class HttpRouteReleaseTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private SimulatedCluster cluster;
    private KubernetesClient client;
    private String ns;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final KubernetesOptions options = KubernetesOptions.builder().time(time).build();
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        ns = cluster.namespace();
        BlueGreenApp.named("myapp").image("myapp:v1").replicas(3).create(cluster);
        RouteFixtures.colorServices(cluster, ns);
        RouteFixtures.httpRoute(cluster, ns, "blue");
        conventions = BlueGreenConventions.forApp("myapp").namespace(ns).build();
    }

    private ReleasePlan.Builder plan(String version, BackendSelection selection) {
        return KubernetesBlueGreen.httpRoutePlan(client, conventions, selection, options).version(version)
                .timeout(StandardStep.AWAIT_READY, Duration.ofSeconds(10))
                .retention(Retention.keepRunning());
    }

    /** @return each rule's backendRefs as {@code service=weight}, rule by rule */
    private List<String> refs() {
        HTTPRoute route = RouteFixtures.route(client, ns);
        return route.getSpec().getRules().stream().map(rule -> rule.getBackendRefs().stream()
                .map(ref -> ref.getName() + "=" + ref.getWeight()).collect(Collectors.joining(",")))
                .collect(Collectors.toList());
    }

    private long routePatches() {
        return cluster.requests().fromUsers().stream()
                .filter(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/httproutes/myapp-route")).count();
    }

    private void setRefs(int rule, String... services) {
        client.resources(HTTPRoute.class).inNamespace(ns).withName("myapp-route").edit(route -> {
            route.getSpec().getRules().get(rule).setBackendRefs(java.util.Arrays.stream(services)
                    .map(s -> RouteFixtures.backend(s.split("=")[0], Integer.parseInt(s.split("=")[1])))
                    .collect(Collectors.toList()));
            return route;
        });
    }

    @Test
    void aReleaseMovesEveryBackendRefOfTheLiveColorInOneWriteWithWeights100To0AndLeavesOtherRulesAlone() {
        HTTPRoute before = RouteFixtures.route(client, ns);
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertEquals(List.of("docs-svc=1", "myapp-blue-svc=0,myapp-green-svc=100", "myapp-green-svc=1"), refs());
        assertEquals(1, routePatches(), "one write: " + cluster.requests());
        HTTPRoute after = RouteFixtures.route(client, ns);
        assertEquals(before.getSpec().getHostnames(), after.getSpec().getHostnames());
        assertEquals(before.getSpec().getParentRefs(), after.getSpec().getParentRefs());
        assertEquals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations());
        assertEquals(before.getSpec().getRules().get(1).getMatches(), after.getSpec().getRules().get(1).getMatches());
        String switched = result.step("switch").orElseThrow().detail();
        assertTrue(switched.contains("verified: HTTPRoute " + ns + "/myapp-route reaches 3 ready green backends"), switched);
    }

    @Test
    void aFailingPostSwitchGateMovesEveryBackendRefBack() {
        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all())
                .postSwitchGate(HealthGate.named("error-budget", ctx -> GateResult.failed("5xx above 1%"))).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals(List.of("docs-svc=1", "myapp-blue-svc=100,myapp-green-svc=0", "myapp-blue-svc=1"), refs());
    }

    @Test
    void aRouteSplitBetweenBothColorsIsReportedAsHalfSwitchedAndNotSwitched() {
        setRefs(1, "myapp-blue-svc=50", "myapp-green-svc=50");
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        String message = assertInstanceOf(PreflightException.class, result.error().orElseThrow()).getMessage();
        assertTrue(message.contains("HTTPRoute " + ns + "/myapp-route is half-switched: its backends send traffic to both "
                + "colors (rule 'api' backendRef 0 -> myapp-blue-svc (weight 50), rule 'api' backendRef 1 -> "
                + "myapp-green-svc (weight 50), rule 'main' backendRef 0 -> myapp-blue-svc (weight 1))"), message);
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void rulesThatDisagreeAreHalfSwitchedTooAndAreConvergedWhenTheCallerAsks() {
        setRefs(2, "myapp-green-svc=1");

        ReleaseResult refused = engine.run(plan("myapp:v2", BackendSelection.all()).build());
        assertEquals(Outcome.ABORTED, refused.outcome(), refused::summary);

        ReleaseResult converged = engine.run(plan("myapp:v2", BackendSelection.builder().convergeHalfSwitched().build())
                .build());
        assertEquals(Outcome.SUCCEEDED, converged.outcome(), converged::summary);
        assertEquals(List.of("docs-svc=1", "myapp-blue-svc=0,myapp-green-svc=100", "myapp-green-svc=1"), refs());
    }

    @Test
    void onlyTheNamedRuleMovesWhenTheCallerSelectsIt() {
        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.builder().rule("main").build()).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("docs-svc=1", "myapp-blue-svc=100,myapp-green-svc=0", "myapp-green-svc=1"), refs());
    }

    @Test
    void aMissingTargetServiceAbortsTheReleaseBeforeAnyWrite() {
        client.services().inNamespace(ns).withName("myapp-green-svc").delete();
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertTrue(assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems().get(0)
                .startsWith("Service " + ns + "/myapp-green-svc does not exist, and HTTPRoute " + ns + "/myapp-route "
                        + "would route to it"), result.error().orElseThrow().getMessage());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void aTargetServiceOnAnotherPortAbortsTheReleaseBeforeAnyWrite() {
        client.services().inNamespace(ns).withName("myapp-green-svc").delete();
        RouteFixtures.colorService(cluster, ns, "green", 8080);
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("Service " + ns + "/myapp-green-svc does not expose port 80, which HTTPRoute " + ns
                        + "/myapp-route uses (rule 'api' backendRef 0, rule 'api' backendRef 1, rule 'main' backendRef 0); "
                        + "its ports: [8080 (http)]. Expected the color Services to expose the same ports"),
                assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void aSelectionNamingARuleTheRouteDoesNotHaveIsRejectedBeforeAnyWrite() {
        cluster.requests().clear();
        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.builder().rule("main").rule("checkout").build())
                .build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("HTTPRoute " + ns + "/myapp-route has no rule named 'checkout' named in the backend selection "
                        + "(its rule names: [docs, api, main])"),
                assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems());
        assertEquals(0, ClusterState.userWrites(cluster));
    }
}
