package dev.bluegreen;

import dev.bluegreen.spi.EnvironmentState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How a release ended and everything that happened on the way: the outcome, the timeline of steps
 * with durations, every gate evaluation, the error with its cause, warnings, which color is live
 * at the end (re-read from the platform) and what each color runs. Immutable.
 */
public final class ReleaseResult {
    private final String releaseId;
    private final String app;
    private final String namespace;
    private final String version;
    private final Outcome outcome;
    private final Color previousColor;
    private final Color targetColor;
    private final Color liveColor;
    private final Map<Color, EnvironmentState> colors;
    private final List<StepRecord> timeline;
    private final List<GateEvaluation> gateEvaluations;
    private final BlueGreenException error;
    private final List<String> warnings;
    private final Instant startedAt;
    private final Instant finishedAt;
    private final ReleaseResult recovered;
    private final Diagnosis diagnosis;

    /**
     * Creates a result; the engine does this, tests of listeners and reporters may too.
     *
     * @param releaseId       the release's id; never null
     * @param app             the app; never null
     * @param namespace       the namespace; never null
     * @param version         the version released; never null
     * @param outcome         how it ended; never null
     * @param previousColor   the color live at the start; null when it could not be read
     * @param targetColor     the color the version went to; null when preflight did not get that far
     * @param liveColor       the color live at the end; null when it could not be read (then {@code error} says why)
     * @param colors          what each color ran when last read or written; never null
     * @param timeline        the steps, in order; never null
     * @param gateEvaluations final gate evaluations, in order; never null
     * @param error           what made the release not succeed; on success null, unless the live color at
     *                        the end could not be read (then it says why and what to check)
     * @param warnings        things that went wrong without changing the outcome; never null
     * @param startedAt       when it started; never null
     * @param finishedAt      when it ended; never null
     * @param recovered       the result of recovering an earlier release that never finished, which
     *                        this release did first; null when there was none
     */
    public ReleaseResult(String releaseId, String app, String namespace, String version, Outcome outcome,
                         Color previousColor, Color targetColor, Color liveColor, Map<Color, EnvironmentState> colors,
                         List<StepRecord> timeline, List<GateEvaluation> gateEvaluations, BlueGreenException error,
                         List<String> warnings, Instant startedAt, Instant finishedAt, ReleaseResult recovered) {
        this(releaseId, app, namespace, version, outcome, previousColor, targetColor, liveColor, colors, timeline,
                gateEvaluations, error, warnings, startedAt, finishedAt, recovered, null);
    }

    /**
     * Creates a result with a diagnosis; the engine does this when a release did not succeed and
     * its environments could diagnose the candidate.
     *
     * @param releaseId       the release's id; never null
     * @param app             the app; never null
     * @param namespace       the namespace; never null
     * @param version         the version released; never null
     * @param outcome         how it ended; never null
     * @param previousColor   the color live at the start; null when it could not be read
     * @param targetColor     the color the version went to; null when preflight did not get that far
     * @param liveColor       the color live at the end; null when it could not be read
     * @param colors          what each color ran when last read or written; never null
     * @param timeline        the steps, in order; never null
     * @param gateEvaluations final gate evaluations, in order; never null
     * @param error           what made the release not succeed; see the other constructor
     * @param warnings        things that went wrong without changing the outcome; never null
     * @param startedAt       when it started; never null
     * @param finishedAt      when it ended; never null
     * @param recovered       the result of an earlier release recovered first; null when there was none
     * @param diagnosis       what the platform showed about the candidate when the release failed; may be null
     */
    public ReleaseResult(String releaseId, String app, String namespace, String version, Outcome outcome,
                         Color previousColor, Color targetColor, Color liveColor, Map<Color, EnvironmentState> colors,
                         List<StepRecord> timeline, List<GateEvaluation> gateEvaluations, BlueGreenException error,
                         List<String> warnings, Instant startedAt, Instant finishedAt, ReleaseResult recovered,
                         Diagnosis diagnosis) {
        this.diagnosis = diagnosis;
        this.releaseId = releaseId;
        this.app = app;
        this.namespace = namespace;
        this.version = version;
        this.outcome = outcome;
        this.previousColor = previousColor;
        this.targetColor = targetColor;
        this.liveColor = liveColor;
        this.colors = Map.copyOf(colors);
        this.timeline = List.copyOf(timeline);
        this.gateEvaluations = List.copyOf(gateEvaluations);
        this.error = error;
        this.warnings = List.copyOf(warnings);
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
        this.recovered = recovered;
    }

    /** @return the release's id, as in its events, log lines (MDC key {@code bluegreen.release}) and record */
    public String releaseId() {
        return releaseId;
    }

    /** @return the app released */
    public String app() {
        return app;
    }

    /** @return the namespace */
    public String namespace() {
        return namespace;
    }

    /** @return the version released */
    public String version() {
        return version;
    }

    /** @return how the release ended */
    public Outcome outcome() {
        return outcome;
    }

    /** @return whether the outcome is {@link Outcome#SUCCEEDED} */
    public boolean succeeded() {
        return outcome == Outcome.SUCCEEDED;
    }

    /** @return the color live when the release started, when it could be read */
    public Optional<Color> previousColor() {
        return Optional.ofNullable(previousColor);
    }

    /** @return the color the new version was deployed to, when preflight got that far */
    public Optional<Color> targetColor() {
        return Optional.ofNullable(targetColor);
    }

    /** @return the color receiving traffic at the end, read from the platform; empty when it could not be read */
    public Optional<Color> liveColor() {
        return Optional.ofNullable(liveColor);
    }

    /**
     * @return what each color ran (version, replicas desired and available) when the release last
     *         read or wrote it; colors it never read are missing
     */
    public Map<Color, EnvironmentState> colors() {
        return colors;
    }

    /**
     * @return the result of recovering an earlier release that never finished, which this release
     *         did first (per {@link ReleasePlan#recovery()})
     */
    public Optional<ReleaseResult> recovered() {
        return Optional.ofNullable(recovered);
    }

    /**
     * @return when the release failed, aborted or rolled back: what the platform showed about the
     *         candidate at that moment (before it was given up), gathered by the adapter, e.g. the
     *         Service's endpoints, each pod's phase, readiness, restarts and waiting reason, readiness
     *         probe failures and the last log lines of failing pods; empty on success or when the
     *         adapter has no diagnosis
     */
    public Optional<Diagnosis> diagnosis() {
        return Optional.ofNullable(diagnosis);
    }

    /** @return every step and recovery action, in the order they ran */
    public List<StepRecord> timeline() {
        return timeline;
    }

    /**
     * @param name a step's name
     * @return the step's record, the last one when the name ran more than once
     */
    public Optional<StepRecord> step(String name) {
        for (int i = timeline.size() - 1; i >= 0; i--) {
            if (timeline.get(i).name().equals(name)) {
                return Optional.of(timeline.get(i));
            }
        }
        return Optional.empty();
    }

    /** @return every final gate evaluation, pre- and post-switch, in order */
    public List<GateEvaluation> gateEvaluations() {
        return gateEvaluations;
    }

    /**
     * @return what made the release not succeed; on success empty, unless the live color at the end
     *         could not be read, when it says why and what the operator should check
     */
    public Optional<BlueGreenException> error() {
        return Optional.ofNullable(error);
    }

    /** @return problems that did not change the outcome, e.g. a previous color that could not be scaled down */
    public List<String> warnings() {
        return warnings;
    }

    /** @return when the release started */
    public Instant startedAt() {
        return startedAt;
    }

    /** @return when the release ended */
    public Instant finishedAt() {
        return finishedAt;
    }

    /** @return how long the release took */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /**
     * @return a multi-line report: outcome, colors, each step with its duration, gates, error, warnings
     */
    public String summary() {
        StringBuilder text = new StringBuilder();
        if (recovered != null) {
            text.append("recovered first: ").append(recovered.summary());
        }
        text.append("release ").append(releaseId).append(" of ").append(namespace).append('/').append(app)
                .append(" -> ").append(version)
                .append(": ").append(outcome).append(" in ").append(duration().toMillis()).append(" ms")
                .append(" (previous ").append(previousColor == null ? "unknown" : previousColor)
                .append(", target ").append(targetColor == null ? "unknown" : targetColor)
                .append(", live now ").append(liveColor == null ? "unknown" : liveColor).append(")\n");
        for (StepRecord step : timeline) {
            text.append(String.format("  %-24s %-10s %7d ms  %s%n", step.name(), step.status(),
                    step.duration().toMillis(), step.detail()));
        }
        for (EnvironmentState state : new TreeMap<>(names(colors)).values()) {
            text.append("  color ").append(state.color()).append(": ").append(state).append('\n');
        }
        for (GateEvaluation gate : gateEvaluations) {
            text.append("  gate ").append(gate).append('\n');
        }
        if (error != null) {
            text.append("  error: ").append(error.getMessage()).append('\n');
        }
        for (String warning : warnings) {
            text.append("  warning: ").append(warning).append('\n');
        }
        if (diagnosis != null) {
            text.append("  diagnosis: ").append(diagnosis.render().strip().replace("\n", "\n    ")).append('\n');
        }
        return text.toString();
    }

    private static Map<String, EnvironmentState> names(Map<Color, EnvironmentState> colors) {
        Map<String, EnvironmentState> byName = new TreeMap<>();
        colors.forEach((color, state) -> byName.put(color.name(), state));
        return byName;
    }

    @Override
    public String toString() {
        return "ReleaseResult[" + releaseId + " " + namespace + "/" + app + " " + version + " " + outcome + ", live " + liveColor
                + (error == null ? "" : ", error: " + error.getMessage()) + "]";
    }
}
