package dev.bluegreen.gates;

import dev.bluegreen.gates.internal.Args;

import java.math.BigDecimal;
import java.util.function.Predicate;

/**
 * A condition on one field of a JSON answer, which an {@link HttpGate} finds by a JSON Pointer
 * (RFC 6901, e.g. {@code /status} or {@code /checks/0/healthy}). The field's value is given to
 * the condition in its Java form: a {@code String}, a {@code Number}, a {@code Boolean},
 * {@code null} for JSON null, a {@code List} for an array, a {@code Map} for an object. A missing
 * field satisfies no condition. Immutable.
 *
 * <pre>{@code
 * JsonCondition.equalTo("UP")
 * JsonCondition.number(Threshold.below(0.5))
 * JsonCondition.matching("a non-empty list", value -> value instanceof List && !((List<?>) value).isEmpty())
 * }</pre>
 */
public final class JsonCondition {
    private final String description;
    private final Predicate<Object> predicate;

    private JsonCondition(String description, Predicate<Object> predicate) {
        this.description = description;
        this.predicate = predicate;
    }

    /**
     * @param expected the string the field must equal; never null
     * @return the field is this string
     */
    public static JsonCondition equalTo(String expected) {
        Args.nonNull("expected JSON string", expected);
        return new JsonCondition("equal to \"" + expected + "\"", expected::equals);
    }

    /**
     * @param expected the number the field must equal, compared by value ({@code 1} equals
     *                 {@code 1.0}); finite; never null
     * @return the field is this number
     */
    public static JsonCondition equalTo(Number expected) {
        Args.nonNull("expected JSON number", expected);
        Args.finite("expected JSON number", expected.doubleValue());
        BigDecimal wanted = decimal(expected);
        return new JsonCondition("equal to " + expected, value -> value instanceof Number
                && Double.isFinite(((Number) value).doubleValue()) && decimal((Number) value).compareTo(wanted) == 0);
    }

    /**
     * @param expected the boolean the field must equal
     * @return the field is this boolean
     */
    public static JsonCondition equalTo(boolean expected) {
        return new JsonCondition("equal to " + expected, value -> Boolean.valueOf(expected).equals(value));
    }

    /**
     * @param threshold what the number must satisfy; never null
     * @return the field is a number satisfying {@code threshold}
     */
    public static JsonCondition number(Threshold threshold) {
        Args.nonNull("threshold", threshold);
        return new JsonCondition("a number " + threshold,
                value -> value instanceof Number && threshold.test(((Number) value).doubleValue()));
    }

    /**
     * @return the field exists, with any value (JSON null included)
     */
    public static JsonCondition present() {
        return new JsonCondition("present", value -> true);
    }

    /**
     * @param description what the condition expects, for results, e.g. "a non-empty list"; never blank
     * @param predicate   tests the field's value in its Java form (see the class comment); never null
     * @return a condition of your own
     */
    public static JsonCondition matching(String description, Predicate<Object> predicate) {
        return new JsonCondition(Args.nonBlank("JSON condition description", description),
                Args.nonNull("JSON condition predicate", predicate));
    }

    /**
     * @param value the field's value in its Java form; may be null (JSON null)
     * @return whether the condition holds
     */
    public boolean test(Object value) {
        return predicate.test(value);
    }

    /**
     * @return what the condition expects, e.g. {@code equal to "UP"} or {@code a number below 0.5}
     */
    @Override
    public String toString() {
        return description;
    }

    private static BigDecimal decimal(Number number) {
        return number instanceof BigDecimal ? (BigDecimal) number : new BigDecimal(number.toString());
    }
}
