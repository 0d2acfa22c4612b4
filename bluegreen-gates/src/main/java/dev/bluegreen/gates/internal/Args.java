package dev.bluegreen.gates.internal;

import dev.bluegreen.ConfigurationException;

import java.net.URI;
import java.time.Duration;

/** Argument checks that echo the offending value. Internal: not part of the API. */
public final class Args {
    private Args() {
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
     * @param what  what the value is, for the message
     * @param value the value
     * @return {@code value}; throws echoing it when it is not a finite number
     */
    public static double finite(String what, double value) {
        if (!Double.isFinite(value)) {
            throw new ConfigurationException(what + " must be a finite number, but was " + value);
        }
        return value;
    }

    /**
     * @param what  what the value is, for the message
     * @param value an absolute http or https URL
     * @return the URI; throws echoing the value when it is not one
     */
    public static URI httpUrl(String what, String value) {
        if (value == null) {
            throw new ConfigurationException(what + " must be an absolute http or https URL, but was null");
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (java.net.URISyntaxException e) {
            throw new ConfigurationException(what + " must be an absolute http or https URL, but was " + quote(value)
                    + " (" + e.getReason() + ")");
        }
        return httpUrl(what, uri);
    }

    /**
     * @param what  what the value is, for the message
     * @param uri   an absolute http or https URL
     * @return {@code uri}; throws echoing it when it is not one
     */
    public static URI httpUrl(String what, URI uri) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            throw new ConfigurationException(what + " must be an absolute http or https URL with a host, but was "
                    + (uri == null ? "null" : quote(Text.redact(uri))));
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigurationException(what + " must not carry credentials in the URL (" + quote(Text.redact(uri))
                    + "); use a header or the gate's auth settings");
        }
        return uri;
    }

    /**
     * @param value a value, may be null
     * @return the value in single quotes, or {@code null}
     */
    public static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
