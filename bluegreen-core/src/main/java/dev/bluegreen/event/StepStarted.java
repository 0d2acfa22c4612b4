package dev.bluegreen.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A step started.
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when
 * @param step      the step's name
 * @param timeout   how long it may run
 */
public record StepStarted(String releaseId, String app, String namespace, Instant at, String step, Duration timeout) implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] step " + step + " started (timeout " + timeout + ")";
    }
}
