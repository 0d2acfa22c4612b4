package dev.bluegreen;

import dev.bluegreen.internal.Checks;

import java.util.Objects;

/**
 * One of the two environments of a blue-green release. A color is only a name: adapters decide
 * what it maps to (a label value, a Service, a revision), so the core never assumes labels.
 */
public final class Color {
    /** The conventional first color. */
    public static final Color BLUE = new Color("blue");
    /** The conventional second color. */
    public static final Color GREEN = new Color("green");

    private final String name;

    private Color(String name) {
        this.name = name;
    }

    /**
     * Returns the color with this name.
     *
     * @param name a lowercase DNS label (1-63 characters of a-z, 0-9 and '-', starting and ending
     *             alphanumeric), because adapters use it in label values and object names; never null
     * @return the color
     * @throws ConfigurationException when the name is not such a label
     */
    public static Color of(String name) {
        Checks.dnsLabel("color", name);
        if (name.equals(BLUE.name)) {
            return BLUE;
        }
        if (name.equals(GREEN.name)) {
            return GREEN;
        }
        return new Color(name);
    }

    /**
     * @return the color's name, e.g. {@code "green"}
     */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Color && ((Color) other).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    /**
     * @return the color's name
     */
    @Override
    public String toString() {
        return name;
    }
}
