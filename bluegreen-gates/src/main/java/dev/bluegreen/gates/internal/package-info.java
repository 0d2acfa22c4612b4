/**
 * Implementations of the gates in {@code dev.bluegreen.gates}. Not part of the API: its public
 * types may change without notice; use the interfaces and builders of {@code dev.bluegreen.gates}.
 */
package dev.bluegreen.gates.internal;
