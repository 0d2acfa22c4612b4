/**
 * Runnable examples: the demo, the benchmark and the chaos matrix of {@code bluegreen-examples.jar},
 * and the README's quickstart.
 */
package dev.bluegreen.examples;
