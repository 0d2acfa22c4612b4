package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.ArrayList;
import java.util.List;

/** Reads pod readiness and explains, as {@code kubectl describe pod} would, why a pod is not ready. */
final class Pods {
    private Pods() {
    }

    static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * @return e.g. {@code myapp-green-7d9f-x2x9z: Running; container myapp waiting: CrashLoopBackOff (back-off 10s
     *         restarting failed container), 4 restarts, last exit code 1 (Error)}
     */
    static String explainNotReady(Pod pod) {
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        List<String> reasons = new ArrayList<>();
        for (ContainerStatus container : status.getContainerStatuses()) {
            reasons.add(explain(container));
        }
        for (PodCondition condition : status.getConditions()) {
            if (!"True".equals(condition.getStatus()) && condition.getMessage() != null
                    && reasons.stream().noneMatch(r -> r.contains(condition.getMessage()))) {
                reasons.add(condition.getType() + "=" + condition.getStatus()
                        + (condition.getReason() == null ? "" : " " + condition.getReason()) + ": " + condition.getMessage());
            }
        }
        if (reasons.isEmpty()) {
            reasons.add("no container status reported yet");
        }
        return pod.getMetadata().getName() + ": " + (status.getPhase() == null ? "Unknown" : status.getPhase()) + "; "
                + String.join("; ", reasons);
    }

    private static String explain(ContainerStatus container) {
        StringBuilder text = new StringBuilder("container ").append(container.getName());
        ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
        ContainerStateTerminated terminated = container.getState() == null ? null : container.getState().getTerminated();
        if (waiting != null) {
            text.append(" waiting: ").append(waiting.getReason());
            if (waiting.getMessage() != null) {
                text.append(" (").append(waiting.getMessage()).append(')');
            }
        } else if (terminated != null) {
            text.append(" terminated: ").append(terminated.getReason()).append(" (exit code ")
                    .append(terminated.getExitCode()).append(')');
        } else if (Boolean.TRUE.equals(container.getReady())) {
            text.append(" ready");
        } else {
            text.append(" running but not ready (readiness probe failing)");
        }
        int restarts = container.getRestartCount() == null ? 0 : container.getRestartCount();
        if (restarts > 0) {
            text.append(", ").append(restarts).append(restarts == 1 ? " restart" : " restarts");
            ContainerStateTerminated last = container.getLastState() == null ? null : container.getLastState().getTerminated();
            if (last != null) {
                text.append(", last exit code ").append(last.getExitCode()).append(" (").append(last.getReason()).append(')');
            }
        }
        return text.toString();
    }
}
