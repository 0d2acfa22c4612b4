package dev.bluegreen;

import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A release that does not succeed asks its environments for a diagnosis of the candidate before it
 * gives the candidate up, and carries it in the result; candidates carry the adapter's attributes.
 */
class DiagnosisTest {
    private final ManualTimeSource time = TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakePlatform platform = new FakePlatform(time);
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private record Found(String subject, List<String> findings) implements Diagnosis {
        @Override
        public String render() {
            return "diagnosis of " + subject + "\n  " + String.join("\n  ", findings) + "\n";
        }
    }

    /** The fake platform's environments, recording diagnoses and discards, diagnosing with {@code diagnosis}. */
    private ColorEnvironments diagnosing(java.util.function.Function<Color, Optional<Diagnosis>> diagnosis) {
        ColorEnvironments fake = platform.environments();
        return new ColorEnvironments() {
            @Override
            public String describe(Color color) {
                return fake.describe(color);
            }

            @Override
            public Optional<Color> nextColor(Color live) {
                return fake.nextColor(live);
            }

            @Override
            public EnvironmentState read(Color color, Deadline deadline) {
                return fake.read(color, deadline);
            }

            @Override
            public List<String> checkDeployable(EnvironmentState state, EnvironmentState live) {
                return fake.checkDeployable(state, live);
            }

            @Override
            public Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
                return fake.deploy(decidedOn, version, replicas, deadline);
            }

            @Override
            public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
                return fake.awaitReady(candidate, deadline);
            }

            @Override
            public EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline) {
                return fake.retire(decidedOn, deadline);
            }

            @Override
            public EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline) {
                calls.add("discard " + decidedOn.color());
                return fake.discard(decidedOn, deadline);
            }

            @Override
            public EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline) {
                return fake.restore(decidedOn, replicas, deadline);
            }

            @Override
            public Optional<Diagnosis> diagnose(Color color, Deadline deadline) {
                calls.add("diagnose " + color);
                return diagnosis.apply(color);
            }
        };
    }

    private final Found crashLooping = new Found("pods of green", List.of("app-green-1 is in CrashLoopBackOff"));

    @Test
    void anAbortedReleaseCarriesTheDiagnosisOfItsCandidateTakenBeforeTheCandidateWasGivenUp() {
        ReleaseResult result = engine.run(platform.plan().environments(diagnosing(color -> Optional.of(crashLooping)))
                .preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("GET / answered 500"))).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertSame(crashLooping, result.diagnosis().orElseThrow());
        assertEquals(List.of("diagnose green", "discard green"), calls);
        assertTrue(result.summary().endsWith("  diagnosis: diagnosis of pods of green\n      app-green-1 is in CrashLoopBackOff\n"),
                result::summary);
    }

    @Test
    void aRolledBackReleaseCarriesTheDiagnosisToo() {
        ReleaseResult result = engine.run(platform.plan().environments(diagnosing(color -> Optional.of(crashLooping)))
                .postSwitchGate(HealthGate.named("errors", ctx -> GateResult.failed("error ratio 7%"))).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::summary);
        assertEquals(crashLooping, result.diagnosis().orElseThrow());
        assertEquals("diagnose green", calls.get(0));
    }

    @Test
    void aSucceededReleaseAsksForNoDiagnosisAndCarriesNone() {
        ReleaseResult result = engine.run(platform.plan().environments(diagnosing(color -> Optional.of(crashLooping))).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertTrue(result.diagnosis().isEmpty());
        assertTrue(calls.isEmpty(), calls::toString);
    }

    @Test
    void aDiagnosisThatFailsIsAWarningAndChangesNothingElse() {
        ReleaseResult result = engine.run(platform.plan().environments(diagnosing(color -> {
            throw new IllegalStateException("events API unreachable");
        })).preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("GET / answered 500"))).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertTrue(result.diagnosis().isEmpty());
        assertTrue(result.warnings().contains("no diagnosis of Deployment shop/app-green: events API unreachable"),
                result.warnings()::toString);
    }

    @Test
    void environmentsWithoutADiagnosisLeaveTheResultWithout() {
        ReleaseResult result = engine.run(platform.plan()
                .preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("GET / answered 500"))).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertTrue(result.diagnosis().isEmpty());
        assertFalse(result.summary().contains("diagnosis"));
    }

    @Test
    void candidatesCarryTheAdaptersAttributesSortedAndUnmodifiable() {
        Map<String, String> attributes = new HashMap<>(Map.of("z.service", "app-service", "a.namespace", "shop"));
        Candidate candidate = new Candidate(Color.GREEN, "app:v2", "generation 2", "Deployment shop/app-green", "", attributes);
        attributes.put("later", "ignored");

        assertEquals(List.of("a.namespace", "z.service"), List.copyOf(candidate.attributes().keySet()));
        assertEquals(Optional.of("shop"), candidate.attribute("a.namespace"));
        assertThrows(UnsupportedOperationException.class, () -> candidate.attributes().put("x", "y"));
        assertEquals(Map.of(), new Candidate(Color.GREEN, "app:v2", "generation 2", "Deployment shop/app-green", "")
                .attributes());
    }
}
