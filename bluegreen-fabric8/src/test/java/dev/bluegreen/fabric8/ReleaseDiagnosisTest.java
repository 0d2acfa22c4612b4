package dev.bluegreen.fabric8;

import dev.bluegreen.CustomStep;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.fabric8.KubernetesDiagnosis.PodDiagnosis;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A release that fails, aborts or rolls back carries a diagnosis gathered from the cluster before the
 * candidate is given up; one that succeeds carries none.
 */
@ExtendWith(SimulatedClusterExtension.class)
class ReleaseDiagnosisTest {
    private SimulatedCluster cluster;
    private KubernetesClient client;
    private BlueGreenApp app;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z"));
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        app = BlueGreenApp.named("myapp").image("myapp:v1").replicas(2).create(cluster);
        conventions = BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build();
    }

    private ReleasePlan.Builder plan(String version) {
        return KubernetesBlueGreen.serviceSelectorPlan(client, conventions).version(version)
                .stepAfter(StandardStep.DEPLOY, CustomStep.of("settle", ctx -> cluster.awaitSettled(Duration.ofSeconds(10))))
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1)));
    }

    @Test
    void anAbortedReleaseOfACrashLoopingImageNamesTheCrashLoopingPodsWithTheirLastLogLines() {
        cluster.markImage("myapp:v2-crash", PodBehavior.CRASH_LOOP.withLogLines("connecting to db:5432",
                "panic: no database"));

        ReleaseResult result = engine.run(plan("myapp:v2-crash").timeout(StandardStep.AWAIT_READY, Duration.ofMillis(300))
                .build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        KubernetesDiagnosis diagnosis = KubernetesDiagnosis.of(result).orElseThrow(() -> new AssertionError(result.summary()));
        assertEquals("pods app=myapp,version=green of Deployment " + app.namespace() + "/myapp-green", diagnosis.subject());
        assertEquals(2, diagnosis.pods().size(), diagnosis::render);
        for (PodDiagnosis pod : diagnosis.pods()) {
            assertTrue(pod.name().startsWith("myapp-green-"), pod.name());
            assertFalse(pod.ready());
            assertEquals("CrashLoopBackOff", pod.waitingReason().orElseThrow(), pod::summary);
            assertTrue(pod.restarts() > 0, pod::summary);
            assertEquals("exit code 1 (Error)", pod.lastTermination().orElseThrow());
            assertEquals(List.of("connecting to db:5432", "panic: no database"), pod.logTail(), diagnosis::render);
            assertTrue(pod.previousLogs(), "the crashed container's own lines");
            assertTrue(pod.events().stream().anyMatch(e -> e.startsWith("BackOff")), pod.events().toString());
        }
        assertEquals(diagnosis.pods(), diagnosis.failingPods());
        String crashing = diagnosis.pods().get(0).name();
        assertTrue(diagnosis.findings().get(0).startsWith(crashing + " Running, not ready, "), diagnosis.findings().toString());
        assertTrue(diagnosis.findings().get(0).contains("waiting: CrashLoopBackOff"), diagnosis.findings().toString());
        // The live Service still reaches blue only: the diagnosis shows it.
        assertEquals(2, diagnosis.endpoints().ready().size(), diagnosis::render);
        assertTrue(diagnosis.endpoints().ready().stream().allMatch(e -> e.startsWith("myapp-blue-")), diagnosis::render);
        // Readable, in the result's summary too.
        assertTrue(diagnosis.toString().contains("pod " + crashing + " Running, not ready"), diagnosis::render);
        assertTrue(diagnosis.toString().contains("last log lines (previous container):\n      connecting to db:5432\n"
                + "      panic: no database"), diagnosis::render);
        assertTrue(result.summary().contains("diagnosis: diagnosis of pods app=myapp,version=green"), result::summary);
    }

    @Test
    void aReleaseWhoseNewPodsFailTheirReadinessProbeShowsTheUnhealthyEvents() {
        cluster.markImage("myapp:v2-unready", PodBehavior.NEVER_READY);

        ReleaseResult result = engine.run(plan("myapp:v2-unready").timeout(StandardStep.AWAIT_READY, Duration.ofMillis(300))
                .build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        KubernetesDiagnosis diagnosis = KubernetesDiagnosis.of(result).orElseThrow();
        PodDiagnosis pod = diagnosis.pods().get(0);
        assertEquals("Running", pod.phase(), diagnosis::render);
        assertFalse(pod.ready());
        assertEquals(0, pod.restarts());
        assertTrue(pod.waitingReason().isEmpty());
        assertTrue(pod.events().stream().anyMatch(e -> e.startsWith("Unhealthy") && e.contains("Readiness probe failed")),
                diagnosis::render);
    }

    @Test
    void aRolledBackReleaseCarriesTheDiagnosisOfTheColorItSwitchedAwayFrom() {
        cluster.markImage("myapp:v2-noisy", PodBehavior.HEALTHY.withLogLines("ERROR payment provider unreachable"));
        KubernetesGates gates = KubernetesGates.using(client);

        ReleaseResult result = engine.run(plan("myapp:v2-noisy").postSwitchGate(gates.logErrors()).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        KubernetesDiagnosis diagnosis = KubernetesDiagnosis.of(result).orElseThrow(() -> new AssertionError(result.summary()));
        assertEquals(2, diagnosis.pods().size(), diagnosis::render);
        assertTrue(diagnosis.pods().stream().allMatch(PodDiagnosis::ready), diagnosis::render);
        assertTrue(diagnosis.endpoints().ready().stream().allMatch(e -> e.startsWith("myapp-green-")),
                "gathered right after the failure, before switching back: " + diagnosis.render());
    }

    @Test
    void aSuccessfulReleaseCarriesNoDiagnosis() {
        ReleaseResult result = engine.run(plan("myapp:v2").postSwitchGate(HealthGate.allOf("live",
                KubernetesGates.using(client).endpointsReady(2))).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertTrue(result.diagnosis().isEmpty());
        assertFalse(result.summary().contains("diagnosis"));
    }
}
