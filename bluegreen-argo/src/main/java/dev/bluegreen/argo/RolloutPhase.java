package dev.bluegreen.argo;

/**
 * A Rollout's phase, as {@code kubectl argo rollouts get} shows it.
 */
public enum RolloutPhase {
    /** Fully promoted: the active Service selects the stable revision, which is the desired one, all available. */
    HEALTHY("Healthy"),
    /** Working towards the desired revision: replicas coming up, cutover pending, a spec not yet observed. */
    PROGRESSING("Progressing"),
    /** Paused: by a user ({@code spec.paused}) or by the controller (a pause condition, e.g. {@code BlueGreenPause}). */
    PAUSED("Paused"),
    /** Aborted, timed out or invalid: needs a retry, an undo or a new template. */
    DEGRADED("Degraded");

    private final String argoName;

    RolloutPhase(String argoName) {
        this.argoName = argoName;
    }

    /** @return the name Argo uses, e.g. {@code Healthy} */
    public String argoName() {
        return argoName;
    }

    /**
     * @param name a phase as Argo writes it, e.g. {@code Paused}; never null
     * @return the phase
     * @throws IllegalArgumentException when {@code name} is not one of Healthy, Progressing, Paused, Degraded
     */
    public static RolloutPhase fromArgo(String name) {
        for (RolloutPhase phase : values()) {
            if (phase.argoName.equals(name)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("Rollout phase must be one of Healthy, Progressing, Paused, Degraded, but was "
                + name);
    }

    /** @return the name Argo uses */
    @Override
    public String toString() {
        return argoName;
    }
}
