package dev.bluegreen.argo;

import java.util.List;
import java.util.Map;

/**
 * What {@code kubectl argo rollouts get} tells about a blue-green Rollout.
 *
 * @param rollout         e.g. {@code Rollout shop/myapp}; never null
 * @param phase           the phase, computed as the plugin computes it; never null
 * @param message         the phase's message, e.g. {@code BlueGreenPause}; never null, may be empty
 * @param activeSelector  the pod-template hash the active Service selects, or null
 * @param previewSelector the pod-template hash the preview Service selects, or null
 * @param stableHash      {@code status.stableRS}, or null
 * @param currentHash     {@code status.currentPodHash}, the desired revision's hash, or null
 * @param pauseConditions the reasons of the pause conditions; never null
 * @param revision        the revision number of the desired ReplicaSet, 0 when unknown
 * @param images          the pod template's images by container name; never null
 * @param desired         {@code spec.replicas}
 * @param updated         replicas of the desired revision
 * @param ready           ready replicas behind the active Service
 * @param available       available replicas behind the active Service
 * @param aborted         whether {@code status.abort} is set
 * @param resourceVersion the Rollout's resourceVersion when read
 */
public record RolloutStatus(String rollout, RolloutPhase phase, String message, String activeSelector,
                            String previewSelector, String stableHash, String currentHash, List<String> pauseConditions,
                            long revision, Map<String, String> images, int desired, int updated, int ready, int available,
                            boolean aborted, String resourceVersion) {

    /** Copies the collections. */
    public RolloutStatus {
        pauseConditions = List.copyOf(pauseConditions);
        images = Map.copyOf(images);
        message = message == null ? "" : message;
    }

    /** @return whether the desired revision is the stable one (fully promoted) */
    public boolean fullyPromoted() {
        return stableHash != null && stableHash.equals(currentHash);
    }

    /**
     * @return e.g. {@code Rollout shop/myapp: Paused (BlueGreenPause), revision 2, active 5d8f, preview 7c9b, stable 5d8f}
     */
    @Override
    public String toString() {
        return rollout + ": " + phase + (message.isEmpty() ? "" : " (" + message + ")") + ", revision " + revision
                + ", active " + activeSelector + ", preview " + previewSelector + ", stable " + stableHash + ", current "
                + currentHash + ", " + available + "/" + desired + " available";
    }
}
