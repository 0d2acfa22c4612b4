package dev.bluegreen;

import dev.bluegreen.event.ReleaseEvent;

/**
 * Receives the events of releases. Called synchronously, one event at a time, in order; keep it
 * fast. A listener that throws is logged and never changes a release's outcome.
 */
@FunctionalInterface
public interface ReleaseListener {

    /**
     * @param event what happened; never null
     */
    void onEvent(ReleaseEvent event);
}
