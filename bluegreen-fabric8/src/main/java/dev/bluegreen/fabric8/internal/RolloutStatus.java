package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

/**
 * Whether a Deployment's rollout is complete, decided the way {@code kubectl rollout status}
 * decides it: the controller has observed the latest generation, every replica is updated, no
 * old replica is left and every updated replica is available. A rollout whose progress deadline
 * was exceeded has failed.
 */
final class RolloutStatus {
    enum State { COMPLETE, IN_PROGRESS, FAILED }

    private final State state;
    private final String message;

    private RolloutStatus(State state, String message) {
        this.state = state;
        this.message = message;
    }

    static RolloutStatus of(Deployment deployment) {
        String name = deployment.getMetadata().getName();
        DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        long generation = orZero(deployment.getMetadata().getGeneration());
        long observed = orZero(status.getObservedGeneration());
        if (generation > observed) {
            return new RolloutStatus(State.IN_PROGRESS, "waiting for the controller to observe generation " + generation
                    + " of deployment " + name + " (observed: " + observed + ")");
        }
        for (DeploymentCondition condition : status.getConditions()) {
            if ("Progressing".equals(condition.getType()) && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                return new RolloutStatus(State.FAILED, "deployment " + name + " exceeded its progress deadline"
                        + (condition.getMessage() == null ? "" : ": " + condition.getMessage()));
            }
        }
        int wanted = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int replicas = orZero(status.getReplicas());
        int available = orZero(status.getAvailableReplicas());
        if (updated < wanted) {
            return new RolloutStatus(State.IN_PROGRESS, updated + " of " + wanted + " new replicas of deployment " + name
                    + " have been updated");
        }
        if (replicas > updated) {
            return new RolloutStatus(State.IN_PROGRESS, (replicas - updated) + " old replicas of deployment " + name
                    + " are pending termination");
        }
        if (available < updated) {
            return new RolloutStatus(State.IN_PROGRESS, available + " of " + updated + " updated replicas of deployment "
                    + name + " are available");
        }
        return new RolloutStatus(State.COMPLETE, "deployment " + name + " successfully rolled out: " + available + " of "
                + wanted + " replicas available");
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    State state() {
        return state;
    }

    boolean complete() {
        return state == State.COMPLETE;
    }

    boolean settled() {
        return state != State.IN_PROGRESS;
    }

    String message() {
        return message;
    }

    @Override
    public String toString() {
        return state + ": " + message;
    }
}
