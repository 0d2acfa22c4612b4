package dev.bluegreen.event;

import dev.bluegreen.spi.SwitchResult;

import java.time.Instant;

/**
 * Traffic was switched back to the previous color.
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when
 * @param result    the write made
 * @param reason    why the release rolled back
 */
public record RolledBack(String releaseId, String app, String namespace, Instant at, SwitchResult result, String reason)
        implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] rolled back: " + result + " because " + reason;
    }
}
