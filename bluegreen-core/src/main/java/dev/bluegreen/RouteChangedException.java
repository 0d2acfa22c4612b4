package dev.bluegreen;

/**
 * Someone else changed the routing object while the release relied on it: for example an operator
 * switched the Service back by hand during observation. The release stops without retiring or
 * rolling back anything, so the operator's decision stands; the result says what each color runs.
 */
public class RouteChangedException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The routing object. */
    private final String target;
    /** The color the release expected live, or null. */
    private final Color expected;
    /** The color seen live instead, or null when the router selects no single color. */
    private final Color seen;

    /**
     * @param target   the routing object; never null
     * @param expected the color the release expected live; may be null
     * @param seen     the color seen instead; null when the router selects no single color
     * @param message  the explanation; never null
     */
    public RouteChangedException(String target, Color expected, Color seen, String message) {
        this(target, expected, seen, message, null);
    }

    /**
     * @param target   the routing object; never null
     * @param expected the color the release expected live; may be null
     * @param seen     the color seen instead; null when the router selects no single color
     * @param message  the explanation; never null
     * @param cause    the failure that revealed the change, e.g. a conflict; may be null
     */
    public RouteChangedException(String target, Color expected, Color seen, String message, Throwable cause) {
        super(message, cause);
        this.target = target;
        this.expected = expected;
        this.seen = seen;
    }

    /**
     * @return the routing object that changed
     */
    public String target() {
        return target;
    }

    /**
     * @return the color the release expected live, or null
     */
    public Color expected() {
        return expected;
    }

    /**
     * @return the color seen live instead, or null when the router selects no single color
     */
    public Color seen() {
        return seen;
    }
}
