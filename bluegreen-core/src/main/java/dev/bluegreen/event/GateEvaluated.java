package dev.bluegreen.event;

import dev.bluegreen.GateEvaluation;

import java.time.Instant;

/**
 * A gate was evaluated. Interim evaluations (one round of an observation window) inform; only
 * final ones decide.
 *
 * @param releaseId the release's id
 * @param app        the app
 * @param namespace  the namespace
 * @param at         when
 * @param evaluation the gate, stage and result
 * @param interim    true for an intermediate result of a window or composite
 */
public record GateEvaluated(String releaseId, String app, String namespace, Instant at, GateEvaluation evaluation, boolean interim)
        implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] gate " + evaluation + (interim ? " (interim)" : "");
    }
}
