package dev.bluegreen.internal;

import dev.bluegreen.ReleaseListener;
import dev.bluegreen.event.ReleaseEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Delivers events to listeners one at a time, in order. A listener that throws is logged and
 * skipped: it never reaches the release.
 */
final class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final List<ReleaseListener> listeners;

    EventDispatcher(List<ReleaseListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    synchronized void emit(ReleaseEvent event) {
        LOG.debug("{}", event);
        for (ReleaseListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw (VirtualMachineError) e;
                }
                LOG.warn("release listener {} threw on event {}; the release goes on", listener, event, e);
            }
        }
    }
}
