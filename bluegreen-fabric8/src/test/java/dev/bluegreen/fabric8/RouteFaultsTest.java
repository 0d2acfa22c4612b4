package dev.bluegreen.fabric8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.Color;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.Fault;
import dev.bluegreen.testkit.FaultRule;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariants for the Ingress and HTTPRoute methods under an API fault at each request of a release (a 500, or
 * a write applied whose answer is lost, alternately), with the client's own retries off so that every fault reaches
 * the SDK. After each run: I1 the router sends all traffic to one color that has available replicas; I3 the result's
 * live color is the router's; I4 no lock is left held, and a release the fault left unfinished is recovered. One
 * cluster per method: each run releases the next version to the color the previous run left idle.
 */
@ExtendWith(SimulatedClusterExtension.class)
class RouteFaultsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final KubernetesOptions options = KubernetesOptions.builder().time(time).build();
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    @Test
    void anIngressReleaseKeepsTheInvariantsUnderAFaultAtEachRequest(SimulatedCluster cluster) {
        BlueGreenApp.named("myapp").replicas(2).create(cluster);
        RouteFixtures.colorServices(cluster, cluster.namespace());
        RouteFixtures.ingress(cluster, cluster.namespace(), "blue");
        attackEachRequest(cluster, (client, conventions) -> KubernetesBlueGreen.ingressPlan(client, conventions,
                BackendSelection.all(), options), "Ingress");
    }

    @Test
    void anHttpRouteReleaseKeepsTheInvariantsUnderAFaultAtEachRequest(SimulatedCluster cluster) {
        BlueGreenApp.named("myapp").replicas(2).create(cluster);
        RouteFixtures.colorServices(cluster, cluster.namespace());
        RouteFixtures.httpRoute(cluster, cluster.namespace(), "blue");
        attackEachRequest(cluster, (client, conventions) -> KubernetesBlueGreen.httpRoutePlan(client, conventions,
                BackendSelection.all(), options), "HTTPRoute");
    }

    private void attackEachRequest(SimulatedCluster cluster,
                                   java.util.function.BiFunction<KubernetesClient, BlueGreenConventions, ReleasePlan.Builder> plans,
                                   String method) {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").namespace(cluster.namespace()).build();
        KubernetesClient noRetries = cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
        Function<String, ReleasePlan> plan = version -> plans.apply(noRetries, conventions).version(version)
                .timeout(StandardStep.AWAIT_READY, WAIT).timeout(StandardStep.PREFLIGHT, WAIT)
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1))).build();
        TrafficSwitcher switcher = plan.apply("myapp:v0").switcher();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> runs = new ArrayList<>();
        int version = 2;
        for (int index = 0; ; index++) {
            Fault fault = index % 2 == 0 ? Fault.status(500) : Fault.applyThenLoseResponse();
            FaultRule rule = cluster.faults().atUserRequest(index).inject(fault);
            ReleaseResult result = engine.run(plan.apply("myapp:v" + version++));
            boolean fired = rule.timesFired() > 0;
            cluster.faults().clear();
            String run = method + " fault " + fault + " at request " + index + ": " + result.outcome();
            runs.add(run);
            outcomes.merge(result.outcome().name(), 1, Integer::sum);
            cluster.awaitSettled(WAIT);
            RouteState route = switcher.read(Deadline.after(WAIT));
            // I3: the result tells the truth about the live color (or says it could not read it).
            if (result.liveColor().isPresent()) {
                assertEquals(route.live(), result.liveColor().get(), run + "\n" + result.summary());
            } else {
                assertTrue(result.error().orElseThrow().getMessage().contains("unknown"), run + "\n" + result.summary());
            }
            // I4: no lock left held; a release left unfinished is recovered.
            time.advance(LockTiming.DEFAULT.leaseDuration().plusSeconds(1));
            ReleaseStatus status = KubernetesBlueGreen.status(cluster.client(), conventions);
            assertFalse(status.running(), run + ": " + status);
            if (status.record().isPresent() && !status.record().get().finished()) {
                ReleaseResult recovered = engine.recover(plan.apply("myapp:v" + version++), RecoveryPolicy.ROLL_BACK);
                runs.add("  recovered: " + recovered.outcome());
                assertTrue(recovered.outcome() != Outcome.FAILED, run + " recovery: " + recovered.summary());
                cluster.awaitSettled(WAIT);
                route = switcher.read(Deadline.after(WAIT));
            }
            // I1: all traffic to one color, and that color has available replicas.
            Color live = route.live();
            assertTrue(live != null && route.problem() == null, run + ": " + route);
            Deployment deployment = cluster.client().apps().deployments().inNamespace(cluster.namespace())
                    .withName(conventions.deploymentName(live)).get();
            Integer available = deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
            assertTrue(available != null && available > 0, run + ": the live color " + live + " has no available replica");
            if (!fired) {
                break;
            }
        }
        System.out.println(method + " under a fault at each request: " + runs.size() + " runs, outcomes " + outcomes);
        assertTrue(runs.size() > 20, runs::toString);
        assertTrue(outcomes.getOrDefault("SUCCEEDED", 0) > 0 && outcomes.size() > 1, outcomes::toString);
    }
}
