package dev.bluegreen.argo;

/**
 * What an undo did.
 *
 * @param rollout  e.g. {@code Rollout shop/myapp}; never null
 * @param revision the revision whose pod template the Rollout got back
 * @param hash     that revision's pod-template hash; never null
 * @param skipped  true when the Rollout's template already was that revision's, and nothing was written
 */
public record UndoResult(String rollout, long revision, String hash, boolean skipped) {

    /**
     * @return e.g. {@code Rollout shop/myapp: back to the pod template of revision 1 (5d8f)}, or the plugin's
     *         {@code skipped rollback (current template already matches revision 1)}
     */
    @Override
    public String toString() {
        return rollout + ": " + (skipped ? "skipped rollback (current template already matches revision " + revision + ")"
                : "back to the pod template of revision " + revision + " (" + hash + ")");
    }
}
