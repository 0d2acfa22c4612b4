package dev.bluegreen.internal;

/** The work of one step, given the step's deadline. */
@FunctionalInterface
interface StepWork {
    Done run(StepDeadline deadline) throws Exception;
}
