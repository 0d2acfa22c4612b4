package dev.bluegreen.spi;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.VerificationException;

/**
 * A verification opened before a switch is written, so the wait after the write starts with
 * everything already being followed (the time to verified is then the platform's own delay).
 */
public interface VerificationWatch extends AutoCloseable {

    /**
     * Waits until traffic reaches only ready backends of the expected color: at least one, and
     * none of any other color.
     *
     * @param deadline when to give up; never null
     * @return what was observed when it held
     * @throws VerificationException when it did not hold in time, saying what was seen last
     * @throws ClusterApiException   when the platform could not be read
     */
    TrafficVerification await(Deadline deadline);

    /** Stops following. Idempotent; never throws. */
    @Override
    void close();
}
