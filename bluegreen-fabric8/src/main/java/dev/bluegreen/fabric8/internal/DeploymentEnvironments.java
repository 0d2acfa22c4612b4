package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ColorEnvironments;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.PreflightException;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.internal.Checks;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The two colors as Deployments {@code <app>-blue} / {@code <app>-green}. Every write is a patch
 * carrying the resourceVersion it was computed from, retried from a fresh read when another writer
 * (usually the Deployment controller) got there first.
 */
public final class DeploymentEnvironments implements ColorEnvironments {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentEnvironments.class);

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final Deployments deployments;
    private final Retry retry;

    /**
     * @param client      the client; never null
     * @param conventions the app's naming conventions; never null
     */
    public DeploymentEnvironments(KubernetesClient client, BlueGreenConventions conventions) {
        this.client = Checks.nonNull("kubernetes client", client);
        this.conventions = Checks.nonNull("conventions", conventions);
        this.deployments = new Deployments(client, conventions);
        this.retry = KubeCalls.conflictRetry("deployments-" + conventions.namespace() + "-" + conventions.app());
    }

    @Override
    public String describe(Color color) {
        return deployments.describe(color);
    }

    @Override
    public void checkDeployable(Color color) {
        Deployment deployment = deployments.get(color);
        if (deployment == null) {
            throw new PreflightException("deploy to " + describe(color), List.of(deployments.missing(color)));
        }
        StringBuilder problem = new StringBuilder();
        if (deployments.container(deployment, color, problem).isEmpty()) {
            throw new PreflightException("deploy to " + describe(color), List.of(problem.toString()));
        }
    }

    @Override
    public int replicas(Color color) {
        Deployment deployment = deployments.get(color);
        if (deployment == null) {
            throw new PreflightException("replica count of " + describe(color), List.of(deployments.missing(color)));
        }
        return Deployments.wantedReplicas(deployment);
    }

    @Override
    public void deploy(Color color, String version, int replicas) {
        Checks.nonBlank("version", version);
        Checks.atLeast("replicas", 1, replicas);
        KubeCalls.withConflictRetry(retry, () -> {
            Deployment deployment = existing(color);
            StringBuilder problem = new StringBuilder();
            Container target = deployments.container(deployment, color, problem)
                    .orElseThrow(() -> new PreflightException("deploy to " + describe(color), List.of(problem.toString())));
            // A JSON patch, because a merge patch replaces lists whole and would have to carry every
            // container. Replacing resourceVersion makes the server refuse the write with 409 if the
            // Deployment changed since it was read, so the index cannot point at another container.
            int index = deployment.getSpec().getTemplate().getSpec().getContainers().indexOf(target);
            List<Map<String, Object>> patch = List.of(
                    replace("/metadata/resourceVersion", deployment.getMetadata().getResourceVersion()),
                    replace("/spec/template/spec/containers/" + index + "/image", version),
                    replace("/spec/replicas", replicas));
            return patch(color, PatchType.JSON, patch, "deploy of " + version + " with " + replicas + " replicas to "
                    + describe(color));
        });
        LOG.info("{}: container image set to {}, {} replicas", describe(color), version, replicas);
    }

    @Override
    public void awaitReady(Color color, Duration timeout) {
        Checks.positive("timeout", timeout);
        CompletableFuture<List<Deployment>> settled = deployments.resource(color)
                .informOnCondition(list -> list.isEmpty() || RolloutStatus.of(list.get(0)).settled());
        List<Deployment> seen;
        try {
            seen = settled.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw notReady(color, "did not become ready within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotReadyException("waiting for " + describe(color) + " to become ready was interrupted", List.of());
        } catch (ExecutionException e) {
            throw new ClusterApiException("watching " + describe(color) + " failed: " + e.getCause(), 0, e.getCause());
        } finally {
            settled.cancel(true);
        }
        if (seen.isEmpty()) {
            throw new NotReadyException(describe(color) + " was deleted while waiting for it to become ready", List.of());
        }
        RolloutStatus status = RolloutStatus.of(seen.get(0));
        if (!status.complete()) {
            throw notReady(color, "cannot become ready");
        }
        LOG.info("{}: {}", describe(color), status.message());
    }

    /** Explains, pod by pod, why a color is not ready. */
    private NotReadyException notReady(Color color, String what) {
        Deployment deployment = deployments.get(color);
        if (deployment == null) {
            return new NotReadyException(describe(color) + " " + what + ": it no longer exists", List.of());
        }
        RolloutStatus status = RolloutStatus.of(deployment);
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        List<Pod> pods = KubeCalls.call("list of pods of " + describe(color),
                () -> client.pods().inNamespace(conventions.namespace()).withLabels(selector).list().getItems());
        List<String> unready = pods.stream().filter(pod -> !Pods.isReady(pod)).map(Pods::explainNotReady)
                .collect(Collectors.toList());
        String message = describe(color) + " " + what + ": " + status.message() + " ("
                + orZero(deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas()) + " of "
                + Deployments.wantedReplicas(deployment) + " replicas available)"
                + (unready.isEmpty() ? "" : "; pods not ready: " + String.join("; ", unready));
        return new NotReadyException(message, unready);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    @Override
    public void scaleDown(Color color) {
        boolean changed = KubeCalls.withConflictRetry(retry, () -> {
            Deployment deployment = existing(color);
            if (Deployments.wantedReplicas(deployment) == 0) {
                return false;
            }
            patch(color, PatchType.JSON_MERGE, Map.of(
                    "metadata", Map.of("resourceVersion", deployment.getMetadata().getResourceVersion()),
                    "spec", Map.of("replicas", 0)), "scale-down of " + describe(color));
            return true;
        });
        LOG.info("{}: {}", describe(color), changed ? "scaled down to 0 replicas" : "already at 0 replicas");
    }

    private Deployment existing(Color color) {
        Deployment deployment = deployments.get(color);
        if (deployment == null) {
            throw new ClusterApiException(deployments.missing(color), KubeCalls.NOT_FOUND, null);
        }
        return deployment;
    }

    private static Map<String, Object> replace(String path, Object value) {
        return Map.of("op", "replace", "path", path, "value", value);
    }

    private Deployment patch(Color color, PatchType type, Object patch, String what) {
        String body = Serialization.asJson(patch);
        return KubeCalls.call(what, () -> deployments.resource(color).patch(PatchContext.of(type), body));
    }

    @Override
    public String toString() {
        return "DeploymentEnvironments[" + conventions + "]";
    }
}
