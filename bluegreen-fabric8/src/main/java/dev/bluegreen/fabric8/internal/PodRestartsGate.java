package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fails when a container of the candidate's pods restarted more than allowed, or is in
 * {@code CrashLoopBackOff}, at the start or at the end of a window (waited through the context's clock).
 */
public final class PodRestartsGate implements HealthGate {
    private final KubernetesClient client;
    private final Duration window;
    private final int maxRestarts;

    /**
     * @param client      the client
     * @param window      how long to watch; zero checks once
     * @param maxRestarts the most restarts, summed over the pods, that pass
     */
    public PodRestartsGate(KubernetesClient client, Duration window, int maxRestarts) {
        this.client = client;
        this.window = window;
        this.maxRestarts = maxRestarts;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        KubernetesCandidate candidate = CandidatePods.of(context);
        GateResult first = check(candidate);
        if (first != null || window.isZero()) {
            return first != null ? first : judge(candidate, CandidatePods.list(client, candidate));
        }
        context.time().sleep(window);
        GateResult last = check(candidate);
        return last != null ? last : judge(candidate, CandidatePods.list(client, candidate));
    }

    /** @return a failure when a pod crash-loops now, else null */
    private GateResult check(KubernetesCandidate candidate) {
        List<Pod> pods = CandidatePods.list(client, candidate);
        List<String> looping = new ArrayList<>();
        for (Pod pod : pods) {
            if (CandidatePods.waitingReason(pod).filter("CrashLoopBackOff"::equals).isPresent()) {
                looping.add(CandidatePods.name(pod) + " (" + CandidatePods.restarts(pod) + " restarts)");
            }
        }
        if (looping.isEmpty()) {
            return null;
        }
        return GateResult.failed(looping.size() + " " + candidate.describePods() + " in CrashLoopBackOff: " + looping)
                .withMeasurement("restarts", pods.stream().mapToInt(CandidatePods::restarts).sum())
                .withMeasurement("crash_looping", looping.size());
    }

    private GateResult judge(KubernetesCandidate candidate, List<Pod> pods) {
        int restarts = 0;
        List<String> restarted = new ArrayList<>();
        for (Pod pod : pods) {
            int count = CandidatePods.restarts(pod);
            restarts += count;
            if (count > 0) {
                restarted.add(CandidatePods.name(pod) + " (" + count + ")");
            }
        }
        String what = restarts + " container restart(s) among " + pods.size() + " " + candidate.describePods()
                + (window.isZero() ? "" : " after watching " + window) + " (at most " + maxRestarts + " allowed)";
        GateResult result;
        if (pods.isEmpty()) {
            result = GateResult.failed("no " + candidate.describePods() + " exist");
        } else if (restarts > maxRestarts) {
            result = GateResult.failed(what + ": " + restarted);
        } else {
            result = GateResult.passed(what);
        }
        return result.withMeasurement("restarts", restarts).withMeasurement("pods", pods.size());
    }

    @Override
    public String name() {
        return "pod-restarts";
    }
}
