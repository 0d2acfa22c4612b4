package dev.bluegreen;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The phases of a release and the legal moves between them.
 *
 * <pre>
 * PENDING -> PREPARING -> SWITCHING -> OBSERVING -> FINISHING -> SUCCEEDED
 *   PENDING, PREPARING, SWITCHING (write not made) -> ABORTING -> ABORTED
 *   SWITCHING (write made), OBSERVING             -> ROLLING_BACK -> ROLLED_BACK
 *   PENDING (recovering a crashed release)        -> ROLLING_BACK, or PREPARING / SWITCHING / OBSERVING / FINISHING (roll forward)
 *   any phase that is not terminal                -> FAILED
 * </pre>
 *
 * Steps placed before the switch run in {@link #PREPARING}; the switch and its verification in
 * {@link #SWITCHING}; steps after the switch up to the end of the observation in {@link #OBSERVING};
 * the rest (retiring the previous color, clean-up) in {@link #FINISHING}, after the release is committed.
 */
public enum Phase {
    /** Created, not started. */
    PENDING,
    /** Preflight, deploying the idle color, waiting for it, pre-switch gates: live traffic untouched. */
    PREPARING,
    /** Switching traffic to the new color and verifying it. */
    SWITCHING,
    /** Traffic is on the new color; post-switch gates are observing it. */
    OBSERVING,
    /** The release is committed; the previous color is retained then retired, resources cleaned up. */
    FINISHING,
    /** Undoing what was prepared before the switch; live traffic was never touched. */
    ABORTING,
    /** Switching traffic back to the previous color. */
    ROLLING_BACK,
    /** Terminal: traffic is on the new color and the release completed. */
    SUCCEEDED,
    /** Terminal: the release stopped before the switch; live traffic was never touched. */
    ABORTED,
    /** Terminal: traffic was switched, then switched back to the previous color. */
    ROLLED_BACK,
    /** Terminal: the release could not reach a clean end; the result says what state things are in. */
    FAILED;

    private static final Map<Phase, Set<Phase>> NEXT = Map.of(
            PENDING, EnumSet.of(PREPARING, ABORTING, ROLLING_BACK, SWITCHING, OBSERVING, FINISHING, FAILED),
            PREPARING, EnumSet.of(SWITCHING, ABORTING, FAILED),
            SWITCHING, EnumSet.of(OBSERVING, ABORTING, ROLLING_BACK, FAILED),
            OBSERVING, EnumSet.of(FINISHING, ROLLING_BACK, FAILED),
            FINISHING, EnumSet.of(SUCCEEDED, FAILED),
            ABORTING, EnumSet.of(ABORTED, FAILED),
            ROLLING_BACK, EnumSet.of(ROLLED_BACK, FAILED));

    /**
     * @return the phases this one may move to; empty for terminal phases
     */
    public Set<Phase> next() {
        return Collections.unmodifiableSet(NEXT.getOrDefault(this, EnumSet.noneOf(Phase.class)));
    }

    /**
     * @param target the phase to move to; never null
     * @return whether moving from this phase to {@code target} is legal
     */
    public boolean canMoveTo(Phase target) {
        return next().contains(target);
    }

    /**
     * @return whether the release has ended in this phase
     */
    public boolean isTerminal() {
        return next().isEmpty();
    }

    /**
     * @return the outcome this terminal phase stands for, or empty when the phase is not terminal
     */
    public Optional<Outcome> outcome() {
        switch (this) {
            case SUCCEEDED: return Optional.of(Outcome.SUCCEEDED);
            case ABORTED: return Optional.of(Outcome.ABORTED);
            case ROLLED_BACK: return Optional.of(Outcome.ROLLED_BACK);
            case FAILED: return Optional.of(Outcome.FAILED);
            default: return Optional.empty();
        }
    }
}
