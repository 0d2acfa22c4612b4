/**
 * What adapters implement: routing ({@link dev.bluegreen.spi.TrafficSwitcher}), the environments a
 * version runs in ({@link dev.bluegreen.spi.ColorEnvironments}), verification as an optional
 * capability ({@link dev.bluegreen.spi.TrafficVerifier}), the per-app lock and release record
 * ({@link dev.bluegreen.spi.ReleaseStore}), and the values they exchange with the engine.
 *
 * <p>Every method that reads takes the state it decides on from an earlier read and hands it back
 * to the write it conditions ({@link dev.bluegreen.spi.RouteState},
 * {@link dev.bluegreen.spi.EnvironmentState}): writes are compare-and-swap on what the decision was
 * based on, and a write refused because someone else changed the object surfaces as
 * {@link dev.bluegreen.ConflictException}. Waits go through the {@link dev.bluegreen.spi.Deadline}
 * they are given, which also tells them when the release is stopping; adapters never sleep or
 * poll on their own.
 */
package dev.bluegreen.spi;
