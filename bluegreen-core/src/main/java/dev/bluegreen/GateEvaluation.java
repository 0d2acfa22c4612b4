package dev.bluegreen;

import java.time.Instant;

/**
 * One evaluation of a named gate: which gate, at which stage, when, and its result.
 *
 * @param gate   the gate's name; never null
 * @param stage  the stage of the release it ran in; never null
 * @param result what it decided; never null
 * @param at     when the evaluation finished; never null
 */
public record GateEvaluation(String gate, GateStage stage, GateResult result, Instant at) {

    /**
     * Validates the components.
     *
     * @param gate   the gate's name
     * @param stage  the stage
     * @param result the result
     * @param at     when it finished
     */
    public GateEvaluation {
        if (gate == null || stage == null || result == null || at == null) {
            throw new ConfigurationException("gate evaluation needs a gate name, stage, result and instant, but got gate="
                    + gate + ", stage=" + stage + ", result=" + result + ", at=" + at);
        }
    }

    /**
     * @return e.g. {@code smoke-test [PRE_SWITCH] PASSED: 3 of 3 requests answered 200}
     */
    @Override
    public String toString() {
        return gate + " [" + stage + "] " + result;
    }
}
