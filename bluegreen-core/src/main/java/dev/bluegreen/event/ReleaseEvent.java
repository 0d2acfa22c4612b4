package dev.bluegreen.event;

import java.time.Instant;

/**
 * Something that happened during a release. Events are immutable values delivered to
 * {@link dev.bluegreen.ReleaseListener}s in the order they happened; switch on the concrete type:
 *
 * <pre>{@code
 * engine = ReleaseEngine.builder().listener(event -> {
 *     if (event instanceof TrafficSwitched switched) {
 *         audit.record(switched.from(), switched.to());
 *     }
 * }).build();
 * }</pre>
 */
public sealed interface ReleaseEvent
        permits PhaseChanged, StepStarted, StepFinished, GateEvaluated, TrafficSwitched, RolledBack {

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
