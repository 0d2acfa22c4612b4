/**
 * The engine's implementation: the run of one release ({@code ReleaseRun}) with one class per
 * standard step, step deadlines and stop signals, the lock keeper, the in-memory release store,
 * gate composites and windows. Not API: types here may change in any release, and the module
 * exports this package only to the project's own adapters.
 */
package dev.bluegreen.internal;
