package dev.bluegreen;

/**
 * What happens when a release finds that the app's previous release never finished and its holder
 * is gone (the process crashed), or ended {@link Outcome#FAILED} with traffic left on its new
 * color while the previous color still runs the last good version.
 */
public enum RecoveryPolicy {
    /** Refuse to run, naming the unfinished release and how to recover it (the default). */
    REFUSE,
    /**
     * Roll the unfinished release back as its record says: bring its previous color back to the
     * replicas it had, switch traffic to it, verify, run the compensations of its completed custom
     * steps and give up its candidate.
     */
    ROLL_BACK,
    /**
     * Finish the unfinished release, only if its new color runs its version and is ready: run this
     * plan's pre-switch gates (if its switch was never sent, since nothing says they passed), switch
     * to it (if not yet), verify, observe with this plan's post-switch gates, retire the previous
     * color per this plan's retention. Refused, with nothing changed, when the new color is not
     * healthy; a failure after that aborts or rolls back like a release, giving up the new color.
     */
    ROLL_FORWARD
}
