package dev.bluegreen.examples;

import dev.bluegreen.Color;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.InconclusivePolicy;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.gates.PrometheusGate;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.HttpBehavior;
import dev.bluegreen.testkit.LoadGenerator;
import dev.bluegreen.testkit.LoadReport;
import dev.bluegreen.testkit.PrometheusServer;
import dev.bluegreen.testkit.SimulatedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Releases decided by a real Prometheus (the {@code prometheus} binary; Debian's package in CI) that scrapes the
 * {@code /metrics} of the simulated cluster's pods, under load generated through the app's Service on the data
 * plane. The observation after the switch is the guide's error-ratio query for the new color, evaluated every
 * second on real time. Locally, without the binary, these tests are skipped naming the install command; with
 * {@code CI=true} a missing binary fails them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PrometheusReleaseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger APPS = new AtomicInteger();

    @TempDir
    static Path directory;
    private static SimulatedCluster cluster;
    private static PrometheusServer prometheus;

    private final ReleaseEngine engine = ReleaseEngine.create();

    @BeforeAll
    static void startClusterAndPrometheus() throws IOException {
        if (PrometheusServer.binary().isEmpty()) {
            String message = "no prometheus binary on the PATH";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + ", and with CI=true the tests against a real Prometheus must run; install it with: "
                        + PrometheusServer.INSTALL_COMMAND);
            }
            Assumptions.abort(message + ", so the tests against a real Prometheus are skipped; to run them: "
                    + PrometheusServer.INSTALL_COMMAND);
        }
        cluster = SimulatedCluster.start();
        prometheus = PrometheusServer.start(cluster, directory);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One app per test, in its own namespace, so that the tests' series never mix. */
    private record App(String name, String namespace, URI service, BlueGreenConventions conventions) {
        String image(String version) {
            return name + ":" + version;
        }
    }

    private static App app() {
        String name = "shop" + APPS.incrementAndGet();
        BlueGreenApp app = BlueGreenApp.named(name).namespace("prom-" + name).image(name + ":v1").replicas(2)
                .create(cluster);
        cluster.awaitSettled(WAIT);
        URI service = cluster.dataPlane().serviceUrl(app.namespace(), app.serviceName());
        cluster.dataPlane().awaitSynced(WAIT);
        return new App(name, app.namespace(), service,
                BlueGreenConventions.forApp(name).namespace(app.namespace()).build());
    }

    /**
     * The guide's error ratio of the new color's pods, above 5% fails, observed every second for 10 seconds from 3
     * seconds after the switch. Up to 3 inconclusive evaluations are tolerated: the new pods' series appear with
     * their first request, and a rate needs two scrapes of them (scrapes run every second).
     */
    private static HealthGate errorRatio(App app) {
        HealthGate query = PrometheusGate.errorRatio("error-ratio", 0.05)
                .server(prometheus.url().toString())
                .selector(context -> "namespace=\"" + app.namespace() + "\",app=\"" + app.name() + "\",version=\""
                        + context.candidate().color().name() + "\"")
                .window(Duration.ofSeconds(10))
                .build();
        return HealthGate.observe(query).name("error-ratio").initialDelay(Duration.ofSeconds(3)).every(Duration.ofSeconds(1))
                .lasting(Duration.ofSeconds(10)).inconclusiveLimit(3).build();
    }

    private static ReleasePlan.Builder plan(App app, String version) {
        return KubernetesBlueGreen.serviceSelectorPlan(cluster.client(), app.conventions()).version(app.image(version))
                .postSwitchGate(errorRatio(app))
                .timeout(StandardStep.AWAIT_READY, WAIT)
                .retention(Retention.keepRunning());
    }

    private static LoadGenerator load(App app) throws Exception {
        LoadGenerator load = LoadGenerator.to(app.service()).concurrency(4).ratePerSecond(100).start();
        load.whenResponses(sample -> app.image("v1").equals(sample.version()), 20).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return load;
    }

    private static GateEvaluation lastEvaluation(ReleaseResult result) {
        List<GateEvaluation> evaluations = result.gateEvaluations();
        assertTrue(!evaluations.isEmpty(), result::toString);
        return evaluations.get(evaluations.size() - 1);
    }

    @Test
    void aNewVersionAnsweringTwentyPercentErrorsFailsTheErrorRatioFromPrometheusAndIsRolledBack() throws Exception {
        App app = app();
        cluster.markImage(app.image("v2"), HttpBehavior.DEFAULT.withErrorRatio(0.2));
        ReleaseResult result;
        LoadReport report;
        try (LoadGenerator load = load(app)) {
            result = engine.run(plan(app, "v2").build());
            report = load.stop();
        }

        System.out.println("20% errors, decided by Prometheus: " + result.summary() + "\n" + report.summary());
        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        GateEvaluation failed = lastEvaluation(result);
        assertEquals(GateStatus.FAILED, failed.result().status(), failed::toString);
        double measured = failed.result().measurements().get("value").doubleValue();
        assertTrue(measured > 0.1 && measured < 0.3, "Prometheus measured about 20% errors: " + failed);
        assertTrue(report.failed() > 0, "the load generator saw the errors too: " + report.summary());
    }

    @Test
    void aHealthyNewVersionPassesTheErrorRatioFromPrometheusForTheWholeWindow() throws Exception {
        App app = app();
        ReleaseResult result;
        LoadReport report;
        try (LoadGenerator load = load(app)) {
            result = engine.run(plan(app, "v2").build());
            report = load.stop();
        }

        System.out.println("healthy, decided by Prometheus: " + result.summary() + "\n" + report.summary());
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        GateEvaluation passed = lastEvaluation(result);
        assertEquals(GateStatus.PASSED, passed.result().status(), passed::toString);
        assertEquals(0, report.failed(), report::summary);
    }

    @Test
    void withoutTrafficPrometheusHasNoDataSoTheGateIsInconclusiveAndTheDefaultPolicyRollsBack() throws Exception {
        App app = app();

        ReleaseResult result = engine.run(plan(app, "v2").build());

        System.out.println("no traffic, default policy: " + result.summary());
        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        GateEvaluation inconclusive = lastEvaluation(result);
        assertEquals(GateStatus.INCONCLUSIVE, inconclusive.result().status(), inconclusive::toString);
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
    }

    @Test
    void withoutTrafficAndAPlanThatProceedsOnInconclusiveGatesTheReleaseSucceedsWithAWarning() throws Exception {
        App app = app();

        ReleaseResult result = engine.run(plan(app, "v2").onInconclusive(InconclusivePolicy.PROCEED).build());

        System.out.println("no traffic, PROCEED: " + result.summary());
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
        assertTrue(result.warnings().stream().anyMatch(w -> w.startsWith("gate 'error-ratio' was inconclusive")),
                result::summary);
    }
}
