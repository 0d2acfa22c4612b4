package dev.bluegreen.fabric8.internal;

import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;

import java.util.regex.Pattern;

/** Checks, where a method needs them, that the Service names derived from the conventions are valid. */
final class ServiceNames {
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

    private ServiceNames() {
    }

    /**
     * @throws ConfigurationException naming the value when it is not a DNS-1035 label of at most 63 characters
     */
    static void require(String what, String name, Color color) {
        if (name.length() > 63 || !DNS_1035_LABEL.matcher(name).matches()) {
            throw new ConfigurationException("the " + what + " name '" + name + "' of color " + color + " derived from "
                    + "the conventions is not a valid Service name (a DNS-1035 label: 1-63 characters of a-z, 0-9 and "
                    + "'-', starting with a letter); configure its name pattern in BlueGreenConventions");
        }
    }
}
