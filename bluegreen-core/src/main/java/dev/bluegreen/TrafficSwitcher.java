package dev.bluegreen;

import java.time.Duration;

/**
 * Routes all of an app's traffic to one color. Implementations exist for a Service's label
 * selector, an Ingress backend and Argo Rollouts; each keeps these promises:
 * <ul>
 *   <li>{@link #switchTo(Color)} is one compare-and-swap write: a concurrent edit of the routing
 *       object surfaces as {@link SwitchConflictException}, never as a silent overwrite;</li>
 *   <li>it refuses, before writing, to route traffic to a color without ready backends;</li>
 *   <li>checks ({@link #liveColor()}, {@link #checkRoutable(Color)}, {@link #checkSwitchable(Color)})
 *       never write.</li>
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
     * @return the live color
     * @throws PreflightException  when the routing object is missing or does not route by color
     * @throws ClusterApiException when the platform could not be read
     */
    Color liveColor();

    /**
     * Checks, without writing, that traffic could be routed to a color once it is ready: the
     * routing object exists and routes by color, and the color's backends would match it.
     *
     * @param color the color to check; never null
     * @throws PreflightException  listing every problem found
     * @throws ClusterApiException when the platform could not be read
     */
    void checkRoutable(Color color);

    /**
     * Checks, without writing, everything {@link #checkRoutable(Color)} checks plus that the
     * color has ready backends now, so a switch would not leave traffic pointing at nothing.
     *
     * @param color the color to check; never null
     * @throws PreflightException  listing every problem found
     * @throws ClusterApiException when the platform could not be read
     */
    void checkSwitchable(Color color);

    /**
     * Routes all traffic to a color in one compare-and-swap write, after
     * {@link #checkSwitchable(Color)}. When the color is already live nothing is written.
     *
     * @param color the color to route traffic to; never null
     * @return what was done
     * @throws PreflightException       when the switch would be unsafe; nothing was written
     * @throws SwitchConflictException  when the routing object changed since it was read; nothing was written
     * @throws ClusterApiException      when the write failed for another reason
     */
    SwitchResult switchTo(Color color);

    /**
     * Waits until traffic reaches only ready backends of a color: at least one, and none of any
     * other color.
     *
     * @param color   the color traffic should reach; never null
     * @param timeout how long to wait; positive
     * @return what was observed when it held
     * @throws VerificationException when it did not hold before the timeout, saying what was seen last
     * @throws ClusterApiException   when the platform could not be read
     */
    TrafficVerification verify(Color color, Duration timeout);
}
