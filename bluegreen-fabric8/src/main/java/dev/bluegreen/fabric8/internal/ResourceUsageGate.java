package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU and memory of the candidate's pods from the metrics API ({@code metrics.k8s.io}, what
 * {@code kubectl top pods} reads): each pod under absolute thresholds, or each container under a
 * fraction of its limits. No metrics (metrics-server missing or not scraped yet) is inconclusive.
 */
public final class ResourceUsageGate implements HealthGate {
    private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024L);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private final KubernetesClient client;
    private final long maxCpuMillis;
    private final long maxMemoryMiB;
    private final double fractionOfLimits;

    /**
     * @param client           the client
     * @param maxCpuMillis     the most CPU a pod may use, in millicores; non-positive means no limit
     * @param maxMemoryMiB     the most memory a pod may use, in MiB; non-positive means no limit
     * @param fractionOfLimits the largest fraction of its limits a container may use; non-positive means not checked
     */
    public ResourceUsageGate(KubernetesClient client, long maxCpuMillis, long maxMemoryMiB, double fractionOfLimits) {
        this.client = client;
        this.maxCpuMillis = maxCpuMillis;
        this.maxMemoryMiB = maxMemoryMiB;
        this.fractionOfLimits = fractionOfLimits;
    }

    @Override
    public GateResult evaluate(GateContext context) {
        KubernetesCandidate candidate = CandidatePods.of(context);
        List<PodMetrics> metrics;
        try {
            metrics = client.top().pods().withLabels(candidate.podSelector()).metrics(candidate.namespace()).getItems();
        } catch (KubernetesClientException e) {
            return GateResult.inconclusive("the metrics API (metrics.k8s.io) did not answer for " + candidate.describePods()
                    + ": " + e.getMessage());
        }
        if (metrics.isEmpty()) {
            return GateResult.inconclusive("the metrics API reports no " + candidate.describePods() + " yet");
        }
        Map<String, Pod> pods = CandidatePods.list(client, candidate).stream()
                .collect(Collectors.toMap(CandidatePods::name, p -> p));
        List<String> over = new ArrayList<>();
        long maxCpuSeen = 0;
        long maxMemorySeen = 0;
        double maxFractionSeen = 0;
        for (PodMetrics pod : metrics) {
            String name = pod.getMetadata().getName();
            long cpu = 0;
            long memory = 0;
            for (ContainerMetrics container : pod.getContainers()) {
                long containerCpu = millis(container.getUsage().get("cpu"));
                long containerMemory = mib(container.getUsage().get("memory"));
                cpu += containerCpu;
                memory += containerMemory;
                Container spec = pods.containsKey(name) ? pods.get(name).getSpec().getContainers().stream()
                        .filter(c -> c.getName().equals(container.getName())).findFirst().orElse(null) : null;
                if (fractionOfLimits > 0 && spec != null && spec.getResources() != null
                        && spec.getResources().getLimits() != null) {
                    Map<String, Quantity> limits = spec.getResources().getLimits();
                    String label = name + "/" + container.getName();
                    maxFractionSeen = Math.max(maxFractionSeen, againstLimit(label, containerCpu, "m CPU",
                            millis(limits.get("cpu")), limits.get("cpu"), over));
                    maxFractionSeen = Math.max(maxFractionSeen, againstLimit(label, containerMemory, "Mi memory",
                            mib(limits.get("memory")), limits.get("memory"), over));
                }
            }
            maxCpuSeen = Math.max(maxCpuSeen, cpu);
            maxMemorySeen = Math.max(maxMemorySeen, memory);
            if (maxCpuMillis > 0 && cpu > maxCpuMillis) {
                over.add(name + " uses " + cpu + "m CPU (at most " + maxCpuMillis + "m allowed)");
            }
            if (maxMemoryMiB > 0 && memory > maxMemoryMiB) {
                over.add(name + " uses " + memory + "Mi memory (at most " + maxMemoryMiB + "Mi allowed)");
            }
        }
        String limits = (maxCpuMillis > 0 ? " CPU <= " + maxCpuMillis + "m" : "")
                + (maxMemoryMiB > 0 ? " memory <= " + maxMemoryMiB + "Mi" : "")
                + (fractionOfLimits > 0 ? " usage <= " + percent(fractionOfLimits) + " of limits" : "");
        String what = metrics.size() + " " + candidate.describePods() + ": highest " + maxCpuSeen + "m CPU, "
                + maxMemorySeen + "Mi memory per pod (expected" + limits + ")";
        GateResult result = over.isEmpty() ? GateResult.passed(what) : GateResult.failed(what + ": " + over);
        result = result.withMeasurement("max_cpu_millis", maxCpuSeen).withMeasurement("max_memory_mib", maxMemorySeen);
        return fractionOfLimits > 0 ? result.withMeasurement("max_fraction_of_limit", maxFractionSeen) : result;
    }

    /** @return the fraction of the limit used (0 without a limit); adds a finding when it is above the allowed one */
    private double againstLimit(String container, long used, String unit, long limit, Quantity stated, List<String> over) {
        if (limit <= 0) {
            return 0;
        }
        double fraction = (double) used / limit;
        if (fraction > fractionOfLimits) {
            over.add(container + " uses " + used + unit + ", " + percent(fraction) + " of its limit " + stated);
        }
        return fraction;
    }

    private static String percent(double fraction) {
        return Math.round(fraction * 1000) / 10.0 + "%";
    }

    private static long millis(Quantity quantity) {
        return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).multiply(THOUSAND).longValue();
    }

    private static long mib(Quantity quantity) {
        return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).divide(MIB, java.math.RoundingMode.HALF_UP).longValue();
    }

    @Override
    public String name() {
        return "resource-usage";
    }
}
