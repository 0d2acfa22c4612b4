package dev.bluegreen.internal;

import dev.bluegreen.ConfigurationException;

import java.time.Duration;
import java.util.regex.Pattern;

/** Argument checks that echo the offending value. Internal: not part of the API. */
public final class Checks {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Checks() {
    }

    /**
     * @param what  what the value is, for the message
     * @param value the value
     * @param <T>   its type
     * @return {@code value}; throws naming {@code what} when it is null
     */
    public static <T> T nonNull(String what, T value) {
        if (value == null) {
            throw new ConfigurationException(what + " must not be null");
        }
        return value;
    }

    /**
     * @param what  what the value is, for the message
     * @param value the value
     * @param <T>   its type
     * @return {@code value}; throws saying {@code what} is required when it was not set
     */
    public static <T> T required(String what, T value) {
        if (value == null) {
            throw new ConfigurationException(what + " is required but was not set");
        }
        return value;
    }

    /**
     * @param what  what the value is, for the message
     * @param value the value
     * @return {@code value}; throws echoing it when it is null or blank
     */
    public static String nonBlank(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException(what + " must not be blank, but was " + quote(value));
        }
        return value;
    }

    /**
     * @param what  what the value is, for the message
     * @param value the value
     * @return {@code value}; throws echoing it when it is not a lowercase DNS label
     */
    public static String dnsLabel(String what, String value) {
        if (value == null || value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
            throw new ConfigurationException(what + " must be a lowercase DNS label (1-63 characters of a-z, 0-9 and '-', "
                    + "starting and ending with a letter or digit), but was " + quote(value));
        }
        return value;
    }

    /**
     * @param what  what the value is, for the message
     * @param value the value
     * @return {@code value}; throws echoing it when it is null, zero or negative
     */
    public static Duration positive(String what, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new ConfigurationException(what + " must be a positive duration, but was " + value);
        }
        return value;
    }

    /**
     * @param what  what the value is, for the message
     * @param value the value
     * @return {@code value}; throws echoing it when it is null or negative
     */
    public static Duration notNegative(String what, Duration value) {
        if (value == null || value.isNegative()) {
            throw new ConfigurationException(what + " must be zero or a positive duration, but was " + value);
        }
        return value;
    }

    /**
     * @param what    what the value is, for the message
     * @param minimum the least value allowed
     * @param value   the value
     * @return {@code value}; throws echoing it when it is below {@code minimum}
     */
    public static int atLeast(String what, int minimum, int value) {
        if (value < minimum) {
            throw new ConfigurationException(what + " must be at least " + minimum + ", but was " + value);
        }
        return value;
    }

    /**
     * @param value a value, may be null
     * @return the value in single quotes, or {@code null}
     */
    public static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
