package dev.bluegreen.examples;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;

/**
 * An example of a host application's own gate: every pod of the candidate color is ready. It
 * reads the pods labelled {@code app=<app>, version=<color>} and reports how many are ready.
 */
public final class PodsReadyGate implements HealthGate {
    private final KubernetesClient client;

    /**
     * @param client the client to read pods with; never null
     */
    public PodsReadyGate(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public GateResult evaluate(GateContext context) {
        List<Pod> pods = client.pods().inNamespace(context.namespace())
                .withLabel("app", context.app()).withLabel("version", context.candidate().color().name())
                .list().getItems();
        long ready = pods.stream().filter(PodsReadyGate::isReady).count();
        String counted = ready + " of " + pods.size() + " " + context.candidate().color() + " pods ready";
        GateResult result = !pods.isEmpty() && ready == pods.size() ? GateResult.passed(counted) : GateResult.failed(counted);
        return result.withMeasurement("ready", ready).withMeasurement("pods", pods.size());
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public String name() {
        return "pods-ready";
    }
}
