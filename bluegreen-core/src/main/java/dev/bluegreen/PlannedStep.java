package dev.bluegreen;

import java.time.Duration;
import java.util.Optional;

/**
 * One entry of a plan's flow: a standard step or a custom step, with its timeout and the phase it
 * runs in. {@link ReleasePlan#steps()} lists them in running order.
 */
public final class PlannedStep {
    private final String name;
    private final StandardStep standard;
    private final CustomStep custom;
    private final Duration timeout;
    private final Phase phase;

    private PlannedStep(String name, StandardStep standard, CustomStep custom, Duration timeout, Phase phase) {
        this.name = name;
        this.standard = standard;
        this.custom = custom;
        this.timeout = timeout;
        this.phase = phase;
    }

    static PlannedStep standard(StandardStep step, Duration timeout, Phase phase) {
        return new PlannedStep(step.stepName(), step, null, timeout, phase);
    }

    static PlannedStep custom(CustomStep step, Phase phase) {
        return new PlannedStep(step.name(), null, step, step.timeout(), phase);
    }

    /**
     * @return the step's name
     */
    public String name() {
        return name;
    }

    /**
     * @return the standard step this entry is, or empty for a custom step
     */
    public Optional<StandardStep> standardStep() {
        return Optional.ofNullable(standard);
    }

    /**
     * @return the custom step this entry is, or empty for a standard step
     */
    public Optional<CustomStep> customStep() {
        return Optional.ofNullable(custom);
    }

    /**
     * @return how long the step may run
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * @return the phase the step runs in, which decides what a failure leads to: before the switch
     *         ({@link Phase#PREPARING}) an abort, after it ({@link Phase#SWITCHING}, {@link Phase#OBSERVING})
     *         a rollback, once committed ({@link Phase#FINISHING}) a warning
     */
    public Phase phase() {
        return phase;
    }

    @Override
    public String toString() {
        return name + " (" + (standard != null ? "standard" : "custom") + ", " + phase + ", timeout " + timeout + ")";
    }
}
