package dev.bluegreen.argo;

import static dev.bluegreen.argo.ArgoFixtures.NAMESPACE;
import static dev.bluegreen.argo.ArgoFixtures.TIMEOUT;
import static dev.bluegreen.argo.ArgoFixtures.activeSelector;
import static dev.bluegreen.argo.ArgoFixtures.healthyRollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.Color;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.testkit.Fault;
import dev.bluegreen.testkit.LoadGenerator;
import dev.bluegreen.testkit.LoadReport;
import dev.bluegreen.testkit.RequestLog;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gates over a Rollout, the fallback to the main resource where a server has no status subresource, and the
 * active Service under load while the plugin's operations promote and abort.
 */
@ExtendWith(SimulatedClusterExtension.class)
class ArgoGatesAndFallbackTest {

    private static GateContext context(String hash) {
        return GateContext.builder().releaseId("r-1").app("web").namespace(NAMESPACE)
                .candidate(Color.of(hash), "web:v2").build();
    }

    private static void analysisRun(SimulatedCluster cluster, String name, String hash, String phase, String metric,
            String message) {
        String yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisRun
                metadata:
                  name: %s
                  labels: {rollouts-pod-template-hash: %s}
                spec: {metrics: [{name: %s}]}
                """.formatted(name, hash, metric);
        GenericKubernetesResource run = cluster.client().resource(Serialization.unmarshal(yaml,
                GenericKubernetesResource.class)).create();
        cluster.client().resource(run).subresource("status").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"" + phase + "\",\"metricResults\":[{\"name\":\"" + metric + "\",\"phase\":\""
                        + phase + "\",\"count\":3,\"failed\":" + ("Failed".equals(phase) ? 2 : 0) + ",\"message\":\""
                        + message + "\"}]}}");
    }

    @Test
    void theAnalysisGatePassesSuccessfulRunsFailsFailedOnesWithTheirMetricMessagesAndIsInconclusiveOtherwise(
            SimulatedCluster cluster) throws Exception {
        healthyRollout(cluster, "web");
        HealthGate gate = ArgoBlueGreen.analysisGate(cluster.client(), NAMESPACE, "web");

        GateResult none = gate.evaluate(context("h2"));
        assertEquals(GateStatus.INCONCLUSIVE, none.status());
        assertEquals("Rollout default/web has no AnalysisRun of revision h2 yet", none.reason());

        analysisRun(cluster, "web-h2-pre", "h2", "Successful", "success-rate", "");
        GateResult passed = gate.evaluate(context("h2"));
        assertEquals(GateStatus.PASSED, passed.status(), passed.reason());
        assertEquals(1, passed.measurements().get("successful").intValue());

        analysisRun(cluster, "web-h2-post", "h2", "Failed", "error-rate", "value 0.2 above 0.05");
        GateResult failed = gate.evaluate(context("h2"));
        assertEquals(GateStatus.FAILED, failed.status());
        assertEquals("AnalysisRuns of revision h2 failed: AnalysisRun web-h2-post: Failed [error-rate: Failed "
                + "(3 measurements, 2 failed): value 0.2 above 0.05]", failed.reason());

        analysisRun(cluster, "web-h3-pre", "h3", "Inconclusive", "latency", "no data");
        assertEquals(GateStatus.INCONCLUSIVE, gate.evaluate(context("h3")).status());
    }

    @Test
    void thePhaseGatePassesAPausedPreviewAndAHealthyPromotionAndFailsADegradedRollout(SimulatedCluster cluster)
            throws Exception {
        ArgoRollout web = healthyRollout(cluster, "web");
        HealthGate gate = ArgoBlueGreen.phaseGate(cluster.client(), NAMESPACE, "web");
        web.setImage("app", "web:v2");
        String v2 = web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT).currentHash();

        GateResult paused = gate.evaluate(context(v2));
        assertEquals(GateStatus.PASSED, paused.status(), paused.reason());
        assertEquals("Rollout default/web waits for promotion with revision 2 (" + v2 + ") ready behind the preview "
                + "Service", paused.reason());
        assertEquals(GateStatus.FAILED, gate.evaluate(context("other")).status());

        web.abort();
        web.awaitPhase(RolloutPhase.DEGRADED, TIMEOUT);
        GateResult degraded = gate.evaluate(context(v2));
        assertEquals(GateStatus.FAILED, degraded.status());
        assertEquals("Rollout default/web is Degraded: RolloutAborted: Rollout aborted update to revision 2",
                degraded.reason());
    }

    @Test
    void aStatusPatchAnswered404GoesToTheMainResourceAsOnePatch(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        web.setImage("app", "web:v2");
        web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
        cluster.faults().when(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/rollouts/web/status"))
                .inject(Fault.status(404));
        RequestLog.Mark mark = cluster.requests().mark();

        web.promote();

        List<String> patches = cluster.requests().fromUsersSince(mark).stream().filter(r -> r.method().equals("PATCH"))
                .map(r -> r.pathWithoutQuery().substring(r.pathWithoutQuery().indexOf("/rollouts/")) + " " + r.body())
                .toList();
        assertEquals(List.of("/rollouts/web/status {\"status\":{\"pauseConditions\":null}}",
                "/rollouts/web {\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}"), patches);
        // The simulated server does have the subresource (the 404 was injected), so it keeps the status out of the
        // main resource's patch, as a real one would; a server without it applies the status there.
        assertEquals(false, web.get().paused());
    }

    @Test
    void theActiveServiceFailsNoRequestWhilePromoteMovesTrafficAndWhileAbortKeepsIt(SimulatedCluster cluster)
            throws Exception {
        ArgoRollout web = healthyRollout(cluster, "web");
        cluster.awaitSettled(TIMEOUT);
        cluster.dataPlane().awaitSynced(TIMEOUT);
        URI active = cluster.dataPlane().serviceUrl(NAMESPACE, "web-active");
        LoadReport report;
        try (LoadGenerator load = LoadGenerator.to(active).concurrency(4).ratePerSecond(200).start()) {
            load.whenResponses(s -> "web:v1".equals(s.version()), 20).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            web.setImage("app", "web:v2");
            web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
            web.promote();
            String v2 = web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT).stableHash();
            load.whenResponses(s -> "web:v2".equals(s.version()), 50).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            web.setImage("app", "web:v3");
            web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
            web.abort();
            web.awaitPhase(RolloutPhase.DEGRADED, TIMEOUT);
            long seen = load.snapshot().requests();
            load.whenResponses(s -> s.sequence() > seen, 50).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
            assertEquals(v2, activeSelector(cluster.client(), "web-active"));
        }

        assertEquals(0, report.failed(), report::summary);
        assertEquals(List.of("web:v1", "web:v2"), List.copyOf(report.byVersion().keySet()), report::summary);
        assertTrue(report.requests() > 100, report::summary);
    }
}
