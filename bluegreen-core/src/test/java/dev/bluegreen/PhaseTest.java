package dev.bluegreen;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhaseTest {

    @Test
    void theForwardPathIsLegal() {
        assertTrue(Phase.PENDING.canMoveTo(Phase.PREPARING));
        assertTrue(Phase.PREPARING.canMoveTo(Phase.SWITCHING));
        assertTrue(Phase.SWITCHING.canMoveTo(Phase.OBSERVING));
        assertTrue(Phase.OBSERVING.canMoveTo(Phase.FINISHING));
        assertTrue(Phase.FINISHING.canMoveTo(Phase.SUCCEEDED));
    }

    @Test
    void onlyPhasesBeforeTheSwitchWriteCanAbortAndOnlyPhasesAfterItOrARecoveryCanRollBack() {
        assertEquals(EnumSet.of(Phase.PENDING, Phase.PREPARING, Phase.SWITCHING), phasesThatCanMoveTo(Phase.ABORTING));
        assertEquals(EnumSet.of(Phase.PENDING, Phase.SWITCHING, Phase.OBSERVING), phasesThatCanMoveTo(Phase.ROLLING_BACK),
                "PENDING: the recovery of a crashed release starts by rolling it back");
        assertFalse(Phase.FINISHING.canMoveTo(Phase.ROLLING_BACK), "a committed release is not rolled back");
    }

    @Test
    void everyPhaseThatIsNotTerminalCanFail() {
        for (Phase phase : Phase.values()) {
            assertEquals(!phase.isTerminal(), phase.canMoveTo(Phase.FAILED), phase.name());
        }
    }

    @Test
    void terminalPhasesHaveOutcomesAndNoWayOut() {
        assertEquals(Optional.of(Outcome.SUCCEEDED), Phase.SUCCEEDED.outcome());
        assertEquals(Optional.of(Outcome.ABORTED), Phase.ABORTED.outcome());
        assertEquals(Optional.of(Outcome.ROLLED_BACK), Phase.ROLLED_BACK.outcome());
        assertEquals(Optional.of(Outcome.FAILED), Phase.FAILED.outcome());
        assertEquals(Optional.empty(), Phase.OBSERVING.outcome());
        assertTrue(Phase.ROLLED_BACK.next().isEmpty());
    }

    @Test
    void anIllegalTransitionNamesTheAppAndBothPhases() {
        IllegalPhaseTransitionException error = new IllegalPhaseTransitionException("myapp", Phase.FINISHING, Phase.ROLLING_BACK);
        assertEquals("release of myapp: illegal phase transition from FINISHING to ROLLING_BACK (allowed from FINISHING: "
                + "[SUCCEEDED, FAILED])", error.getMessage());
        assertEquals(Phase.FINISHING, error.from());
        assertEquals(Phase.ROLLING_BACK, error.to());
    }

    private static EnumSet<Phase> phasesThatCanMoveTo(Phase target) {
        EnumSet<Phase> sources = EnumSet.noneOf(Phase.class);
        for (Phase phase : Phase.values()) {
            if (phase.canMoveTo(target)) {
                sources.add(phase);
            }
        }
        return sources;
    }
}
