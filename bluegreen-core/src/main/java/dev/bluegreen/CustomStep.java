package dev.bluegreen;

import dev.bluegreen.internal.Checks;

import java.time.Duration;
import java.util.Optional;

/**
 * A step a host application inserts into a release, e.g. running a database migration or
 * flipping a feature flag, with an optional compensation. When the release does not succeed
 * (aborted, rolled back or failed), the compensations of the custom steps that completed run in
 * reverse order, after traffic is back on the previous color.
 *
 * <pre>{@code
 * CustomStep migrate = CustomStep.named("migrate-schema")
 *         .action(ctx -> migrations.expand(ctx.version()))
 *         .compensation(ctx -> migrations.undoExpand(ctx.version()))
 *         .timeout(Duration.ofMinutes(2))
 *         .build();
 * }</pre>
 */
public final class CustomStep {

    /** Timeout of a custom step whose builder names none: 5 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final String name;
    private final StepAction action;
    private final StepAction compensation;
    private final Duration timeout;

    private CustomStep(Builder builder) {
        this.name = builder.name;
        this.action = builder.action;
        this.compensation = builder.compensation;
        this.timeout = builder.timeout;
    }

    /**
     * @param name the step's name, a lowercase DNS label unique in the plan, e.g. "migrate-schema"
     * @return a builder
     */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /**
     * @param name   the step's name, a lowercase DNS label unique in the plan
     * @param action the work; never null
     * @return a step without compensation and with the default timeout
     */
    public static CustomStep of(String name, StepAction action) {
        return named(name).action(action).build();
    }

    /**
     * @return the step's name
     */
    public String name() {
        return name;
    }

    /**
     * @return the work
     */
    public StepAction action() {
        return action;
    }

    /**
     * @return the work that undoes it, when there is one
     */
    public Optional<StepAction> compensation() {
        return Optional.ofNullable(compensation);
    }

    /**
     * @return how long the action (and, separately, the compensation) may run
     */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "CustomStep[" + name + ", timeout=" + timeout + (compensation == null ? "" : ", compensated") + "]";
    }

    /** Builds a {@link CustomStep}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private StepAction action;
        private StepAction compensation;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(String name) {
            this.name = Checks.dnsLabel("custom step name", name);
        }

        /**
         * @param action the work; never null
         * @return this builder
         */
        public Builder action(StepAction action) {
            this.action = Checks.nonNull("action of step '" + name + "'", action);
            return this;
        }

        /**
         * @param compensation the work that undoes the action; never null
         * @return this builder
         */
        public Builder compensation(StepAction compensation) {
            this.compensation = Checks.nonNull("compensation of step '" + name + "'", compensation);
            return this;
        }

        /**
         * @param timeout how long the action may run; positive; default {@link #DEFAULT_TIMEOUT}
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive("timeout of step '" + name + "'", timeout);
            return this;
        }

        /**
         * @return the step
         * @throws ConfigurationException when no action was set
         */
        public CustomStep build() {
            Checks.required("action of step '" + name + "'", action);
            return new CustomStep(this);
        }
    }
}
