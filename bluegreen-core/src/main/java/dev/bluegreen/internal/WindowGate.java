package dev.bluegreen.internal;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ObservationWindow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@link ObservationWindow} implementation. */
public final class WindowGate implements ObservationWindow {
    private final String name;
    private final HealthGate gate;
    private final Duration interval;
    private final int evaluations;
    private final Duration initialDelay;
    private final int failureLimit;
    private final int inconclusiveLimit;
    private final int consecutiveErrorLimit;

    private WindowGate(Builder builder) {
        this.name = builder.name != null ? builder.name : "window(" + builder.gate.name() + ")";
        this.gate = builder.gate;
        this.interval = builder.interval;
        this.evaluations = builder.count != null ? builder.count
                : (int) Math.max(1, builder.duration.toNanos() / builder.interval.toNanos());
        this.initialDelay = builder.initialDelay;
        this.failureLimit = builder.failureLimit;
        this.inconclusiveLimit = builder.inconclusiveLimit;
        this.consecutiveErrorLimit = builder.consecutiveErrorLimit;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        Tally tally = new Tally();
        context.time().sleep(initialDelay);
        for (int done = 1; done <= evaluations; done++) {
            context.time().sleep(interval);
            Gates.Measured measured = Gates.measure(gate, context);
            GateResult last = measured.result();
            tally.add(new GateEvaluation(gate.name(), context.stage(), last, context.time().now()), measured.error());
            context.reportInterim(name, last);
            if (tally.failed > failureLimit) {
                return tally.verdict(GateResult.failed(tally.failed + " of " + done + " evaluations of '" + gate.name()
                        + "' failed, more than the limit of " + failureLimit + "; last: " + last.reason()), last);
            }
            if (tally.inconclusive > inconclusiveLimit) {
                return tally.verdict(GateResult.inconclusive(tally.inconclusive + " of " + done + " evaluations of '"
                        + gate.name() + "' were inconclusive, more than the limit of " + inconclusiveLimit + "; last: "
                        + last.reason()), last);
            }
            if (tally.consecutiveErrors > consecutiveErrorLimit) {
                return tally.verdict(GateResult.failed(tally.consecutiveErrors + " evaluations of '" + gate.name()
                        + "' in a row threw, more than the limit of " + consecutiveErrorLimit + "; last: "
                        + last.reason()), last);
            }
        }
        GateResult last = tally.parts.get(tally.parts.size() - 1).result();
        if (tally.errors == evaluations) {
            return tally.verdict(GateResult.inconclusive("every one of the " + evaluations + " evaluations of '"
                    + gate.name() + "' threw, so nothing was measured; last: " + last.reason()), last);
        }
        return tally.verdict(GateResult.passed("'" + gate.name() + "' held for " + duration() + ": " + evaluations
                + " evaluations every " + interval + ", " + tally.failed + " failed (limit " + failureLimit + "), "
                + tally.inconclusive + " inconclusive (limit " + inconclusiveLimit + ")"
                + (tally.errors == 0 ? "" : ", " + tally.errors + " threw (at most " + consecutiveErrorLimit
                + " in a row)")), last);
    }

    /** The counts of one run of the window, and every evaluation with its time. */
    private static final class Tally {
        final List<GateEvaluation> parts = new ArrayList<>();
        int failed;
        int inconclusive;
        int errors;
        int consecutiveErrors;

        void add(GateEvaluation evaluation, boolean error) {
            parts.add(evaluation);
            if (error) {
                errors++;
                consecutiveErrors++;
                return;
            }
            consecutiveErrors = 0;
            if (evaluation.result().status() == GateStatus.FAILED) {
                failed++;
            } else if (evaluation.result().status() == GateStatus.INCONCLUSIVE) {
                inconclusive++;
            }
        }

        GateResult verdict(GateResult verdict, GateResult last) {
            GateResult counted = verdict.withMeasurement("evaluations", parts.size())
                    .withMeasurement("failed", failed)
                    .withMeasurement("inconclusive", inconclusive);
            if (errors > 0) {
                counted = counted.withMeasurement("errors", errors);
            }
            return counted.withMeasurements(last.measurements()).withParts(parts);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public Duration duration() {
        return initialDelay.plus(interval.multipliedBy(evaluations));
    }

    @Override
    public int evaluations() {
        return evaluations;
    }

    @Override
    public Duration initialDelay() {
        return initialDelay;
    }

    @Override
    public int failureLimit() {
        return failureLimit;
    }

    @Override
    public int inconclusiveLimit() {
        return inconclusiveLimit;
    }

    @Override
    public int consecutiveErrorLimit() {
        return consecutiveErrorLimit;
    }

    @Override
    public String toString() {
        return name + "[" + evaluations + " evaluations every " + interval
                + (initialDelay.isZero() ? "" : " after " + initialDelay) + ", failureLimit=" + failureLimit
                + ", inconclusiveLimit=" + inconclusiveLimit + ", consecutiveErrorLimit=" + consecutiveErrorLimit + "]";
    }

    /** The {@link ObservationWindow.Builder} implementation. */
    public static final class Builder implements ObservationWindow.Builder {
        private final HealthGate gate;
        private String name;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration duration;
        private Integer count;
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private int failureLimit = DEFAULT_FAILURE_LIMIT;
        private int inconclusiveLimit = DEFAULT_INCONCLUSIVE_LIMIT;
        private int consecutiveErrorLimit = DEFAULT_CONSECUTIVE_ERROR_LIMIT;

        /**
         * @param gate the gate to observe; never null
         */
        public Builder(HealthGate gate) {
            this.gate = Checks.nonNull("gate to observe", gate);
        }

        @Override
        public Builder name(String name) {
            this.name = Checks.nonBlank("window name", name);
            return this;
        }

        @Override
        public Builder every(Duration interval) {
            this.interval = Checks.positive("window interval", interval);
            return this;
        }

        @Override
        public Builder lasting(Duration duration) {
            this.duration = Checks.positive("window duration", duration);
            return this;
        }

        @Override
        public Builder count(int count) {
            this.count = Checks.atLeast("window count", 1, count);
            return this;
        }

        @Override
        public Builder initialDelay(Duration delay) {
            this.initialDelay = Checks.notNegative("window initial delay", delay);
            return this;
        }

        @Override
        public Builder failureLimit(int limit) {
            this.failureLimit = Checks.atLeast("failure limit", 0, limit);
            return this;
        }

        @Override
        public Builder inconclusiveLimit(int limit) {
            this.inconclusiveLimit = Checks.atLeast("inconclusive limit", 0, limit);
            return this;
        }

        @Override
        public Builder consecutiveErrorLimit(int limit) {
            this.consecutiveErrorLimit = Checks.atLeast("consecutive error limit", 0, limit);
            return this;
        }

        @Override
        public ObservationWindow build() {
            if (duration != null && count != null) {
                throw new ConfigurationException("window of '" + gate.name() + "' has both a duration (" + duration
                        + ") and a count (" + count + "); expected one of them");
            }
            if (count == null) {
                Duration length = duration != null ? duration : DEFAULT_DURATION;
                if (interval.compareTo(length) > 0) {
                    throw new ConfigurationException("window interval " + interval + " is longer than its duration "
                            + length + "; expected an interval no longer than the duration");
                }
                duration = length;
            }
            return new WindowGate(this);
        }
    }
}
