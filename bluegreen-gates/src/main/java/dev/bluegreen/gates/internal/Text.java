package dev.bluegreen.gates.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Short, safe texts for results: trimmed bodies, redacted URLs, durations. Internal: not part of the API. */
public final class Text {
    /** The longest body excerpt a result shows. */
    public static final int MAX_EXCERPT = 300;

    private Text() {
    }

    /**
     * @param body      the bytes read, at most a limit
     * @param truncated whether more bytes were left unread
     * @return the body as one line of at most {@link #MAX_EXCERPT} characters, e.g.
     *         {@code {"status":"DOWN"}} or {@code (empty)}
     */
    public static String excerpt(byte[] body, boolean truncated) {
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        if (text.isEmpty()) {
            return truncated ? "(not shown)" : "(empty)";
        }
        if (text.length() > MAX_EXCERPT) {
            return text.substring(0, MAX_EXCERPT) + "... (" + (text.length() - MAX_EXCERPT) + " more characters"
                    + (truncated ? " and more bytes" : "") + ")";
        }
        return truncated ? text + "... (more bytes not read)" : text;
    }

    /**
     * @param uri a URL
     * @return it without user info, for messages and logs
     */
    public static String redact(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return uri.getScheme() + "://" + uri.getHost();
        }
    }

    /**
     * @param duration a duration
     * @return e.g. {@code 250 ms}, {@code 7 s}, {@code 1.5 s}, {@code 3 min}
     */
    public static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + " min";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /**
     * @param value a number
     * @return it without a useless ".0", e.g. {@code 0.2}, {@code 3}, {@code NaN}
     */
    public static String number(double value) {
        if (Double.isFinite(value) && value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
