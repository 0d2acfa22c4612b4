package dev.bluegreen.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateStage;
import dev.bluegreen.HealthGate;

import java.util.List;

/** Evaluates the pre-switch gates against the candidate, one after the other; the first that does not pass aborts. */
final class PreSwitchGatesStep implements StepWork {
    private final ReleaseRun run;

    PreSwitchGatesStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) throws Exception {
        List<HealthGate> gates = run.plan.preSwitchGates();
        if (gates.isEmpty()) {
            return Done.skipped("no pre-switch gates");
        }
        GateContext context = run.gateContext(GateStage.PRE_SWITCH);
        for (HealthGate gate : gates) {
            GateEvaluation evaluation = run.recordGate(gate.name(), GateStage.PRE_SWITCH,
                    deadline.interruptibly(() -> Gates.evaluate(gate, context)));
            if (run.stops(evaluation)) {
                throw run.gateFailed(evaluation);
            }
        }
        return Done.of(ReleaseRun.count(gates.size(), "gate") + " passed against " + run.candidate.color());
    }
}
