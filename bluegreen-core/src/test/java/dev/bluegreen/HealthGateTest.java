package dev.bluegreen;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthGateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualTimeSource time = TimeSource.manual(T0);
    private final List<String> interim = new ArrayList<>();
    private final GateContext context = GateContext.builder().app("app").namespace("shop")
            .candidate(Color.GREEN, "app:v2").previous(Color.BLUE).stage(GateStage.POST_SWITCH).time(time)
            .onInterim((gate, result) -> interim.add(gate + " " + result.status())).build();

    private static HealthGate gate(String name, GateStatus status, String reason) {
        return HealthGate.named(name, ctx -> GateResult.of(status, reason).withMeasurement("value", 1));
    }

    /** A gate that answers the given statuses in turn. */
    private static HealthGate sequence(String name, GateStatus... statuses) {
        Iterator<GateStatus> next = List.of(statuses).iterator();
        return HealthGate.named(name, ctx -> GateResult.of(next.next(), "measured at " + ctx.time().now()));
    }

    @Test
    void allOfPassesOnlyWhenEveryGatePassesAndExplainsEachPart() throws Exception {
        GateResult passed = HealthGate.allOf("smoke", gate("health", GateStatus.PASSED, "200"),
                gate("version", GateStatus.PASSED, "v2")).evaluate(context);
        assertEquals(GateStatus.PASSED, passed.status());
        assertEquals("all 2 gates passed", passed.reason());
        assertEquals(Map.of("health.value", 1, "version.value", 1), passed.measurements());
        assertEquals(2, passed.parts().size());

        GateResult failed = HealthGate.allOf("smoke", gate("health", GateStatus.PASSED, "200"),
                gate("version", GateStatus.FAILED, "served v1, expected v2"),
                gate("latency", GateStatus.INCONCLUSIVE, "no samples")).evaluate(context);
        assertEquals(GateStatus.FAILED, failed.status());
        assertEquals("1 of 3 gates passed; 'version' failed: served v1, expected v2; 'latency' inconclusive: no samples",
                failed.reason());
    }

    @Test
    void allOfIsInconclusiveWhenNothingFailedButSomethingCouldNotDecide() throws Exception {
        GateResult result = HealthGate.allOf("smoke", gate("health", GateStatus.PASSED, "200"),
                gate("latency", GateStatus.INCONCLUSIVE, "no samples")).evaluate(context);
        assertEquals(GateStatus.INCONCLUSIVE, result.status());
    }

    @Test
    void anyOfStopsAtTheFirstPassingGate() throws Exception {
        int[] calls = new int[1];
        HealthGate counted = HealthGate.named("counted", ctx -> {
            calls[0]++;
            return GateResult.passed("never needed");
        });
        GateResult result = HealthGate.anyOf("reachable", gate("primary", GateStatus.FAILED, "503"),
                gate("secondary", GateStatus.PASSED, "200"), counted).evaluate(context);
        assertEquals(GateStatus.PASSED, result.status());
        assertEquals("'secondary' passed: 200", result.reason());
        assertEquals(0, calls[0]);

        GateResult none = HealthGate.anyOf("reachable", gate("primary", GateStatus.FAILED, "503"),
                gate("secondary", GateStatus.FAILED, "timeout")).evaluate(context);
        assertEquals(GateStatus.FAILED, none.status());
        assertEquals("none of 2 gates passed; 'primary' failed: 503; 'secondary' failed: timeout", none.reason());
    }

    @Test
    void aGateThatThrowsOrReturnsNothingIsInconclusiveInsideAComposite() throws Exception {
        HealthGate throwing = HealthGate.named("query", ctx -> {
            throw new IllegalStateException("prometheus unreachable");
        });
        HealthGate empty = HealthGate.named("empty", ctx -> null);
        GateResult result = HealthGate.allOf("metrics", throwing, empty).evaluate(context);
        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("0 of 2 gates passed; 'query' inconclusive: gate 'query' threw IllegalStateException: prometheus "
                + "unreachable; 'empty' inconclusive: gate 'empty' returned no result", result.reason());
    }

    @Test
    void aCompositeNeedsAtLeastOneGate() {
        assertEquals("composite gate 'empty' needs at least one gate, but got none",
                assertThrows(ConfigurationException.class, () -> HealthGate.allOf("empty")).getMessage());
    }

    @Test
    void aWindowEvaluatesOncePerIntervalForItsDurationOnTheInjectedClock() throws Exception {
        List<Instant> seen = new ArrayList<>();
        HealthGate recording = HealthGate.named("errors", ctx -> {
            seen.add(ctx.time().now());
            return GateResult.passed("error rate 0.1%").withMeasurement("error_rate", 0.001);
        });
        ObservationWindow window = HealthGate.observe(recording).every(Duration.ofSeconds(30))
                .lasting(Duration.ofMinutes(2)).build();

        GateResult result = window.evaluate(context);

        assertEquals(4, window.evaluations());
        assertEquals(List.of(T0.plusSeconds(30), T0.plusSeconds(60), T0.plusSeconds(90), T0.plusSeconds(120)), seen);
        assertEquals(GateStatus.PASSED, result.status());
        assertEquals("'errors' held for PT2M: 4 evaluations every PT30S, 0 failed (limit 0), 0 inconclusive (limit 0)",
                result.reason());
        assertEquals(Map.of("evaluations", 4, "failed", 0, "inconclusive", 0, "error_rate", 0.001), result.measurements());
        assertEquals(List.of("window(errors) PASSED", "window(errors) PASSED", "window(errors) PASSED",
                "window(errors) PASSED"), interim);
    }

    @Test
    void aWindowToleratesFailuresUpToItsLimitThenFailsAtOnce() throws Exception {
        ObservationWindow window = HealthGate.observe(sequence("errors", GateStatus.FAILED, GateStatus.PASSED,
                        GateStatus.FAILED, GateStatus.PASSED, GateStatus.PASSED))
                .every(Duration.ofMinutes(1)).lasting(Duration.ofMinutes(5)).failureLimit(1).build();

        GateResult result = window.evaluate(context);

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("2 of 3 evaluations of 'errors' failed, more than the limit of 1; last: measured at "
                + T0.plusSeconds(180), result.reason());
        assertEquals(3, result.measurements().get("evaluations"));
        assertEquals(T0.plusSeconds(180), time.now(), "the window stopped early");
    }

    @Test
    void aWindowBecomesInconclusivePastItsInconclusiveLimit() throws Exception {
        ObservationWindow window = HealthGate.observe(sequence("latency", GateStatus.INCONCLUSIVE, GateStatus.INCONCLUSIVE,
                        GateStatus.PASSED))
                .every(Duration.ofMinutes(1)).lasting(Duration.ofMinutes(3)).inconclusiveLimit(1).name("latency-window").build();

        GateResult result = window.evaluate(context);

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("latency-window", window.name());
        assertTrue(result.reason().startsWith("2 of 2 evaluations of 'latency' were inconclusive, more than the limit of 1"),
                result.reason());
    }

    @Test
    void aGateThatThrowsIsAnErrorNeverAPassAndErrorsInARowPastTheLimitFailTheWindow() throws Exception {
        ObservationWindow window = HealthGate.observe(HealthGate.named("query", ctx -> {
            throw new java.io.IOException("prometheus timed out");
        })).every(Duration.ofMinutes(1)).count(10).consecutiveErrorLimit(2).build();

        GateResult result = window.evaluate(context);

        assertEquals(GateStatus.FAILED, result.status());
        assertEquals("3 evaluations of 'query' in a row threw, more than the limit of 2; last: gate 'query' threw "
                + "IOException: prometheus timed out", result.reason());
        assertEquals(3, result.measurements().get("errors"));
        assertEquals(T0.plusSeconds(180), time.now(), "the window stopped at the third error");
    }

    @Test
    void errorsWithinTheLimitAreToleratedButAWindowOfNothingButErrorsIsInconclusive() throws Exception {
        int[] calls = {0};
        HealthGate flaky = HealthGate.named("flaky", ctx -> {
            if (++calls[0] % 2 == 1) {
                throw new IllegalStateException("connection reset");
            }
            return GateResult.passed("ok");
        });
        GateResult tolerated = HealthGate.observe(flaky).every(Duration.ofMinutes(1)).count(4).build().evaluate(context);
        assertEquals(GateStatus.PASSED, tolerated.status(), tolerated.reason());
        assertTrue(tolerated.reason().endsWith(", 2 threw (at most 4 in a row)"), tolerated.reason());

        GateResult nothing = HealthGate.observe(HealthGate.named("down", ctx -> null)).every(Duration.ofMinutes(1))
                .count(2).build().evaluate(context);
        assertEquals(GateStatus.INCONCLUSIVE, nothing.status());
        assertEquals("every one of the 2 evaluations of 'down' threw, so nothing was measured; last: gate 'down' "
                + "returned no result", nothing.reason());
    }

    @Test
    void aWindowWaitsItsInitialDelayThenCountsAndKeepsEveryMeasurementWithItsTime() throws Exception {
        ObservationWindow window = HealthGate.observe(sequence("errors", GateStatus.PASSED, GateStatus.INCONCLUSIVE,
                        GateStatus.PASSED))
                .initialDelay(Duration.ofMinutes(2)).every(Duration.ofSeconds(30)).count(3).inconclusiveLimit(1).build();

        GateResult result = window.evaluate(context);

        assertEquals(GateStatus.PASSED, result.status());
        assertEquals(Duration.ofMinutes(2).plusSeconds(90), window.duration());
        assertEquals(List.of(T0.plusSeconds(150), T0.plusSeconds(180), T0.plusSeconds(210)),
                result.parts().stream().map(GateEvaluation::at).toList());
        assertEquals(List.of(GateStatus.PASSED, GateStatus.INCONCLUSIVE, GateStatus.PASSED),
                result.parts().stream().map(e -> e.result().status()).toList());
    }

    @Test
    void aWindowBuilderRejectsBadSettings() {
        HealthGate gate = gate("g", GateStatus.PASSED, "ok");
        assertEquals("window interval must be a positive duration, but was PT0S",
                assertThrows(ConfigurationException.class, () -> HealthGate.observe(gate).every(Duration.ZERO)).getMessage());
        assertEquals("failure limit must be at least 0, but was -1",
                assertThrows(ConfigurationException.class, () -> HealthGate.observe(gate).failureLimit(-1)).getMessage());
        assertEquals("window interval PT10M is longer than its duration PT5M; expected an interval no longer than the duration",
                assertThrows(ConfigurationException.class,
                        () -> HealthGate.observe(gate).every(Duration.ofMinutes(10)).build()).getMessage());
        assertEquals("window of 'g' has both a duration (PT5M) and a count (3); expected one of them",
                assertThrows(ConfigurationException.class,
                        () -> HealthGate.observe(gate).lasting(Duration.ofMinutes(5)).count(3).build()).getMessage());
        assertEquals("window count must be at least 1, but was 0",
                assertThrows(ConfigurationException.class, () -> HealthGate.observe(gate).count(0)).getMessage());
        assertEquals("consecutive error limit must be at least 0, but was -1",
                assertThrows(ConfigurationException.class, () -> HealthGate.observe(gate).consecutiveErrorLimit(-1))
                        .getMessage());
        assertEquals("window initial delay must be zero or a positive duration, but was PT-1S",
                assertThrows(ConfigurationException.class,
                        () -> HealthGate.observe(gate).initialDelay(Duration.ofSeconds(-1))).getMessage());
    }

    @Test
    void lambdasWithoutANameAreCalledUnnamed() {
        HealthGate lambda = ctx -> GateResult.passed("ok");
        assertEquals("unnamed-gate", lambda.name());
        assertEquals("smoke", HealthGate.named("smoke", lambda).name());
    }

    @Test
    void gateResultsAreImmutableValuesThatExplainThemselves() {
        GateResult base = GateResult.failed("error rate 7.1% is above the 5% limit");
        GateResult measured = base.withMeasurement("error_rate", 0.071).withMeasurement("limit", 0.05);

        assertTrue(base.measurements().isEmpty());
        assertEquals("FAILED: error rate 7.1% is above the 5% limit {error_rate=0.071, limit=0.05}", measured.toString());
        assertEquals(measured, GateResult.failed("error rate 7.1% is above the 5% limit")
                .withMeasurements(Map.of("error_rate", 0.071)).withMeasurement("limit", 0.05));
        assertEquals("gate result reason must be a non-blank sentence, but was ''",
                assertThrows(ConfigurationException.class, () -> GateResult.passed("")).getMessage());
        assertEquals("measurement 'p95' must be a number, but was NaN",
                assertThrows(ConfigurationException.class, () -> base.withMeasurement("p95", Double.NaN)).getMessage());
    }
}
