package dev.bluegreen.event;

import dev.bluegreen.spi.SwitchResult;

import java.time.Instant;

/**
 * Traffic was switched to the new color (the forward switch; a switch back is {@link RolledBack}).
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when
 * @param result    the write made
 */
public record TrafficSwitched(String releaseId, String app, String namespace, Instant at, SwitchResult result) implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] traffic switched: " + result;
    }
}
