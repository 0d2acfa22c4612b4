package dev.bluegreen.internal;

import dev.bluegreen.ReleaseListener;
import dev.bluegreen.event.ReleaseEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.List;

/**
 * Delivers one release's events to its listeners (the engine's, then the release's own), one at a
 * time, in order, with the release id in the logging MDC. A listener that throws is logged and
 * skipped: it never reaches the release.
 */
final class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final List<ReleaseListener> listeners;
    private final String releaseId;

    EventDispatcher(List<ReleaseListener> listeners, String releaseId) {
        this.listeners = List.copyOf(listeners);
        this.releaseId = releaseId;
    }

    synchronized void emit(ReleaseEvent event) {
        String previous = MDC.get(ReleaseRun.MDC_KEY);
        MDC.put(ReleaseRun.MDC_KEY, releaseId);
        try {
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
        } finally {
            if (previous == null) {
                MDC.remove(ReleaseRun.MDC_KEY);
            } else {
                MDC.put(ReleaseRun.MDC_KEY, previous);
            }
        }
    }
}
