package dev.bluegreen;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link HealthGate} decided, why, and what it measured. Immutable; the {@code with...}
 * methods return new instances.
 *
 * <pre>{@code
 * return GateResult.failed("error rate 7.1% is above the 5% limit")
 *         .withMeasurement("error_rate", 0.071)
 *         .withMeasurement("limit", 0.05);
 * }</pre>
 */
public final class GateResult {
    private final GateStatus status;
    private final String reason;
    private final Map<String, Number> measurements;
    private final List<GateEvaluation> parts;

    private GateResult(GateStatus status, String reason, Map<String, Number> measurements, List<GateEvaluation> parts) {
        this.status = status;
        this.reason = reason;
        this.measurements = measurements;
        this.parts = parts;
    }

    /**
     * @param reason why the gate passed, e.g. "3 of 3 smoke requests answered 200"; never null or blank
     * @return a passing result
     */
    public static GateResult passed(String reason) {
        return of(GateStatus.PASSED, reason);
    }

    /**
     * @param reason why the gate failed, naming the measured and expected values; never null or blank
     * @return a failing result
     */
    public static GateResult failed(String reason) {
        return of(GateStatus.FAILED, reason);
    }

    /**
     * @param reason why no decision could be made; never null or blank
     * @return an inconclusive result
     */
    public static GateResult inconclusive(String reason) {
        return of(GateStatus.INCONCLUSIVE, reason);
    }

    /**
     * @param status the verdict; never null
     * @param reason the explanation; never null or blank
     * @return a result without measurements
     */
    public static GateResult of(GateStatus status, String reason) {
        if (status == null) {
            throw new ConfigurationException("gate result status must not be null");
        }
        if (reason == null || reason.isBlank()) {
            throw new ConfigurationException("gate result reason must be a non-blank sentence, but was "
                    + (reason == null ? "null" : "'" + reason + "'"));
        }
        return new GateResult(status, reason, Map.of(), List.of());
    }

    /**
     * @param name  the measurement's name, e.g. "error_rate"; never null or blank
     * @param value the measured value; never null, not NaN
     * @return a copy of this result with the measurement added (replacing one of the same name)
     */
    public GateResult withMeasurement(String name, Number value) {
        if (name == null || name.isBlank()) {
            throw new ConfigurationException("measurement name must not be blank, but was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (value == null || (value instanceof Double && ((Double) value).isNaN())
                || (value instanceof Float && ((Float) value).isNaN())) {
            throw new ConfigurationException("measurement '" + name + "' must be a number, but was " + value);
        }
        Map<String, Number> copy = new LinkedHashMap<>(measurements);
        copy.put(name, value);
        return new GateResult(status, reason, Collections.unmodifiableMap(copy), parts);
    }

    /**
     * @param values measurements to add, in iteration order; never null
     * @return a copy of this result with the measurements added
     */
    public GateResult withMeasurements(Map<String, ? extends Number> values) {
        GateResult result = this;
        for (Map.Entry<String, ? extends Number> entry : values.entrySet()) {
            result = result.withMeasurement(entry.getKey(), entry.getValue());
        }
        return result;
    }

    /**
     * @param evaluations the results of the gates this one is composed of; never null
     * @return a copy of this result carrying them, so that a composite explains each part
     */
    public GateResult withParts(List<GateEvaluation> evaluations) {
        return new GateResult(status, reason, measurements, List.copyOf(evaluations));
    }

    /**
     * @return the verdict
     */
    public GateStatus status() {
        return status;
    }

    /**
     * @return whether the verdict is {@link GateStatus#PASSED}
     */
    public boolean passed() {
        return status == GateStatus.PASSED;
    }

    /**
     * @return the explanation
     */
    public String reason() {
        return reason;
    }

    /**
     * @return the measured values by name, in the order they were added; unmodifiable
     */
    public Map<String, Number> measurements() {
        return measurements;
    }

    /**
     * @return for composite gates, the result of each part; otherwise empty
     */
    public List<GateEvaluation> parts() {
        return parts;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof GateResult)) {
            return false;
        }
        GateResult that = (GateResult) other;
        return status == that.status && reason.equals(that.reason)
                && measurements.equals(that.measurements) && parts.equals(that.parts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, reason, measurements, parts);
    }

    /**
     * @return e.g. {@code FAILED: error rate 7.1% is above the 5% limit {error_rate=0.071, limit=0.05}}
     */
    @Override
    public String toString() {
        return status + ": " + reason + (measurements.isEmpty() ? "" : " " + measurements);
    }
}
