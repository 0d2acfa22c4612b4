package dev.bluegreen.spi;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.SwitchConflictException;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Routes all of an app's traffic to one color. Implementations exist for a Service's label
 * selector, an Ingress backend and Argo Rollouts. Each keeps these promises:
 * <ul>
 *   <li>{@link #switchTo(Color, RouteState, Deadline)} is one compare-and-swap write conditioned on the
 *       state the caller decided on: a concurrent edit that changes the routing surfaces as
 *       {@link SwitchConflictException}, never as a silent overwrite;</li>
 *   <li>reads and checks never write;</li>
 *   <li>readiness is not the switcher's business: the engine asks the
 *       {@link ColorEnvironments} before it switches, so a switcher never decides alone that a
 *       color may receive traffic.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface TrafficSwitcher {

    /**
     * @return the routing object, for messages, e.g. {@code Service shop/myapp-service}
     */
    String target();

    /**
     * Reads which color receives traffic now.
     *
     * @param deadline bounds retries of failed reads; never null
     * @return the route; {@link RouteState#live()} is null when the router selects no single color
     * @throws ClusterApiException when the platform could not be read in time
     */
    RouteState read(Deadline deadline);

    /**
     * Checks, without writing, that this router could send traffic to a color once the color is
     * ready: for a Service, that the color's pods would match its selector.
     *
     * @param color    the color; never null
     * @param route    the route as read; never null
     * @param deadline bounds the reads; never null
     * @return every problem found, each naming the object and value; empty when there is none
     */
    List<String> checkRoutable(Color color, RouteState route, Deadline deadline);

    /**
     * Sends all traffic to {@code color} in one write conditioned on {@code decidedOn}. When the
     * write's response is lost, the switcher re-reads and reports what happened; it never reports
     * a switch it cannot confirm. When {@code color} is already live, nothing is written.
     *
     * @param color     the color to route traffic to; never null
     * @param decidedOn the route the decision was based on; never null
     * @param deadline  bounds the write and its confirmation; never null
     * @return what was done
     * @throws SwitchConflictException when the routing changed since {@code decidedOn}; nothing was written
     * @throws ClusterApiException     when the write failed, or its outcome could not be established in time
     */
    SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline);

    /**
     * Makes the fate of an earlier switch whose response was lost definite: after a write
     * conditioned on {@code seen}, a switch still in flight that was conditioned on an older
     * revision can no longer be applied. Writes nothing but the SDK's own marker.
     *
     * @param seen     the route as last read; never null
     * @param deadline bounds the write; never null
     * @return the route after the fence
     * @throws SwitchConflictException when the route changed since {@code seen}: re-read and decide again
     */
    default RouteState fence(RouteState seen, Deadline deadline) {
        return read(deadline);
    }

    /**
     * Follows the routing object from a read, calling {@code onChange} with each new state on the
     * adapter's thread. The listener must be quick and must not throw.
     *
     * @param from     the read to start from; never null
     * @param onChange receives each change; never null
     * @return the watch; close it when done
     */
    RouteWatch watch(RouteState from, Consumer<RouteState> onChange);

    /**
     * @return the capability to prove where traffic goes after a switch, when the platform offers it
     */
    default Optional<TrafficVerifier> verifier() {
        return Optional.empty();
    }
}
