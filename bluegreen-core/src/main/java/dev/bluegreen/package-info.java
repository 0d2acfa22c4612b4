/**
 * The API host applications call: build a {@link dev.bluegreen.ReleasePlan}, run it with a
 * {@link dev.bluegreen.ReleaseEngine}, read the {@link dev.bluegreen.ReleaseResult}; write
 * {@link dev.bluegreen.HealthGate}s and {@link dev.bluegreen.CustomStep}s of their own; recover an
 * app whose release crashed. Every exception is a {@link dev.bluegreen.BlueGreenException}.
 */
package dev.bluegreen;
