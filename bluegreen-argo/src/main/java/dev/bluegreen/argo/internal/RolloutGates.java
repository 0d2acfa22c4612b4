package dev.bluegreen.argo.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.argo.AnalysisRun;
import dev.bluegreen.argo.RolloutPhase;
import dev.bluegreen.argo.RolloutStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The gates over a Rollout: its phase, and the AnalysisRuns of the candidate revision. */
public final class RolloutGates {
    private RolloutGates() {
    }

    /**
     * @param rollouts the Rollout's operations; never null
     * @return a gate that passes when the candidate waits for promotion with its preview ready, or is fully promoted
     *         and Healthy; fails when the Rollout is Degraded or runs another revision; else inconclusive
     */
    public static HealthGate phase(RolloutClient rollouts) {
        return HealthGate.named("argo-rollout-phase", context -> {
            RolloutStatus status = rollouts.status();
            String candidate = context.candidate().color().name();
            GateResult result;
            if (status.phase() == RolloutPhase.DEGRADED) {
                result = GateResult.failed(status.rollout() + " is Degraded: " + status.message());
            } else if (!candidate.equals(status.currentHash())) {
                result = GateResult.failed(status.rollout() + " wants revision " + status.currentHash()
                        + ", not the candidate " + candidate + " (its template was changed)");
            } else if (status.phase() == RolloutPhase.HEALTHY && status.fullyPromoted()) {
                result = GateResult.passed(status.rollout() + " is Healthy on revision " + status.revision() + " ("
                        + candidate + "), " + status.available() + " of " + status.desired() + " available");
            } else if (status.phase() == RolloutPhase.PAUSED && status.pauseConditions().contains("BlueGreenPause")
                    && candidate.equals(status.previewSelector())) {
                result = GateResult.passed(status.rollout() + " waits for promotion with revision " + status.revision()
                        + " (" + candidate + ") ready behind the preview Service");
            } else {
                result = GateResult.inconclusive(status.rollout() + " is " + status.phase()
                        + (status.message().isEmpty() ? "" : " (" + status.message() + ")"));
            }
            return result.withMeasurement("available", status.available()).withMeasurement("desired", status.desired());
        });
    }

    /**
     * @param rollouts the Rollout's operations; never null
     * @return a gate over the candidate revision's AnalysisRuns: Failed or Error fail, Inconclusive, Pending and
     *         Running are inconclusive, all Successful pass; none at all is inconclusive
     */
    public static HealthGate analysis(RolloutClient rollouts) {
        return HealthGate.named("argo-analysis-runs", context -> evaluateAnalysis(rollouts, context));
    }

    private static GateResult evaluateAnalysis(RolloutClient rollouts, GateContext context) {
        String hash = context.candidate().color().name();
        List<AnalysisRun> runs = rollouts.analysisRuns(hash);
        if (runs.isEmpty()) {
            return GateResult.inconclusive(rollouts.describe() + " has no AnalysisRun of revision " + hash + " yet");
        }
        Map<String, Integer> byPhase = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        List<String> open = new ArrayList<>();
        for (AnalysisRun run : runs) {
            byPhase.merge(run.phase(), 1, Integer::sum);
            switch (run.phase()) {
                case "Failed", "Error" -> failed.add(explain(run));
                case "Successful" -> {
                }
                default -> open.add(explain(run));
            }
        }
        GateResult result;
        if (!failed.isEmpty()) {
            result = GateResult.failed("AnalysisRuns of revision " + hash + " failed: " + String.join("; ", failed));
        } else if (!open.isEmpty()) {
            result = GateResult.inconclusive("AnalysisRuns of revision " + hash + " have not succeeded: "
                    + String.join("; ", open));
        } else {
            result = GateResult.passed(runs.size() + " AnalysisRun(s) of revision " + hash + " Successful: "
                    + String.join("; ", runs.stream().map(RolloutGates::explain).toList()));
        }
        return result.withMeasurement("runs", runs.size())
                .withMeasurement("successful", byPhase.getOrDefault("Successful", 0))
                .withMeasurement("failed", byPhase.getOrDefault("Failed", 0) + byPhase.getOrDefault("Error", 0));
    }

    private static String explain(AnalysisRun run) {
        return run.toString() + (run.metricResults().isEmpty() ? "" : " [" + String.join(", ",
                run.metricResults().stream().map(AnalysisRun.MetricResult::toString).toList()) + "]");
    }
}
