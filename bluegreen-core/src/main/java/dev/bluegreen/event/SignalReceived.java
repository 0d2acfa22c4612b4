package dev.bluegreen.event;

import dev.bluegreen.Signal;

import java.time.Instant;

/**
 * The release received a signal (an approval, a rejection) through
 * {@link dev.bluegreen.ReleaseExecution#signal(String, String, String)}. Gates waiting for it go on;
 * the event keeps who sent it and why for the audit trail.
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when it was received
 * @param signal    the signal: name, sender, note
 */
public record SignalReceived(String releaseId, String app, String namespace, Instant at, Signal signal)
        implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] signal " + signal;
    }
}
