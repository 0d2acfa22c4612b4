package dev.bluegreen.event;

import java.time.Instant;

/**
 * Something that happened during a release. Events are immutable values delivered to
 * {@link dev.bluegreen.ReleaseListener}s in the order they happened; switch on the concrete type:
 *
 * <pre>{@code
 * engine = ReleaseEngine.builder().listener(event -> {
 *     if (event instanceof TrafficSwitched switched) {
 *         audit.record(switched.releaseId(), switched.result().from(), switched.result().to());
 *     }
 * }).build();
 * }</pre>
 */
public sealed interface ReleaseEvent
        permits PhaseChanged, StepStarted, StepFinished, GateEvaluated, TrafficSwitched, RolledBack, RouteChanged,
        SignalReceived {

    /**
     * @return the id of the release it belongs to, as in its result and log lines
     */
    String releaseId();

    /**
     * @return the app being released
     */
    String app();

    /**
     * @return the app's namespace
     */
    String namespace();

    /**
     * @return when it happened, by the engine's time source
     */
    Instant at();
}
