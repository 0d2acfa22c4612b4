package dev.bluegreen.spi;

/**
 * Follows a routing object after a read, so the engine sees a switch someone else makes at any
 * step (invariant I1 guards, observation). Closing it stops following.
 */
public interface RouteWatch extends AutoCloseable {

    /**
     * @return the most recent state seen: the read the watch started from, or a later change
     */
    RouteState latest();

    /** Stops following the routing object. Idempotent; never throws. */
    @Override
    void close();
}
