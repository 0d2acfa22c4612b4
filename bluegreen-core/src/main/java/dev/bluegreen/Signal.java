package dev.bluegreen;

import java.time.Instant;

/**
 * A message sent to a running release from outside it: a person's approval or rejection, a
 * decision of another system. Gates wait for signals by name through
 * {@link GateContext#signal(String)}; host applications send them with
 * {@link ReleaseExecution#signal(String, String, String)}.
 *
 * @param name what it says, e.g. {@code "approve"}; never blank
 * @param by   who sent it, e.g. a user name; never blank
 * @param note why, as the sender put it; never null, may be empty
 * @param at   when the release received it, by the release's time source; never null
 */
public record Signal(String name, String by, String note, Instant at) {

    /**
     * Validates the components.
     *
     * @param name what it says
     * @param by   who sent it
     * @param note why
     * @param at   when it was received
     */
    public Signal {
        if (name == null || name.isBlank()) {
            throw new ConfigurationException("signal name must not be blank, but was " + quote(name));
        }
        if (by == null || by.isBlank()) {
            throw new ConfigurationException("sender of signal '" + name + "' must not be blank, but was " + quote(by));
        }
        if (note == null) {
            throw new ConfigurationException("note of signal '" + name + "' must not be null; use \"\" for none");
        }
        if (at == null) {
            throw new ConfigurationException("time of signal '" + name + "' must not be null");
        }
    }

    private static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }

    /**
     * @return e.g. {@code approve by alice: error rate looks fine}
     */
    @Override
    public String toString() {
        return name + " by " + by + (note.isEmpty() ? "" : ": " + note);
    }
}
