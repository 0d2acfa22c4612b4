/**
 * Typed events of a release ({@link dev.bluegreen.event.ReleaseEvent}, a sealed interface of
 * records), each carrying the release id, delivered to {@link dev.bluegreen.ReleaseListener}s.
 */
package dev.bluegreen.event;
