package dev.bluegreen.argo;

import static dev.bluegreen.argo.ArgoFixtures.NAMESPACE;
import static dev.bluegreen.argo.ArgoFixtures.TIMEOUT;
import static dev.bluegreen.argo.ArgoFixtures.activeSelector;
import static dev.bluegreen.argo.ArgoFixtures.healthyRollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.testkit.LoadGenerator;
import dev.bluegreen.testkit.LoadReport;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The guide's Method 3 as a release plan on the simulated cluster: set image, wait Paused, gates against the preview
 * Service, promote, wait Healthy, observe; abort or undo on failure. The active Service is under load throughout.
 */
@ExtendWith(SimulatedClusterExtension.class)
class ArgoReleasePlanTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int CLIENTS = 4;

    private SimulatedCluster cluster;
    private ArgoRollout web;
    private String v1;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    @BeforeEach
    void createRollout(SimulatedCluster simulated) {
        cluster = simulated;
        web = healthyRollout(cluster, "web");
        v1 = web.status().stableHash();
        cluster.awaitSettled(TIMEOUT);
        cluster.dataPlane().awaitSynced(TIMEOUT);
    }

    private ReleasePlan.Builder plan(String version) {
        return ArgoBlueGreen.plan(cluster.client(), NAMESPACE, "web", "app", options()).version(version)
                .timeout(StandardStep.AWAIT_READY, TIMEOUT)
                .timeout(StandardStep.SWITCH, TIMEOUT);
    }

    /** The Lease's times on the test's clock, so a lock expires when the test moves the clock. */
    private dev.bluegreen.fabric8.KubernetesOptions options() {
        return dev.bluegreen.fabric8.KubernetesOptions.builder().time(time).build();
    }

    private LoadGenerator load() throws Exception {
        URI active = cluster.dataPlane().serviceUrl(NAMESPACE, "web-active");
        LoadGenerator load = LoadGenerator.to(active).concurrency(CLIENTS).ratePerSecond(200).start();
        load.whenResponses(s -> "web:v1".equals(s.version()), 20).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return load;
    }

    /** A smoke test against the preview Service the candidate names: its /version answers the release's version. */
    private HealthGate previewAnswers() {
        return HealthGate.named("preview-smoke", ctx -> {
            String service = ctx.candidate().reachAt().substring(ctx.candidate().reachAt().lastIndexOf('/') + 1);
            URI url = cluster.dataPlane().serviceUrl(NAMESPACE, service).resolve("/version");
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofString());
            String version = answer.body().trim();
            return version.equals(ctx.version()) ? GateResult.passed(service + " answers " + version)
                    : GateResult.failed(service + " answers " + version + ", expected " + ctx.version());
        });
    }

    @Test
    void aMethodThreeReleasePromotesAfterThePreviewPassesWithoutFailingARequestThroughTheActiveService()
            throws Exception {
        ReleaseResult result;
        LoadReport report;
        try (LoadGenerator load = load()) {
            result = engine.run(plan("web:v2").preSwitchGate(previewAnswers())
                    .preSwitchGate(ArgoBlueGreen.phaseGate(cluster.client(), NAMESPACE, "web"))
                    .postSwitchGate(ArgoBlueGreen.phaseGate(cluster.client(), NAMESPACE, "web")).build());
            load.whenResponses(s -> "web:v2".equals(s.version()), 50).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        RolloutStatus status = web.status();
        assertEquals(RolloutPhase.HEALTHY, status.phase());
        assertEquals(status.currentHash(), result.liveColor().orElseThrow().name());
        assertEquals(status.currentHash(), activeSelector(cluster.client(), "web-active"));
        assertEquals("web:v2", report.versionSequence().get(report.versionSequence().size() - 1));
        assertTrue(result.summary().contains("preview-smoke"), result::summary);
        ReleaseStatus record = KubernetesBlueGreen.status(cluster.client(),
                BlueGreenConventions.forApp("web").namespace(NAMESPACE).build());
        assertTrue(!record.running(), "the Lease lock is released: " + record);
        assertEquals(Outcome.SUCCEEDED, record.record().orElseThrow().outcome());
    }

    @Test
    void aFailedPrePromotionGateAbortsTheRolloutAndLiveTrafficNeverLeavesTheStableRevision() throws Exception {
        ReleaseResult result;
        LoadReport report;
        try (LoadGenerator load = load()) {
            result = engine.run(plan("web:v2")
                    .preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("checkout returns 500"))).build());
            report = load.stop();
        }

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        assertEquals(0, report.count(s -> "web:v2".equals(s.version())), "no request reached v2: " + report.summary());
        RolloutStatus status = web.awaitPhase(RolloutPhase.DEGRADED, TIMEOUT);
        assertEquals("RolloutAborted: Rollout aborted update to revision 2", status.message());
        assertEquals(v1, activeSelector(cluster.client(), "web-active"));
        assertEquals(v1, result.liveColor().orElseThrow().name());
    }

    @Test
    void aFailedPostPromotionGateRollsBackByUndoAndTrafficEndsOnTheFirstRevisionWithoutAFailedRequest()
            throws Exception {
        ReleaseResult result;
        LoadReport report;
        try (LoadGenerator load = load()) {
            HealthGate errorBudget = HealthGate.named("error-budget", ctx -> {
                load.whenResponses(s -> "web:v2".equals(s.version()), 20).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return GateResult.failed("latency above the budget");
            });
            result = engine.run(plan("web:v2").postSwitchGate(errorBudget).build());
            load.whenResponses(s -> "web:v1".equals(s.version()), 50).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        assertEquals(v1, result.liveColor().orElseThrow().name());
        assertEquals(v1, activeSelector(cluster.client(), "web-active"));
        RolloutStatus status = web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT);
        assertEquals(v1, status.stableHash());
        assertEquals(3, status.revision(), "undo brought revision 1's template back as revision 3");
        assertEquals("web:v1", report.versionSequence().get(report.versionSequence().size() - 1));
    }

    @Test
    void aReleaseThatCrashedAfterPromotionIsRefusedByTheNextAndRecoveredByUndoToTheLastGoodRevision() throws Exception {
        java.util.concurrent.CountDownLatch crashed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch gone = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ScheduledExecutorService crashedScheduler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        ReleaseEngine doomed = ReleaseEngine.builder().time(time).scheduler(crashedScheduler).listener(event -> {
            if (event instanceof dev.bluegreen.event.StepStarted started
                    && started.step().equals(StandardStep.OBSERVE.stepName())) {
                crashed.countDown();
                try {
                    gone.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the crashed process is gone");
            }
        }).build();
        try {
            doomed.start(ArgoBlueGreen.plan(cluster.newClient(), NAMESPACE, "web", null, options()).version("web:v2")
                    .timeout(StandardStep.AWAIT_READY, TIMEOUT).timeout(StandardStep.SWITCH, TIMEOUT).build());
            assertTrue(crashed.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            crashedScheduler.shutdownNow();
            String v2 = web.status().stableHash();
            assertEquals(v2, activeSelector(cluster.client(), "web-active"), "the crash came right after the switch");
            time.advance(dev.bluegreen.spi.LockTiming.DEFAULT.leaseDuration().plusSeconds(1));

            ReleaseResult refused = engine.run(plan("web:v3").build());
            assertEquals(Outcome.ABORTED, refused.outcome(), refused::summary);
            assertTrue(refused.error().orElseThrow() instanceof dev.bluegreen.UnfinishedReleaseException,
                    refused::summary);
            assertEquals(v2, web.status().stableHash(), "refusing changes nothing");

            ReleaseResult recovered = engine.recover(plan("web:v3").build(), dev.bluegreen.RecoveryPolicy.ROLL_BACK);

            assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
            assertEquals(v1, activeSelector(cluster.client(), "web-active"));
            assertEquals(v1, web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT).stableHash());
        } finally {
            gone.countDown();
        }
    }

    @Test
    void aRolloutThatPromotesByItselfIsRefusedBeforeAnyWrite() {
        cluster.client().genericKubernetesResources(Rollout.API_VERSION, Rollout.KIND).inNamespace(NAMESPACE)
                .withName("web").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"spec\":{\"strategy\":{\"blueGreen\":{\"autoPromotionEnabled\":true}}}}");

        ReleaseResult result = engine.run(plan("web:v2").build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertTrue(result.error().orElseThrow() instanceof PreflightException, result::summary);
        assertTrue(result.error().orElseThrow().getMessage().contains("Rollout default/web promotes by itself "
                + "(spec.strategy.blueGreen.autoPromotionEnabled is true or unset), so gates could not run before the "
                + "switch; set it to false"), result.error().orElseThrow().getMessage());
        assertEquals("web:v1", web.status().images().get("app"));
    }
}
