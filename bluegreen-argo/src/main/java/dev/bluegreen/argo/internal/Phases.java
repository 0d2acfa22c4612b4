package dev.bluegreen.argo.internal;

import dev.bluegreen.argo.Rollout;
import dev.bluegreen.argo.RolloutPhase;

/**
 * A Rollout's phase and message as the plugin computes them ({@code rolloututil.GetRolloutPhase}): a spec the
 * controller has not observed yet, or a promotion it has not acted on, is Progressing whatever the status says;
 * otherwise the controller's own {@code status.phase}; for a status written without one (Argo before 1.0), the
 * phase is calculated from the status as {@code CalculateRolloutPhase} does.
 */
public final class Phases {
    private Phases() {
    }

    /**
     * A phase and its message.
     *
     * @param phase   the phase
     * @param message the message; never null
     */
    public record Computed(RolloutPhase phase, String message) {
    }

    /**
     * @param rollout a blue-green Rollout as read; never null
     * @return its phase and message
     */
    public static Computed of(Rollout rollout) {
        if (!generationObserved(rollout)) {
            return new Computed(RolloutPhase.PROGRESSING, "waiting for rollout spec update to be observed");
        }
        if (rollout.controllerPause() && rollout.pauseConditions().isEmpty()) {
            return new Computed(RolloutPhase.PROGRESSING, "waiting for rollout to unpause");
        }
        String written = rollout.statusPhase();
        if (written != null) {
            String message = rollout.statusMessage();
            return new Computed(RolloutPhase.fromArgo(written), message == null ? "" : message);
        }
        return calculate(rollout);
    }

    private static boolean generationObserved(Rollout rollout) {
        String observed = rollout.observedGeneration();
        long generation;
        try {
            generation = Long.parseLong(observed);
        } catch (NumberFormatException | NullPointerException e) {
            // A hash (Argo before 1.0) or nothing: nothing to compare.
            return true;
        }
        return generation >= rollout.generation();
    }

    /**
     * {@code CalculateRolloutPhase} for blue-green Rollouts.
     *
     * @param rollout a blue-green Rollout
     * @return its phase and message from its spec and status
     */
    public static Computed calculate(Rollout rollout) {
        for (Rollout.Condition condition : rollout.conditions()) {
            if ("InvalidSpec".equals(condition.type())) {
                return new Computed(RolloutPhase.DEGRADED, "InvalidSpec: " + condition.message());
            }
            if ("RolloutAborted".equals(condition.reason()) || "ProgressDeadlineExceeded".equals(condition.reason())) {
                return new Computed(RolloutPhase.DEGRADED, condition.reason() + ": " + condition.message());
            }
        }
        if (rollout.paused()) {
            return new Computed(RolloutPhase.PAUSED, "manually paused");
        }
        if (!rollout.pauseConditions().isEmpty()) {
            return new Computed(RolloutPhase.PAUSED, rollout.pauseConditions().get(0));
        }
        String restartAt = rollout.restartAt();
        if (restartAt != null && !restartAt.equals(rollout.restartedAt())) {
            return new Computed(RolloutPhase.PROGRESSING, "rollout is restarting");
        }
        if (rollout.updatedReplicas() < rollout.replicas()) {
            return new Computed(RolloutPhase.PROGRESSING, "more replicas need to be updated");
        }
        if (rollout.availableReplicas() < rollout.updatedReplicas()) {
            return new Computed(RolloutPhase.PROGRESSING, "updated replicas are still becoming available");
        }
        String active = rollout.activeSelector();
        if (active == null || active.isEmpty() || !active.equals(rollout.currentPodHash())) {
            return new Computed(RolloutPhase.PROGRESSING, "active service cutover pending");
        }
        String stable = rollout.stableHash();
        if (stable == null || stable.isEmpty() || !stable.equals(rollout.currentPodHash())) {
            if (rollout.field("spec", "strategy", "blueGreen", "postPromotionAnalysis").isPresent()) {
                Object analysisPhase = rollout.field("status", "blueGreen", "postPromotionAnalysisRunStatus", "status")
                        .orElse(null);
                if (!"Successful".equals(analysisPhase) && !"Failed".equals(analysisPhase)
                        && !"Error".equals(analysisPhase) && !"Inconclusive".equals(analysisPhase)) {
                    return new Computed(RolloutPhase.PROGRESSING, "waiting for analysis to complete");
                }
            }
            return new Computed(RolloutPhase.PROGRESSING, "waiting for post-promotion verification to complete");
        }
        return new Computed(RolloutPhase.HEALTHY, "");
    }
}
