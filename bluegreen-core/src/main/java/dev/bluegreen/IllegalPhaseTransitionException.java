package dev.bluegreen;

/**
 * An attempt to move a release between two phases that are not connected. Signals a bug in the
 * engine or in an extension driving phases, never a cluster problem.
 */
public class IllegalPhaseTransitionException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The phase the release was in. */
    private final Phase from;
    /** The phase asked for. */
    private final Phase to;

    /**
     * @param app  the app being released; never null
     * @param from the current phase; never null
     * @param to   the phase asked for; never null
     */
    public IllegalPhaseTransitionException(String app, Phase from, Phase to) {
        super("release of " + app + ": illegal phase transition from " + from + " to " + to
                + " (allowed from " + from + ": " + from.next() + ")");
        this.from = from;
        this.to = to;
    }

    /**
     * @return the phase the release was in
     */
    public Phase from() {
        return from;
    }

    /**
     * @return the phase that was asked for
     */
    public Phase to() {
        return to;
    }
}
