package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Passes when the candidate's Deployment has every replica updated and available (kubectl's rollout rules). */
public final class DeploymentAvailableGate implements HealthGate {
    private final KubernetesClient client;

    /** @param client the client; never null */
    public DeploymentAvailableGate(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public GateResult evaluate(GateContext context) {
        KubernetesCandidate candidate = CandidatePods.of(context);
        String object = "Deployment " + candidate.namespace() + "/" + candidate.deployment();
        Deployment deployment = client.apps().deployments().inNamespace(candidate.namespace())
                .withName(candidate.deployment()).get();
        if (deployment == null) {
            return GateResult.failed(object + " does not exist");
        }
        DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int available = orZero(status.getAvailableReplicas());
        int total = orZero(status.getReplicas());
        RolloutStatus rollout = RolloutStatus.of(deployment);
        String counts = updated + " of " + desired + " replicas updated, " + available + " available, " + total + " in total";
        GateResult result = rollout.complete() && available >= desired && updated >= desired
                ? GateResult.passed(object + ": " + counts)
                : GateResult.failed(object + " is not available: " + counts + "; " + rollout.message());
        return result.withMeasurement("desired", desired).withMeasurement("updated", updated)
                .withMeasurement("available", available);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    @Override
    public String name() {
        return "deployment-available";
    }
}
