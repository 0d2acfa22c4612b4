package dev.bluegreen.event;

import dev.bluegreen.StepRecord;

import java.time.Instant;

/**
 * A step ended, in any way: see the record's status.
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when
 * @param record    what the step did and how long it took
 */
public record StepFinished(String releaseId, String app, String namespace, Instant at, StepRecord record) implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] " + record;
    }
}
