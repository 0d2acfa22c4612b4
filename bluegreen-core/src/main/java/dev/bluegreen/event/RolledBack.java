package dev.bluegreen.event;

import dev.bluegreen.SwitchResult;

import java.time.Instant;

/**
 * Traffic was switched back to the previous color.
 *
 * @param app       the app
 * @param namespace the namespace
 * @param at        when
 * @param result    the write made
 * @param reason    why the release rolled back
 */
public record RolledBack(String app, String namespace, Instant at, SwitchResult result, String reason)
        implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + "] rolled back: " + result + " because " + reason;
    }
}
