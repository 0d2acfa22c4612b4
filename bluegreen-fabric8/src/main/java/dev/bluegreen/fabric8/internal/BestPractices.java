package dev.bluegreen.fabric8.internal;

import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.spi.Deadline;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guide's best practices, checked at preflight on the pod template the new color will run: every container
 * has a readiness probe and resource requests, and the namespace's ResourceQuotas leave room for a second full
 * color (the live color's replicas, each with the template's requests) next to what runs now.
 */
final class BestPractices {
    private final Deployments deployments;
    private final BlueGreenConventions conventions;

    BestPractices(Deployments deployments) {
        this.deployments = deployments;
        this.conventions = deployments.conventions();
    }

    /**
     * @param template    the Deployment whose pod template the new color runs (the idle one, or the live one it is
     *                    created from)
     * @param newColor    what the new color is called in messages, e.g. {@code Deployment shop/myapp-green}
     * @param replicas    the replicas of a full color
     * @param alreadyUsed the replicas the new color's Deployment already asks for (already counted by the quota)
     * @return every finding
     */
    List<String> findings(Deployment template, String newColor, int replicas, int alreadyUsed) {
        List<String> findings = new ArrayList<>();
        List<Container> containers = template.getSpec().getTemplate().getSpec().getContainers();
        for (Container container : containers) {
            String what = "container '" + container.getName() + "' of the new color (" + newColor + ")";
            if (container.getReadinessProbe() == null) {
                findings.add(what + " has no readiness probe, so 'ready' only means 'started': the switch could send "
                        + "traffic to pods that cannot serve yet; add a readinessProbe");
            }
            Map<String, Quantity> requests = container.getResources() == null ? null : container.getResources().getRequests();
            if (requests == null || (!requests.containsKey("cpu") && !requests.containsKey("memory"))) {
                findings.add(what + " has no resource requests (cpu, memory), so the scheduler cannot reserve room for "
                        + "both colors at once; set resources.requests");
            }
        }
        findings.addAll(quotaFindings(containers, replicas - alreadyUsed, replicas));
        return findings;
    }

    private List<String> quotaFindings(List<Container> containers, int newPods, int replicas) {
        if (newPods <= 0) {
            return List.of();
        }
        List<ResourceQuota> quotas;
        try {
            quotas = deployments.calls().read("list of ResourceQuotas in namespace " + conventions.namespace(),
                    Deadline.after(Duration.ofSeconds(10)), () -> deployments.client().resourceQuotas()
                            .inNamespace(conventions.namespace()).list().getItems());
        } catch (dev.bluegreen.ClusterApiException e) {
            return List.of("room for a second full color could not be checked: " + e.getMessage());
        }
        List<String> findings = new ArrayList<>();
        for (ResourceQuota quota : quotas) {
            if (quota.getStatus() == null || quota.getStatus().getHard() == null) {
                continue;
            }
            Map<String, Quantity> hard = quota.getStatus().getHard();
            Map<String, Quantity> used = quota.getStatus().getUsed() == null ? Map.of() : quota.getStatus().getUsed();
            for (Map.Entry<String, Quantity> limit : hard.entrySet()) {
                BigDecimal perPod = perPod(limit.getKey(), containers);
                if (perPod == null) {
                    continue;
                }
                BigDecimal needed = perPod.multiply(BigDecimal.valueOf(newPods));
                BigDecimal room = Quantity.getAmountInBytes(limit.getValue()).subtract(used.containsKey(limit.getKey())
                        ? Quantity.getAmountInBytes(used.get(limit.getKey())) : BigDecimal.ZERO);
                if (needed.compareTo(room) > 0) {
                    findings.add("ResourceQuota " + conventions.namespace() + "/" + quota.getMetadata().getName()
                            + " leaves no room for a second full color: " + limit.getKey() + " has " + plain(room)
                            + " left of " + limit.getValue() + ", but " + newPods + " new pods of the " + replicas
                            + " need " + plain(needed) + "; the new color's rollout would stall");
                }
            }
        }
        return findings;
    }

    /** @return what one pod counts against a quota's resource, or null when this resource is not checked */
    private static BigDecimal perPod(String resource, List<Container> containers) {
        switch (resource) {
            case "pods", "count/pods":
                return BigDecimal.ONE;
            case "cpu", "requests.cpu", "memory", "requests.memory", "limits.cpu", "limits.memory":
                String name = resource.substring(resource.indexOf('.') + 1);
                boolean limits = resource.startsWith("limits.");
                BigDecimal sum = BigDecimal.ZERO;
                for (Container container : containers) {
                    Map<String, Quantity> values = container.getResources() == null ? null
                            : limits ? container.getResources().getLimits() : container.getResources().getRequests();
                    if (values != null && values.containsKey(name)) {
                        sum = sum.add(Quantity.getAmountInBytes(values.get(name)));
                    }
                }
                return sum;
            default:
                return null;
        }
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }
}
