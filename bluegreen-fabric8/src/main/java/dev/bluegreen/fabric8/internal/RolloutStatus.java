package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

/**
 * Whether a Deployment's rollout is complete, decided and worded exactly as {@code kubectl rollout status}
 * decides and words it ({@code DeploymentStatusViewer.Status} in kubectl's {@code polymorphichelpers}):
 * <ol>
 *   <li>until the controller has observed the latest generation: "Waiting for deployment spec update to be
 *       observed...";</li>
 *   <li>the first {@code Progressing} condition with reason {@code ProgressDeadlineExceeded}: failed,
 *       "deployment "x" exceeded its progress deadline";</li>
 *   <li>fewer updated replicas than {@code spec.replicas} (checked only when {@code spec.replicas} is set):
 *       "... N out of M new replicas have been updated...";</li>
 *   <li>more replicas than updated ones: "... N old replicas are pending termination...";</li>
 *   <li>fewer available replicas than updated ones: "... N of M updated replicas are available...";</li>
 *   <li>else complete: "deployment "x" successfully rolled out".</li>
 * </ol>
 * Absent status, conditions and counters count as empty and zero, as the API server omits them.
 */
final class RolloutStatus {
    enum State { COMPLETE, IN_PROGRESS, FAILED }

    private static final String TIMED_OUT_REASON = "ProgressDeadlineExceeded";

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
            return new RolloutStatus(State.IN_PROGRESS, "Waiting for deployment spec update to be observed...");
        }
        DeploymentCondition progressing = firstProgressingCondition(status);
        if (progressing != null && TIMED_OUT_REASON.equals(progressing.getReason())) {
            return new RolloutStatus(State.FAILED, "deployment \"" + name + "\" exceeded its progress deadline");
        }
        Integer wanted = deployment.getSpec() == null ? null : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int replicas = orZero(status.getReplicas());
        int available = orZero(status.getAvailableReplicas());
        if (wanted != null && updated < wanted) {
            return waiting(name, updated + " out of " + wanted + " new replicas have been updated...");
        }
        if (replicas > updated) {
            return waiting(name, (replicas - updated) + " old replicas are pending termination...");
        }
        if (available < updated) {
            return waiting(name, available + " of " + updated + " updated replicas are available...");
        }
        return new RolloutStatus(State.COMPLETE, "deployment \"" + name + "\" successfully rolled out");
    }

    private static RolloutStatus waiting(String name, String what) {
        return new RolloutStatus(State.IN_PROGRESS, "Waiting for deployment \"" + name + "\" rollout to finish: " + what);
    }

    /** kubectl's {@code GetDeploymentCondition}: the first condition of the type, later ones are not read. */
    private static DeploymentCondition firstProgressingCondition(DeploymentStatus status) {
        if (status.getConditions() == null) {
            return null;
        }
        for (DeploymentCondition condition : status.getConditions()) {
            if (condition != null && "Progressing".equals(condition.getType())) {
                return condition;
            }
        }
        return null;
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

    /** @return kubectl's words, without its trailing newline */
    String message() {
        return message;
    }

    @Override
    public String toString() {
        return state + ": " + message;
    }
}
