package dev.bluegreen.spi;

import dev.bluegreen.Color;

/**
 * The optional capability of a switcher to prove where traffic goes after a switch (for a
 * Kubernetes Service: its EndpointSlices list only ready pods of the new color). A switcher
 * without it is trusted on its write alone, and results say so.
 */
public interface TrafficVerifier {

    /**
     * Starts following what traffic reaches, expecting {@code color}; call before the switch is
     * written, then {@link VerificationWatch#await(Deadline)} after it.
     *
     * @param color the color traffic should reach; never null
     * @return the verification in progress; close it when done
     */
    VerificationWatch expect(Color color);
}
