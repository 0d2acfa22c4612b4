package dev.bluegreen;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The durable record of one release, written when each step starts and again before each write
 * that changes something, so that a release whose process crashed can be recovered (rolled back to {@code from}, or finished) instead
 * of being forgotten. It is the release's run state as a value: a recovery rebuilds the release
 * from it.
 *
 * @param releaseId      the release's id, also in its result, events and log lines; never null
 * @param app            the app; never null
 * @param version        the version released; never null
 * @param holder         who runs (ran) it, e.g. {@code r-6f1c2a@build-host-7}; never null
 * @param phase          the phase it is (was last) in; never null
 * @param step           the step it is (was last) in; never null
 * @param from           the color live when it began, which a rollback restores; null before preflight read it
 * @param to             the color the new version goes to; null until known
 * @param before         what each color ran before the release (version and replicas); never null
 * @param switchSent     whether the switch may have been written: set before it is sent, so a
 *                       crash during the write still leads to a rollback check
 * @param committed      whether observation passed (the engine never rolls a committed release back on
 *                       its own; a recovery asked to roll it back does)
 * @param completedSteps custom steps that completed, whose compensations a rollback runs; never null
 * @param outcome        how it ended, or null while it runs
 * @param startedAt      when it started; never null
 * @param updatedAt      when the record was last written; never null
 */
public record ReleaseRecord(String releaseId, AppId app, String version, String holder, Phase phase, String step,
                            Color from, Color to, Map<Color, ColorSnapshot> before, boolean switchSent,
                            boolean committed, List<String> completedSteps, Outcome outcome, Instant startedAt,
                            Instant updatedAt) {

    /**
     * What one color ran before the release.
     *
     * @param version  the version it ran, or null when its environment did not exist
     * @param replicas how many replicas it asked for
     */
    public record ColorSnapshot(String version, int replicas) {

        /**
         * @return e.g. {@code myapp:v1 x3}
         */
        @Override
        public String toString() {
            return (version == null ? "nothing" : version) + " x" + replicas;
        }
    }

    /**
     * Copies the collections.
     *
     * @param releaseId      the id
     * @param app            the app
     * @param version        the version
     * @param holder         the holder
     * @param phase          the phase
     * @param step           the step
     * @param from           the previous live color
     * @param to             the target color
     * @param before         what each color ran before
     * @param switchSent     whether the switch may have been written
     * @param committed      whether observation passed
     * @param completedSteps completed custom steps
     * @param outcome        the outcome, or null
     * @param startedAt      when it started
     * @param updatedAt      when written
     */
    public ReleaseRecord {
        before = Map.copyOf(before);
        completedSteps = List.copyOf(completedSteps);
    }

    /**
     * @return whether the release ended
     */
    public boolean finished() {
        return phase.isTerminal();
    }

    /**
     * @param phase the new phase
     * @param step  the new step
     * @return a copy in another phase and step
     */
    public ReleaseRecord at(Phase phase, String step) {
        return new ReleaseRecord(releaseId, app, version, holder, phase, step, from, to, before, switchSent, committed,
                completedSteps, phase.outcome().orElse(null), startedAt, updatedAt);
    }

    /**
     * @param holder  the holder writing it
     * @param updated when it is written
     * @return a copy stamped with its writer and time
     */
    public ReleaseRecord stamped(String holder, Instant updated) {
        return new ReleaseRecord(releaseId, app, version, holder, phase, step, from, to, before, switchSent, committed,
                completedSteps, outcome, startedAt, updated);
    }

    /**
     * @param from   the previous live color
     * @param to     the target color, or null when not known yet
     * @param before what each color ran
     * @return a copy with the colors decided at preflight
     */
    public ReleaseRecord withColors(Color from, Color to, Map<Color, ColorSnapshot> before) {
        return new ReleaseRecord(releaseId, app, version, holder, phase, step, from, to, before, switchSent, committed,
                completedSteps, outcome, startedAt, updatedAt);
    }

    /**
     * @param to the candidate's color
     * @return a copy naming the candidate's color
     */
    public ReleaseRecord withTarget(Color to) {
        return new ReleaseRecord(releaseId, app, version, holder, phase, step, from, to, before, switchSent, committed,
                completedSteps, outcome, startedAt, updatedAt);
    }

    /**
     * @return a copy saying the switch may have been written
     */
    public ReleaseRecord withSwitchSent() {
        return new ReleaseRecord(releaseId, app, version, holder, phase, step, from, to, before, true, committed,
                completedSteps, outcome, startedAt, updatedAt);
    }

    /**
     * @return a copy saying the release is committed
     */
    public ReleaseRecord withCommitted() {
        return new ReleaseRecord(releaseId, app, version, holder, phase, step, from, to, before, switchSent, true,
                completedSteps, outcome, startedAt, updatedAt);
    }

    /**
     * @param step a custom step that completed
     * @return a copy listing it as completed
     */
    public ReleaseRecord withCompleted(String step) {
        List<String> steps = new java.util.ArrayList<>(completedSteps);
        steps.add(step);
        return new ReleaseRecord(releaseId, app, version, holder, phase, this.step, from, to, before, switchSent,
                committed, steps, outcome, startedAt, updatedAt);
    }

    /**
     * @return e.g. {@code release r-6f1c2a of shop/myapp to myapp:v2 by r-6f1c2a@host: OBSERVING at step observe, blue -> green, switch sent}
     */
    @Override
    public String toString() {
        return "release " + releaseId + " of " + app + " to " + version + " by " + holder + ": " + phase + " at step "
                + step + (from == null ? "" : ", " + from + " -> " + (to == null ? "?" : to))
                + (before.isEmpty() ? "" : ", before " + new TreeMap<>(toNames(before)))
                + (switchSent ? ", switch sent" : "") + (committed ? ", committed" : "")
                + ", updated " + updatedAt;
    }

    private static Map<String, ColorSnapshot> toNames(Map<Color, ColorSnapshot> before) {
        Map<String, ColorSnapshot> names = new TreeMap<>();
        before.forEach((color, snapshot) -> names.put(color.name(), snapshot));
        return names;
    }
}
