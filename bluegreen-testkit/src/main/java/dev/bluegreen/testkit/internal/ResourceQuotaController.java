package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resource quota controller, after {@code pkg/controller/resourcequota}: keeps each ResourceQuota's
 * {@code status.hard} equal to its {@code spec.hard} and {@code status.used} equal to what the namespace's pods
 * use ({@link Quotas}), recalculated whenever a pod of the namespace or the quota changes. The API server's
 * admission refuses pods beyond the quota on its own, from the same arithmetic.
 */
final class ResourceQuotaController {

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<ResourceQuota> quotas;
    private final ObjectStore<Pod> pods;
    private final SimClock clock;

    ResourceQuotaController(KubernetesClient client, ControllerLoop loop, ObjectStore<ResourceQuota> quotas,
            ObjectStore<Pod> pods) {
        this.client = client;
        this.loop = loop;
        this.quotas = quotas;
        this.pods = pods;
        this.clock = loop.clock();
    }

    void enqueue(String key) {
        loop.reconcile("resourcequota " + key, () -> reconcile(key));
    }

    /** A pod changed or is gone: the quotas of its namespace are recalculated. */
    void podChanged(Pod pod) {
        for (ResourceQuota quota : quotas.inNamespace(pod.getMetadata().getNamespace())) {
            enqueue(ObjectStore.keyOf(quota));
        }
    }

    /**
     * The status a quota should have.
     *
     * @param quota           a quota
     * @param podsInNamespace its namespace's pods
     * @param now             the current time
     * @return the status
     */
    static ResourceQuotaStatus status(ResourceQuota quota, List<Pod> podsInNamespace, Instant now) {
        Map<String, Quantity> hard = quota.getSpec() == null ? null : quota.getSpec().getHard();
        Map<String, Map<String, String>> computed = Quotas.status(hard, podsInNamespace, now);
        ResourceQuotaStatus status = new ResourceQuotaStatus();
        status.setHard(quantities(computed.get("hard")));
        status.setUsed(quantities(computed.get("used")));
        return status;
    }

    /**
     * Explains how a quota's status differs from its namespace's pods, for {@code awaitSettled}.
     *
     * @param quota           a quota as the server has it
     * @param podsInNamespace its namespace's pods as the server has them
     * @param now             the current time
     * @return the difference, or empty
     */
    static Optional<String> unsettled(ResourceQuota quota, List<Pod> podsInNamespace, Instant now) {
        ResourceQuotaStatus expected = status(quota, podsInNamespace, now);
        ResourceQuotaStatus reported = quota.getStatus() == null ? new ResourceQuotaStatus() : quota.getStatus();
        if (Canonical.same(expected, reported)) {
            return Optional.empty();
        }
        return Optional.of("ResourceQuota " + ObjectStore.keyOf(quota) + " reports used " + reported.getUsed()
                + " but its namespace's pods use " + expected.getUsed());
    }

    private void reconcile(String key) {
        ResourceQuota quota = quotas.get(key);
        if (quota == null) {
            return;
        }
        ResourceQuotaStatus status = status(quota, pods.inNamespace(quota.getMetadata().getNamespace()), clock.instant());
        if (Canonical.same(status, quota.getStatus() == null ? new ResourceQuotaStatus() : quota.getStatus())) {
            return;
        }
        try {
            ResourceQuota updated = client.resourceQuotas().inNamespace(quota.getMetadata().getNamespace())
                    .resource(new ResourceQuotaBuilder(quota).withStatus(status).build()).updateStatus();
            quotas.observe(updated);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static Map<String, Quantity> quantities(Map<String, String> values) {
        Map<String, Quantity> quantities = new LinkedHashMap<>();
        values.forEach((resource, value) -> quantities.put(resource, new Quantity(value)));
        return quantities;
    }
}
