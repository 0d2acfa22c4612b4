package dev.bluegreen.internal;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ObservationWindow;

import java.time.Duration;

/** The {@link ObservationWindow} implementation. */
public final class WindowGate implements ObservationWindow {
    private final String name;
    private final HealthGate gate;
    private final Duration interval;
    private final Duration duration;
    private final int failureLimit;
    private final int inconclusiveLimit;

    private WindowGate(Builder builder) {
        this.name = builder.name != null ? builder.name : "window(" + builder.gate.name() + ")";
        this.gate = builder.gate;
        this.interval = builder.interval;
        this.duration = builder.duration;
        this.failureLimit = builder.failureLimit;
        this.inconclusiveLimit = builder.inconclusiveLimit;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        int planned = evaluations();
        int failures = 0;
        int inconclusives = 0;
        GateResult last = null;
        for (int done = 1; done <= planned; done++) {
            context.time().sleep(interval);
            last = Gates.evaluate(gate, context);
            context.reportInterim(name, last);
            if (last.status() == GateStatus.FAILED) {
                failures++;
            } else if (last.status() == GateStatus.INCONCLUSIVE) {
                inconclusives++;
            }
            if (failures > failureLimit) {
                return tally(GateResult.failed(failures + " of " + done + " evaluations of '" + gate.name()
                        + "' failed, more than the limit of " + failureLimit + "; last: " + last.reason()),
                        done, failures, inconclusives, last);
            }
            if (inconclusives > inconclusiveLimit) {
                return tally(GateResult.inconclusive(inconclusives + " of " + done + " evaluations of '" + gate.name()
                        + "' were inconclusive, more than the limit of " + inconclusiveLimit + "; last: " + last.reason()),
                        done, failures, inconclusives, last);
            }
        }
        return tally(GateResult.passed("'" + gate.name() + "' held for " + duration + ": " + planned
                + " evaluations every " + interval + ", " + failures + " failed (limit " + failureLimit + "), "
                + inconclusives + " inconclusive (limit " + inconclusiveLimit + ")"),
                planned, failures, inconclusives, last);
    }

    private static GateResult tally(GateResult verdict, int done, int failures, int inconclusives, GateResult last) {
        return verdict.withMeasurement("evaluations", done)
                .withMeasurement("failed", failures)
                .withMeasurement("inconclusive", inconclusives)
                .withMeasurements(last.measurements());
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
        return duration;
    }

    @Override
    public int evaluations() {
        return (int) Math.max(1, duration.toNanos() / interval.toNanos());
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
    public String toString() {
        return name + "[every " + interval + " for " + duration + ", failureLimit=" + failureLimit
                + ", inconclusiveLimit=" + inconclusiveLimit + "]";
    }

    /** The {@link ObservationWindow.Builder} implementation. */
    public static final class Builder implements ObservationWindow.Builder {
        private final HealthGate gate;
        private String name;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration duration = DEFAULT_DURATION;
        private int failureLimit = DEFAULT_FAILURE_LIMIT;
        private int inconclusiveLimit = DEFAULT_INCONCLUSIVE_LIMIT;

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
        public ObservationWindow build() {
            if (interval.compareTo(duration) > 0) {
                throw new ConfigurationException("window interval " + interval + " is longer than its duration "
                        + duration + "; expected an interval no longer than the duration");
            }
            return new WindowGate(this);
        }
    }
}
