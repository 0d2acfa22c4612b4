package dev.bluegreen.gates;

import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Prometheus gates alone against a real Prometheus (Debian's package), scraping every second three
 * {@link StandInExporter exporters} with fixed traffic, so that each verdict is exact: one whose traffic
 * is 20% 5xx, one healthy (that never answered 5xx, so its 5xx series does not exist), one without
 * traffic. (This module has no Kubernetes dependency, so it cannot use the simulated cluster; the whole
 * release against Prometheus scraping the simulated cluster's pods is examples' PrometheusReleaseTest.) Skipped when no {@code prometheus}
 * binary is on the PATH, except with {@code CI=true}, where a missing binary fails. Bounded: about
 * 10 s, at most 60 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(PrometheusInstalled.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealPrometheusTest {
    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final Contexts contexts = new Contexts();
    private final List<StandInExporter> exporters = new java.util.ArrayList<>();
    private StandInExporter failing;
    private StandInExporter healthy;
    private StandInExporter idle;
    private RealPrometheus prometheus;

    @BeforeAll
    void startPrometheusScrapingTheStandIns(@TempDir Path dir) throws Exception {
        Optional<Path> binary = RealPrometheus.binary();
        if (binary.isEmpty()) {
            // Only with CI=true: otherwise PrometheusInstalled skipped the class before this.
            fail("CI=true but no prometheus binary is on the PATH; .ci/run installs it with: " + RealPrometheus.INSTALL);
        }
        failing = add(StandInExporter.start(true).perScrape(80, 20, 0.02));
        healthy = add(StandInExporter.start(false).perScrape(100, 0, 0.02));
        idle = add(StandInExporter.start(true).servedBefore(50, 5));
        Map<String, Map<String, String>> targets = new LinkedHashMap<>();
        targets.put(failing.target(), Map.of("app", "myapp", "scenario", "failing"));
        targets.put(healthy.target(), Map.of("app", "myapp", "scenario", "healthy"));
        targets.put(idle.target(), Map.of("app", "myapp", "scenario", "idle"));
        prometheus = RealPrometheus.start(binary.get(), dir, targets, Duration.ofSeconds(30));
        // Four scrapes of each: the samples of the first three are stored once the fourth starts,
        // enough for rate() over the window.
        for (StandInExporter exporter : exporters) {
            assertTrue(exporter.awaitScrapes(4, Duration.ofSeconds(30)), () -> "prometheus scraped "
                    + exporter.target() + " only " + exporter.scrapes() + " times; its log:\n" + prometheus.logTail());
        }
        GateResult up = PrometheusGate.builder("up").server(prometheus.url()).query("sum(up{app=\"myapp\"})")
                .condition(Threshold.atLeast(3)).build().evaluate(contexts.context());
        assertEquals(GateStatus.PASSED, up.status(), () -> "all three stand-ins are up: " + up);
    }

    private StandInExporter add(StandInExporter exporter) {
        exporters.add(exporter);
        return exporter;
    }

    @AfterAll
    void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        exporters.forEach(StandInExporter::close);
    }

    private GateResult errorRatio(String scenario) throws Exception {
        return PrometheusGate.errorRatio("error-ratio", 0.05).server(prometheus.url())
                .selector("app=\"myapp\",scenario=\"" + scenario + "\"").window(WINDOW).build()
                .evaluate(contexts.context());
    }

    @Test
    void theErrorRatioGateFailsFromRealDataWhenTheCandidateAnswers20PercentErrors() throws Exception {
        GateResult result = errorRatio("failing");

        assertEquals(GateStatus.FAILED, result.status(), result::toString);
        double ratio = result.measurements().get("value").doubleValue();
        assertEquals(0.2, ratio, 0.001, result::toString);
        assertTrue(result.reason().startsWith("value " + dev.bluegreen.gates.internal.Text.number(ratio)
                + " is not below 0.05; query: (sum(rate(http_requests_total{status=~\"5..\",app=\"myapp\","
                + "scenario=\"failing\"}[10s])) or vector(0))"), result.reason());
    }

    @Test
    void theErrorRatioGatePassesWhenTheCandidateIsHealthyEvenThoughItHasNo5xxSeries() throws Exception {
        GateResult result = errorRatio("healthy");

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertEquals(0.0, result.measurements().get("value").doubleValue());
    }

    @Test
    void theErrorRatioGateIsInconclusiveWithoutTraffic() throws Exception {
        GateResult noTraffic = errorRatio("idle");
        GateResult noSeries = errorRatio("not-deployed");

        assertEquals(GateStatus.INCONCLUSIVE, noTraffic.status(), noTraffic::toString);
        assertTrue(noTraffic.reason().startsWith("the query returned NaN: nothing to decide on"), noTraffic.reason());
        assertEquals(GateStatus.INCONCLUSIVE, noSeries.status(), noSeries::toString);
        assertTrue(noSeries.reason().startsWith("the query returned no data (no series matched)"), noSeries.reason());
    }

    @Test
    void theLatencyAndRequestRateGatesDecideFromTheSameData() throws Exception {
        GateResult fast = PrometheusGate.p95Latency("p95", Duration.ofMillis(250)).server(prometheus.url())
                .selector("app=\"myapp\",scenario=\"healthy\"").window(WINDOW).build().evaluate(contexts.context());
        GateResult noLatency = PrometheusGate.p95Latency("p95", Duration.ofMillis(250)).server(prometheus.url())
                .selector("app=\"myapp\",scenario=\"idle\"").window(WINDOW).build().evaluate(contexts.context());
        GateResult busy = PrometheusGate.minimumRequestRate("qps", 10).server(prometheus.url())
                .selector("app=\"myapp\",scenario=\"healthy\"").window(WINDOW).build().evaluate(contexts.context());
        GateResult quiet = PrometheusGate.minimumRequestRate("qps", 10).server(prometheus.url())
                .selector("app=\"myapp\",scenario=\"idle\"").window(WINDOW).build().evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, fast.status(), fast::toString);
        assertTrue(fast.measurements().get("value").doubleValue() <= 0.025, fast::toString);
        assertEquals(GateStatus.INCONCLUSIVE, noLatency.status(), noLatency::toString);
        assertEquals(GateStatus.PASSED, busy.status(), busy::toString);
        assertEquals(GateStatus.FAILED, quiet.status(), quiet::toString);
        assertEquals("value 0 is not at least 10; query: sum(rate(http_requests_total{app=\"myapp\",scenario=\"idle\"}"
                + "[10s]))", quiet.reason());
    }

    @Test
    void judgingEverySeriesNamesTheOneWithoutTraffic() throws Exception {
        GateResult result = PrometheusGate.builder("qps-per-scenario").server(prometheus.url())
                .query("sum by (scenario) (rate(http_requests_total{app=\"myapp\"}[10s]))")
                .condition(Threshold.atLeast(10)).series(PrometheusGate.Series.EVERY).build()
                .evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status(), result::toString);
        assertTrue(result.reason().startsWith("1 of 3 series is not at least 10: {scenario=\"idle\"} 0; query: "),
                result.reason());
    }

    @Test
    void aBadQueryIsReportedWithPrometheusOwnError() throws Exception {
        GateResult result = PrometheusGate.builder("typo").server(prometheus.url()).query("sum(rate(http_requests_total[10s])")
                .condition(Threshold.below(1)).build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertTrue(result.reason().startsWith("Prometheus at " + prometheus.url() + " answered HTTP 400, error bad_data: "),
                result.reason());
    }
}
