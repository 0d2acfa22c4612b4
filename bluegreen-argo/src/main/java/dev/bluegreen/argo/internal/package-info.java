/**
 * Implementations of the Argo Rollouts adapter: the plugin's operations, the phase computation, the
 * {@link dev.bluegreen.spi.TrafficSwitcher} and {@link dev.bluegreen.spi.ColorEnvironments} over a Rollout, and the
 * gates. Not an API: use {@link dev.bluegreen.argo}.
 */
package dev.bluegreen.argo.internal;
