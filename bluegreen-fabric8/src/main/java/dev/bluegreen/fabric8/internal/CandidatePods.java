package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.fabric8.KubernetesCandidate;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads the pods of a release's candidate, as its {@link KubernetesCandidate} describes them. */
final class CandidatePods {
    private CandidatePods() {
    }

    /** @return the candidate's Kubernetes description from the gate's context */
    static KubernetesCandidate of(GateContext context) {
        return KubernetesCandidate.require(context.candidate());
    }

    /** @return the pods the candidate's selector selects, not being deleted, sorted by name */
    static List<Pod> list(KubernetesClient client, KubernetesCandidate candidate) {
        List<Pod> pods = new ArrayList<>(client.pods().inNamespace(candidate.namespace())
                .withLabels(candidate.podSelector()).list().getItems());
        pods.removeIf(p -> p.getMetadata().getDeletionTimestamp() != null);
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        return pods;
    }

    static List<ContainerStatus> containers(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
    }

    static int restarts(Pod pod) {
        return containers(pod).stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
    }

    /** @return the first waiting reason among the pod's containers, e.g. {@code CrashLoopBackOff} */
    static Optional<String> waitingReason(Pod pod) {
        return containers(pod).stream()
                .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
                .map(c -> c.getState().getWaiting().getReason())
                .filter(r -> r != null && !r.isBlank())
                .findFirst();
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Unknown" : pod.getStatus().getPhase();
    }

    static String name(Pod pod) {
        return pod.getMetadata().getName();
    }
}
