package dev.bluegreen.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;

/** Runs gates so that an exception or a missing result becomes an inconclusive result. */
public final class Gates {
    private Gates() {
    }

    /**
     * Evaluates a gate once; never throws except when interrupted.
     *
     * @param gate    the gate
     * @param context the context
     * @return the gate's result, or an inconclusive one explaining why it has none
     * @throws InterruptedException when the evaluation was interrupted
     */
    public static GateResult evaluate(HealthGate gate, GateContext context) throws InterruptedException {
        GateResult result;
        try {
            result = gate.evaluate(context);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("gate '" + gate.name() + "' interrupted: " + e);
            }
            return GateResult.inconclusive("gate '" + gate.name() + "' threw " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        if (result == null) {
            return GateResult.inconclusive("gate '" + gate.name() + "' returned no result");
        }
        return result;
    }
}
