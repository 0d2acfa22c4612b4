package dev.bluegreen.event;

import dev.bluegreen.Phase;

import java.time.Instant;

/**
 * The release moved to another phase.
 *
 * @param releaseId the release's id
 * @param app       the app
 * @param namespace the namespace
 * @param at        when
 * @param from      the phase left
 * @param to        the phase entered
 */
public record PhaseChanged(String releaseId, String app, String namespace, Instant at, Phase from, Phase to) implements ReleaseEvent {

    @Override
    public String toString() {
        return "[" + namespace + "/" + app + " " + releaseId + "] phase " + from + " -> " + to;
    }
}
