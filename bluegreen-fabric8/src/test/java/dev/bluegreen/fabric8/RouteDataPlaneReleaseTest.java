package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.LoadGenerator;
import dev.bluegreen.testkit.LoadReport;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Releases of the guide's method 2 (Ingress) and of a Gateway API HTTPRoute under load, through the data plane's
 * address for the Ingress host and for the Gateway host: real HTTP requests routed by the objects as the data
 * plane's informers see them, then through the color Service's ready endpoints, counted by the load generator.
 * The approach of {@code DataPlaneReleaseTest} (the Service-selector method).
 */
@ExtendWith(SimulatedClusterExtension.class)
class RouteDataPlaneReleaseTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String V1 = "myapp:v1";
    private static final String V2 = "myapp:v2";
    private static final int CLIENTS = 8;
    /** Roomy: the machine may be shared with other builds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private SimulatedCluster cluster;
    private String ns;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    /** The method under test: its objects, its plan and the address clients use. */
    private enum Method { INGRESS, HTTP_ROUTE }

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        BlueGreenApp app = BlueGreenApp.named("myapp").image(V1).replicas(3).create(cluster);
        ns = app.namespace();
        conventions = BlueGreenConventions.forApp("myapp").namespace(ns).build();
        RouteFixtures.colorServices(cluster, ns);
    }

    private URI address(Method method) {
        URI address;
        if (method == Method.INGRESS) {
            RouteFixtures.ingress(cluster, ns, "blue");
            address = cluster.dataPlane().ingressUrl(RouteFixtures.HOST);
        } else {
            RouteFixtures.httpRoute(cluster, ns, "blue");
            address = cluster.dataPlane().gatewayUrl(RouteFixtures.HOST);
        }
        cluster.awaitSettled(WAIT);
        cluster.dataPlane().awaitSynced(WAIT);
        return address;
    }

    private ReleasePlan.Builder plan(Method method, String version) {
        ReleasePlan.Builder plan = method == Method.INGRESS
                ? KubernetesBlueGreen.ingressPlan(cluster.client(), conventions)
                : KubernetesBlueGreen.httpRoutePlan(cluster.client(), conventions);
        return plan.version(version).timeout(StandardStep.AWAIT_READY, WAIT)
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }

    private static LoadGenerator load(URI address) throws Exception {
        LoadGenerator load = LoadGenerator.to(address).concurrency(CLIENTS).ratePerSecond(400).start();
        load.whenResponses(s -> V1.equals(s.version()), 50).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return load;
    }

    private LoadReport release(Method method) throws Exception {
        URI address = address(method);
        LoadReport report;
        ReleaseResult result;
        try (LoadGenerator load = load(address)) {
            result = engine.run(plan(method, V2).build());
            load.whenResponses(s -> V2.equals(s.version()), 100).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }
        System.out.println(method + " release under load: " + result.outcome() + "; " + report.summary());
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        assertEquals(List.of(V1, V2), List.copyOf(report.byVersion().keySet()));
        LoadReport.Sample first = firstOf(report, V2);
        assertEquals(0, report.count(s -> V1.equals(s.version()) && s.sequence() >= first.sequence() + CLIENTS),
                "requests sent well after the switch still answered by v1: " + report.versionSequence());
        return report;
    }

    private LoadReport rollback(Method method) throws Exception {
        URI address = address(method);
        LoadReport report;
        ReleaseResult result;
        try (LoadGenerator load = load(address)) {
            HealthGate failsAfterV2Answered = HealthGate.named("error-budget", ctx -> {
                load.whenResponses(s -> V2.equals(s.version()), 20).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                return GateResult.failed("latency above the budget");
            });
            result = engine.run(plan(method, V2).postSwitchGate(failsAfterV2Answered).build());
            load.whenResponses(s -> V1.equals(s.version()), 100).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }
        System.out.println(method + " rollback under load: " + result.outcome() + "; " + report.summary());
        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        assertTrue(report.byVersion().get(V2) >= 20, report::summary);
        List<String> sequence = report.versionSequence();
        assertEquals(V1, sequence.get(sequence.size() - 1), "traffic is back on v1: " + sequence);
        LoadReport.Sample lastV2 = report.samples().stream().filter(s -> V2.equals(s.version())).reduce((a, b) -> b)
                .orElseThrow();
        assertEquals(0, report.count(s -> V2.equals(s.version()) && s.sequence() > lastV2.sequence()));
        return report;
    }

    private static LoadReport.Sample firstOf(LoadReport report, String version) {
        return report.samples().stream().filter(s -> version.equals(s.version())).findFirst().orElseThrow();
    }

    @Test
    void anIngressReleaseUnderLoadFailsNoRequestAndMovesEveryRequestFromV1ToV2() throws Exception {
        release(Method.INGRESS);
    }

    @Test
    void anIngressReleaseThatRollsBackUnderLoadFailsNoRequestAndEndsWithEveryRequestOnV1() throws Exception {
        rollback(Method.INGRESS);
    }

    @Test
    void anHttpRouteReleaseUnderLoadFailsNoRequestAndMovesEveryRequestFromV1ToV2() throws Exception {
        release(Method.HTTP_ROUTE);
    }

    @Test
    void anHttpRouteReleaseThatRollsBackUnderLoadFailsNoRequestAndEndsWithEveryRequestOnV1() throws Exception {
        rollback(Method.HTTP_ROUTE);
    }
}
