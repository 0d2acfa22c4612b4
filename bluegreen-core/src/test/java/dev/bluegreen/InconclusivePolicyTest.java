package dev.bluegreen;

import dev.bluegreen.memory.InMemoryPlatform;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InconclusivePolicyTest {
    private final ManualTimeSource time = TimeSource.manual(Instant.parse("2026-11-30T10:00:00Z"));
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();
    private final InMemoryPlatform platform = InMemoryPlatform.builder().app("shop", "app").time(time).build();
    private final HealthGate noData = HealthGate.named("error ratio",
            context -> GateResult.inconclusive("no data for the query"));

    @Test
    void byDefaultAnInconclusiveGateBeforeTheSwitchAbortsTheRelease() {
        ReleasePlan plan = platform.plan().version("app:v2").preSwitchGate(noData).build();

        ReleaseResult result = engine.run(plan);

        assertEquals(InconclusivePolicy.FAIL, plan.inconclusivePolicy());
        assertEquals(Outcome.ABORTED, result.outcome(), result::toString);
        assertEquals(Color.BLUE, platform.live());
        assertTrue(result.error().orElseThrow().getMessage().contains("no data for the query"), result::toString);
    }

    @Test
    void byDefaultAnInconclusiveGateAfterTheSwitchRollsBack() {
        ReleaseResult result = engine.run(platform.plan().version("app:v2").postSwitchGate(noData).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::toString);
        assertEquals(Color.BLUE, platform.live());
    }

    @Test
    void withProceedAnInconclusiveGateLetsTheReleaseGoOnWithOneWarningPerGate() {
        ReleaseResult result = engine.run(platform.plan().version("app:v2").onInconclusive(InconclusivePolicy.PROCEED)
                .preSwitchGate(noData).postSwitchGate(noData).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::toString);
        assertEquals(Color.GREEN, platform.live());
        assertEquals(List.of("gate 'error ratio' was inconclusive (no data for the query); the plan proceeds on "
                + "inconclusive gates"), result.warnings());
        assertEquals(2, result.gateEvaluations().size(), "both evaluations are kept in the result");
    }

    @Test
    void withProceedAFailedGateStillStopsTheRelease() {
        HealthGate failing = HealthGate.named("smoke", context -> GateResult.failed("HTTP 500"));

        ReleaseResult result = engine.run(platform.plan().version("app:v2").onInconclusive(InconclusivePolicy.PROCEED)
                .preSwitchGate(failing).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::toString);
    }
}
