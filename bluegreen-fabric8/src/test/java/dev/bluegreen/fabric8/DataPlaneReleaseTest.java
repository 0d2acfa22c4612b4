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
import dev.bluegreen.testkit.HttpBehavior;
import dev.bluegreen.testkit.LoadGenerator;
import dev.bluegreen.testkit.LoadReport;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Releases of the guide's method 1 under load, through the Service's address on the simulated cluster's data
 * plane: real HTTP requests that follow the EndpointSlices as kube-proxy would, counted by the test kit's load
 * generator.
 */
@ExtendWith(SimulatedClusterExtension.class)
class DataPlaneReleaseTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String V1 = "myapp:v1";
    private static final String V2 = "myapp:v2";
    private static final int CLIENTS = 8;
    /** Roomy: the machine may be shared with other builds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private SimulatedCluster cluster;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();
    private URI service;

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        BlueGreenApp app = BlueGreenApp.named("myapp").image(V1).replicas(3).create(cluster);
        conventions = BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build();
        cluster.awaitSettled(WAIT);
        service = cluster.dataPlane().serviceUrl(app.namespace(), app.serviceName());
        cluster.dataPlane().awaitSynced(WAIT);
    }

    private ReleasePlan.Builder plan(String version) {
        return KubernetesBlueGreen.serviceSelectorPlan(cluster.client(), conventions).version(version)
                .timeout(StandardStep.AWAIT_READY, WAIT)
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }

    private LoadGenerator load() throws Exception {
        LoadGenerator load = LoadGenerator.to(service).concurrency(CLIENTS).ratePerSecond(400).start();
        load.whenResponses(s -> V1.equals(s.version()), 50).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return load;
    }

    /** A post-switch gate that fails once the load generator has seen {@code count} answers of the new version. */
    private static HealthGate failsAfterV2Answered(LoadGenerator load, int count) {
        return HealthGate.named("error-budget", ctx -> {
            load.whenResponses(s -> V2.equals(s.version()), count).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return GateResult.failed("latency above the budget");
        });
    }

    @Test
    void aReleaseUnderLoadFailsNoRequestAndMovesEveryRequestFromV1ToV2() throws Exception {
        LoadReport report;
        ReleaseResult result;
        try (LoadGenerator load = load()) {
            result = engine.run(plan(V2).build());
            load.whenResponses(s -> V2.equals(s.version()), 100).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }

        System.out.println("release under load: " + result.outcome() + "; " + report.summary());
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        assertEquals(List.of(V1, V2), List.copyOf(report.byVersion().keySet()));
        assertMovedOnce(report, V1, V2);
    }

    @Test
    void aReleaseThatRollsBackUnderLoadFailsNoRequestAndEndsWithEveryRequestOnV1() throws Exception {
        LoadReport report;
        ReleaseResult result;
        try (LoadGenerator load = load()) {
            result = engine.run(plan(V2).postSwitchGate(failsAfterV2Answered(load, 20)).build());
            load.whenResponses(s -> V1.equals(s.version()), 100).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }

        System.out.println("rollback under load: " + result.outcome() + "; " + report.summary());
        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(0, report.failed(), report::summary);
        assertTrue(report.byVersion().get(V2) >= 20, report::summary);
        List<String> sequence = report.versionSequence();
        assertEquals(V1, sequence.get(0));
        assertEquals(V1, sequence.get(sequence.size() - 1), "traffic is back on v1: " + sequence);
        LoadReport.Sample lastV2 = report.samples().stream().filter(s -> V2.equals(s.version())).reduce((a, b) -> b).orElseThrow();
        assertEquals(0, report.count(s -> V2.equals(s.version()) && s.sequence() > lastV2.sequence()));
        // After the switch back, v2 answers only requests already on their way (at most one per client).
        LoadReport.Sample firstV1Back = report.samples().stream()
                .filter(s -> V1.equals(s.version()) && s.sequence() > firstOf(report, V2).sequence()).findFirst().orElseThrow();
        assertTrue(lastV2.sequence() < firstV1Back.sequence() + CLIENTS, sequence::toString);
    }

    @Test
    void aNewVersionAnsweringTwentyPercentErrorsIsCountedByTheLoadGeneratorAndRolledBack() throws Exception {
        cluster.markImage(V2, HttpBehavior.DEFAULT.withErrorRatio(0.2));
        LoadReport report;
        ReleaseResult result;
        try (LoadGenerator load = load()) {
            HealthGate errorRate = HealthGate.named("error-rate", ctx -> {
                load.whenResponses(s -> V2.equals(s.version()), 100).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                LoadReport seen = load.snapshot();
                long answered = seen.count(s -> V2.equals(s.version()));
                long failed = seen.count(s -> V2.equals(s.version()) && s.failed());
                double ratio = (double) failed / answered;
                GateResult verdict = ratio > 0.05
                        ? GateResult.failed(String.format("error rate %.1f%% above 5%%", ratio * 100))
                        : GateResult.passed(String.format("error rate %.1f%%", ratio * 100));
                return verdict.withMeasurement("errors", failed).withMeasurement("requests", answered);
            });
            result = engine.run(plan(V2).postSwitchGate(errorRate).build());
            load.whenResponses(s -> V1.equals(s.version()), 100).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            report = load.stop();
        }

        System.out.println("20% errors: " + result.outcome() + " (" + result.gateEvaluations().get(0).result().reason()
                + "); " + report.summary());
        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        long v2 = report.count(s -> V2.equals(s.version()));
        long failed = report.failed();
        // Every pod of v2 fails its 5th, 10th, 15th... request: exactly floor(n / 5) of the n it answered.
        long expected = report.byPod().entrySet().stream()
                .filter(e -> report.count(s -> e.getKey().equals(s.pod()) && V2.equals(s.version())) > 0)
                .mapToLong(e -> e.getValue() / 5).sum();
        assertEquals(expected, failed, report::summary);
        assertEquals(failed, report.count(s -> s.failed() && V2.equals(s.version()) && s.status() == 500),
                "every failure is a 500 of v2");
        assertTrue(failed >= 20, report::summary);
        assertTrue(Math.abs((double) failed / v2 - 0.2) < 0.05, failed + " of " + v2);
        assertEquals(Map.of(200, report.requests() - failed, 500, failed), report.byStatus());
        List<String> sequence = report.versionSequence();
        assertEquals(V1, sequence.get(sequence.size() - 1), "traffic is back on v1: " + sequence);
    }

    /** Every request of {@code from} was sent before the first answer of {@code to}, but the ones already on their way. */
    private static void assertMovedOnce(LoadReport report, String from, String to) {
        LoadReport.Sample first = firstOf(report, to);
        long lateFrom = report.count(s -> from.equals(s.version()) && s.sequence() >= first.sequence() + CLIENTS);
        assertEquals(0, lateFrom, "requests sent well after the switch still answered by " + from + ": "
                + report.versionSequence());
        assertEquals(to, report.versionSequence().get(report.versionSequence().size() - 1));
    }

    private static LoadReport.Sample firstOf(LoadReport report, String version) {
        return report.samples().stream().filter(s -> version.equals(s.version())).findFirst().orElseThrow();
    }
}
