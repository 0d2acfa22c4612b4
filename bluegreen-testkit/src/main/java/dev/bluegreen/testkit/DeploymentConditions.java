package dev.bluegreen.testkit;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.function.Predicate;

/**
 * Ready-made conditions for {@link SimulatedCluster#awaitDeployment}, following the rules
 * {@code kubectl rollout status} applies. Each predicate accepts a Deployment whose status is absent
 * (then it answers false) and treats absent counters as zero, as the API server omits zero values.
 */
public final class DeploymentConditions {

    private DeploymentConditions() {
    }

    /**
     * The rollout is complete: the controller has observed the latest generation, every desired replica runs
     * the current template and every one of them is available.
     *
     * @return a predicate; never null
     */
    public static Predicate<Deployment> rolloutComplete() {
        return deployment -> {
            DeploymentStatus status = deployment.getStatus();
            if (status == null || !observedLatestGeneration(deployment)) {
                return false;
            }
            int desired = desiredReplicas(deployment);
            int updated = orZero(status.getUpdatedReplicas());
            return updated == desired
                    && orZero(status.getReplicas()) == updated
                    && orZero(status.getAvailableReplicas()) == updated;
        };
    }

    /**
     * The controller gave up waiting for the rollout: condition {@code Progressing} is {@code False} with
     * reason {@code ProgressDeadlineExceeded}.
     *
     * @return a predicate; never null
     */
    public static Predicate<Deployment> progressDeadlineExceeded() {
        return deployment -> deployment.getStatus() != null
                && deployment.getStatus().getConditions().stream().anyMatch(DeploymentConditions::isDeadlineExceeded);
    }

    /**
     * The controller has observed the latest generation and reports {@code count} ready replicas.
     *
     * @param count the expected number of ready replicas, zero or more
     * @return a predicate; never null
     */
    public static Predicate<Deployment> readyReplicas(int count) {
        return deployment -> deployment.getStatus() != null
                && observedLatestGeneration(deployment)
                && orZero(deployment.getStatus().getReadyReplicas()) == count;
    }

    private static boolean isDeadlineExceeded(DeploymentCondition condition) {
        return "Progressing".equals(condition.getType())
                && "False".equals(condition.getStatus())
                && "ProgressDeadlineExceeded".equals(condition.getReason());
    }

    private static boolean observedLatestGeneration(Deployment deployment) {
        Long observed = deployment.getStatus().getObservedGeneration();
        Long generation = deployment.getMetadata().getGeneration();
        return observed != null && (generation == null || observed >= generation);
    }

    private static int desiredReplicas(Deployment deployment) {
        // The API server defaults an absent spec.replicas to 1.
        Integer replicas = deployment.getSpec() == null ? null : deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
