package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The guide's method 2 end to end: releases that move an Ingress's backends between the color Services. */
@ExtendWith(SimulatedClusterExtension.class)
class IngressReleaseTest {
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
        RouteFixtures.ingress(cluster, ns, "blue");
        conventions = BlueGreenConventions.forApp("myapp").namespace(ns).build();
    }

    private ReleasePlan.Builder plan(String version, BackendSelection selection) {
        return KubernetesBlueGreen.ingressPlan(client, conventions, selection, options).version(version)
                .timeout(StandardStep.AWAIT_READY, Duration.ofSeconds(10))
                .retention(Retention.keepRunning());
    }

    private Ingress ingress() {
        return RouteFixtures.ingress(client, ns);
    }

    /** @return every backend's Service name: default backend first, then each path in order */
    private List<String> backends() {
        Ingress ingress = ingress();
        return Stream.concat(Stream.of(ingress.getSpec().getDefaultBackend().getService().getName()),
                ingress.getSpec().getRules().stream().flatMap(r -> r.getHttp().getPaths().stream())
                        .map(HTTPIngressPath::getBackend).map(b -> b.getService().getName())).collect(Collectors.toList());
    }

    private long ingressPatches() {
        return cluster.requests().fromUsers().stream()
                .filter(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/ingresses/myapp-ingress")).count();
    }

    private void pointPathAt(int rule, int path, String service) {
        client.network().v1().ingresses().inNamespace(ns).withName("myapp-ingress").edit(i -> {
            i.getSpec().getRules().get(rule).getHttp().getPaths().get(path).getBackend().getService().setName(service);
            return i;
        });
    }

    @Test
    void aReleaseMovesEveryBackendOfTheLiveColorInOneWriteAndLeavesOtherRulesAnnotationsTlsAndPortsAlone() {
        Ingress before = ingress();
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertEquals(List.of("myapp-green-svc", "myapp-green-svc", "docs-svc", "myapp-green-svc"), backends());
        assertEquals(1, ingressPatches(), "one write: " + cluster.requests());
        Ingress after = ingress();
        assertEquals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations());
        assertEquals(before.getSpec().getTls(), after.getSpec().getTls());
        assertEquals("nginx", after.getSpec().getIngressClassName());
        assertEquals("http", after.getSpec().getRules().get(1).getHttp().getPaths().get(0).getBackend().getService()
                .getPort().getName(), "the port is kept");
        assertEquals(80, after.getSpec().getDefaultBackend().getService().getPort().getNumber());
        String switched = result.step("switch").orElseThrow().detail();
        assertTrue(switched.contains("verified: Ingress " + ns + "/myapp-ingress reaches 3 ready green backends"), switched);
        assertEquals("myapp:v2", client.apps().deployments().inNamespace(ns).withName("myapp-green").get().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void aFailingPostSwitchGateSwitchesEveryBackendBackToTheLiveColor() {
        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all())
                .postSwitchGate(HealthGate.named("error-budget", ctx -> GateResult.failed("5xx above 1%"))).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals(List.of("myapp-blue-svc", "myapp-blue-svc", "docs-svc", "myapp-blue-svc"), backends());
        assertEquals(0, client.apps().deployments().inNamespace(ns).withName("myapp-green").get().getSpec().getReplicas(),
                "the candidate is given up");
    }

    @Test
    void aHalfSwitchedIngressIsReportedAndNotSwitched() {
        pointPathAt(1, 0, "myapp-green-svc");
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        PreflightException error = assertInstanceOf(PreflightException.class, result.error().orElseThrow());
        assertTrue(error.getMessage().contains("Ingress " + ns + "/myapp-ingress is half-switched: its backends send "
                + "traffic to both colors (the default backend -> myapp-blue-svc, host myapp.example.com path / -> "
                + "myapp-blue-svc, host api.example.com path /v1 -> myapp-green-svc)"), error.getMessage());
        assertTrue(error.getMessage().contains("convergeHalfSwitched()"), error.getMessage());
        assertEquals(0, ClusterState.userWrites(cluster), "nothing written: " + cluster.requests());
        assertEquals(List.of("myapp-blue-svc", "myapp-blue-svc", "docs-svc", "myapp-green-svc"), backends());
    }

    @Test
    void aHalfSwitchedIngressIsConvergedOntoTheNewColorWhenTheCallerAsks() {
        pointPathAt(1, 0, "myapp-green-svc");

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.builder().convergeHalfSwitched().build())
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("myapp-green-svc", "myapp-green-svc", "docs-svc", "myapp-green-svc"), backends());
    }

    @Test
    void aMissingTargetServiceAbortsTheReleaseBeforeAnyWrite() {
        client.services().inNamespace(ns).withName("myapp-green-svc").delete();
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("Service " + ns + "/myapp-green-svc does not exist, and Ingress " + ns + "/myapp-ingress "
                        + "would route to it after the switch; expected the green color's Service selecting its pods "
                        + "(create it, or set BlueGreenConventions.colorServiceNamePattern)"),
                assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void aTargetServiceThatDoesNotExposeThePortTheIngressUsesAbortsTheReleaseBeforeAnyWrite() {
        client.services().inNamespace(ns).withName("myapp-green-svc").delete();
        RouteFixtures.colorService(cluster, ns, "green", 8080);
        cluster.requests().clear();

        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.all()).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(List.of("Service " + ns + "/myapp-green-svc does not expose port 80, which Ingress " + ns
                        + "/myapp-ingress uses (the default backend, host myapp.example.com path /); its ports: "
                        + "[8080 (http)]. Expected the color Services to expose the same ports"),
                assertInstanceOf(PreflightException.class, result.error().orElseThrow()).problems());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void onlyTheNamedHostMovesWhenTheCallerSelectsIt() {
        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.builder().host(RouteFixtures.API_HOST).build())
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(List.of("myapp-blue-svc", "myapp-blue-svc", "docs-svc", "myapp-green-svc"), backends());
    }

    @Test
    void aSelectionNamingAHostTheIngressDoesNotHaveIsRejectedBeforeAnyWrite() {
        cluster.requests().clear();
        ReleaseResult result = engine.run(plan("myapp:v2", BackendSelection.builder().host("shop.example.org").build())
                .build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        String message = result.error().orElseThrow().getMessage();
        assertTrue(message.contains("has no selected (backends of hosts [shop.example.org]) backend carrying traffic"),
                message);
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void aSwitchDecidedBeforeSomeoneElsesEditIsAConflictAndTheirEditSurvives() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").scale(3);
        cluster.awaitSettled(Duration.ofSeconds(10));
        TrafficSwitcher switcher = KubernetesBlueGreen.ingressSwitcher(client, conventions, BackendSelection.all());
        RouteState decided = switcher.read(Deadline.after(Duration.ofSeconds(5)));
        client.network().v1().ingresses().inNamespace(ns).withName("myapp-ingress").edit(i -> {
            i.getMetadata().getAnnotations().put("owner", "alice");
            return i;
        });

        SwitchConflictException error = assertThrows(SwitchConflictException.class,
                () -> switcher.switchTo(Color.GREEN, decided, Deadline.after(Duration.ofSeconds(5))));

        assertTrue(error.getMessage().contains("nothing was written and their edit was kept"), error.getMessage());
        assertEquals("alice", ingress().getMetadata().getAnnotations().get("owner"));
        assertEquals("myapp-blue-svc", backends().get(0));
    }

    @Test
    void aSwitchToAColorWhoseServiceListsNoReadyPodIsRefusedBeforeAnyWrite() {
        TrafficSwitcher switcher = KubernetesBlueGreen.ingressSwitcher(client, conventions, BackendSelection.all());
        RouteState decided = switcher.read(Deadline.after(Duration.ofSeconds(5)));
        cluster.requests().clear();

        dev.bluegreen.ClusterApiException error = assertThrows(dev.bluegreen.ClusterApiException.class,
                () -> switcher.switchTo(Color.GREEN, decided, Deadline.after(Duration.ofMillis(300))));

        assertTrue(error.getMessage().startsWith("switch of Ingress " + ns + "/myapp-ingress to green refused before any "
                + "write: Service " + ns + "/myapp-green-svc did not reach only ready green pods"), error.getMessage());
        assertEquals(0, ingressPatches());
        assertEquals("myapp-blue-svc", backends().get(0));
    }

    @Test
    void aSwitchWhoseAnswerIsLostIsSettledByReadingAgainNotByWritingAgain() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").scale(3);
        cluster.awaitSettled(Duration.ofSeconds(10));
        KubernetesClient noRetries = cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
        TrafficSwitcher switcher = KubernetesBlueGreen.ingressSwitcher(noRetries, conventions, BackendSelection.all());
        RouteState decided = switcher.read(Deadline.after(Duration.ofSeconds(5)));
        var lost = cluster.faults().when(dev.bluegreen.testkit.RequestMatchers.method("PATCH")
                .and(dev.bluegreen.testkit.RequestMatchers.pathEndingWith("/ingresses/myapp-ingress")))
                .inject(dev.bluegreen.testkit.Fault.applyThenLoseResponse());
        cluster.requests().clear();

        dev.bluegreen.spi.SwitchResult result = switcher.switchTo(Color.GREEN, decided, Deadline.after(Duration.ofSeconds(5)));

        assertEquals(1, lost.timesFired());
        assertTrue(result.changed(), result::toString);
        assertEquals(Color.GREEN, result.to());
        assertEquals(1, ingressPatches(), "the write was not sent again: " + cluster.requests());
        assertEquals(List.of("myapp-green-svc", "myapp-green-svc", "docs-svc", "myapp-green-svc"), backends());
    }
}
