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
        return measure(gate, context).result();
    }

    /**
     * One evaluation of a gate, and whether it threw.
     *
     * @param result the gate's result, or an inconclusive one saying why there is none
     * @param error  whether the gate threw (or returned nothing) instead of measuring
     */
    public record Measured(GateResult result, boolean error) {
    }

    /**
     * Evaluates a gate once, telling a measurement from an error; never throws except when interrupted.
     *
     * @param gate    the gate
     * @param context the context
     * @return the result, and whether it stands for an error
     * @throws InterruptedException when the evaluation was interrupted
     */
    public static Measured measure(HealthGate gate, GateContext context) throws InterruptedException {
        GateResult result;
        try {
            result = gate.evaluate(context);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("gate '" + gate.name() + "' interrupted: " + e);
            }
            return new Measured(GateResult.inconclusive("gate '" + gate.name() + "' threw " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())), true);
        }
        if (result == null) {
            return new Measured(GateResult.inconclusive("gate '" + gate.name() + "' returned no result"), true);
        }
        return new Measured(result, false);
    }
}
