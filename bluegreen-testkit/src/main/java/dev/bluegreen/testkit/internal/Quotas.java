package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * ResourceQuota arithmetic for pods, after {@code pkg/quota/v1/evaluator/core/pods.go} and the quota admission
 * plug-in ({@code k8s.io/apiserver/pkg/admission/plugin/resourcequota}): the usage a pod charges
 * ({@code pods}, {@code count/pods}, {@code cpu}/{@code requests.cpu}, {@code memory}/{@code requests.memory},
 * {@code limits.cpu}, {@code limits.memory}), a namespace's usage from its pods, the admission decision with the
 * server's wording, and quantities formatted as the API server writes them.
 *
 * <p>Scopes ({@code spec.scopes}, {@code scopeSelector}) and resources other than pods' are not evaluated.
 */
final class Quotas {

    /** The quota resources a pod is charged for. */
    static final Set<String> POD_RESOURCES = Set.of("pods", "count/pods", "cpu", "memory", "requests.cpu",
            "requests.memory", "limits.cpu", "limits.memory");
    /** The resources every container must state when a quota limits them ({@code validationSet}). */
    private static final Set<String> MUST_SPECIFY = Set.of("cpu", "memory", "requests.cpu", "requests.memory",
            "limits.cpu", "limits.memory");

    private Quotas() {
    }

    /**
     * A usage or limit: quantities by resource name, with whether each is written in binary units.
     *
     * @param amounts the quantities (cores for CPU, bytes for memory, counts)
     * @param binary  the resources written with binary suffixes ({@code Mi}, {@code Gi})
     */
    record Usage(Map<String, BigDecimal> amounts, Set<String> binary) {

        static Usage empty() {
            return new Usage(new TreeMap<>(), new TreeSet<>());
        }

        void add(String resource, BigDecimal amount, boolean binaryUnits) {
            amounts.merge(resource, amount, BigDecimal::add);
            if (binaryUnits) {
                binary.add(resource);
            }
        }

        void addAll(Usage other) {
            other.amounts.forEach((resource, amount) -> add(resource, amount, other.binary.contains(resource)));
        }

        BigDecimal get(String resource) {
            return amounts.getOrDefault(resource, BigDecimal.ZERO);
        }

        /** The quantities as the API server writes them, for the given resources (zero when absent). */
        Map<String, String> format(Set<String> resources) {
            Map<String, String> formatted = new TreeMap<>();
            for (String resource : resources) {
                formatted.put(resource, Quotas.format(get(resource), binary.contains(resource)));
            }
            return formatted;
        }

        /** {@code prettyPrint}: {@code key=value} pairs sorted by key, joined by commas. */
        String pretty(Set<String> resources) {
            return format(resources).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(","));
        }
    }

    /** The hard limits of a quota, as stated in its spec. */
    static Usage hard(Map<String, Quantity> hard) {
        Usage usage = Usage.empty();
        if (hard != null) {
            hard.forEach((resource, quantity) -> usage.add(resource, amount(quantity), isBinary(quantity)));
        }
        return usage;
    }

    /**
     * Tells whether a pod counts against quota: not finished, and not past the end of its grace period
     * ({@code QuotaV1Pod}).
     */
    static boolean counts(Pod pod, Instant now) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        String deletion = pod.getMetadata().getDeletionTimestamp();
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        return deletion == null || grace == null || !now.isAfter(Instant.parse(deletion));
    }

    /** What one pod charges ({@code podComputeUsageHelper} summed over its containers, plus the pod itself). */
    static Usage podUsage(Pod pod) {
        Usage usage = Usage.empty();
        usage.add("pods", BigDecimal.ONE, false);
        usage.add("count/pods", BigDecimal.ONE, false);
        for (Container container : pod.getSpec().getContainers()) {
            Map<String, Quantity> requests = requests(container);
            Map<String, Quantity> limits = limits(container);
            addResource(usage, requests.get("cpu"), "cpu", "requests.cpu");
            addResource(usage, requests.get("memory"), "memory", "requests.memory");
            addResource(usage, limits.get("cpu"), "limits.cpu");
            addResource(usage, limits.get("memory"), "limits.memory");
        }
        return usage;
    }

    /** The usage of a namespace's pods that count. */
    static Usage namespaceUsage(List<Pod> pods, Instant now) {
        Usage usage = Usage.empty();
        for (Pod pod : pods) {
            if (pod.getSpec() != null && counts(pod, now)) {
                usage.addAll(podUsage(pod));
            }
        }
        return usage;
    }

    /** The resources of a quota that pods are charged for. */
    static Set<String> podResources(Map<String, Quantity> hard) {
        Set<String> resources = new TreeSet<>();
        if (hard != null) {
            hard.keySet().stream().filter(POD_RESOURCES::contains).forEach(resources::add);
        }
        return resources;
    }

    /**
     * The quota admission plug-in's decision on creating a pod.
     *
     * @param pod    the pod to create, defaulted
     * @param quotas the namespace's quotas
     * @param pods   the namespace's pods
     * @param now    the current time
     * @return the reason to refuse, as the server words it after {@code forbidden:}, or null to admit
     */
    static String refusal(Pod pod, List<ResourceQuota> quotas, List<Pod> pods, Instant now) {
        if (pod.getSpec() == null) {
            return null;
        }
        List<ResourceQuota> sorted = new ArrayList<>(quotas);
        sorted.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
        Usage requested = podUsage(pod);
        Usage used = null;
        for (ResourceQuota quota : sorted) {
            Map<String, Quantity> hardSpec = quota.getSpec() == null ? null : quota.getSpec().getHard();
            Set<String> restricted = podResources(hardSpec);
            if (restricted.isEmpty()) {
                continue;
            }
            String missing = missingResources(pod, restricted);
            if (missing != null) {
                return "failed quota: " + quota.getMetadata().getName() + ": must specify " + missing;
            }
            if (used == null) {
                used = namespaceUsage(pods, now);
            }
            Usage hard = hard(hardSpec);
            Set<String> exceeded = new TreeSet<>();
            for (String resource : restricted) {
                if (requested.get(resource).signum() == 0) {
                    continue;
                }
                if (used.get(resource).add(requested.get(resource)).compareTo(hard.get(resource)) > 0) {
                    exceeded.add(resource);
                }
            }
            if (!exceeded.isEmpty()) {
                return "exceeded quota: " + quota.getMetadata().getName() + ", requested: " + requested.pretty(exceeded)
                        + ", used: " + withUnitsOf(used, hard).pretty(exceeded) + ", limited: " + hard.pretty(exceeded);
            }
        }
        return null;
    }

    /** Every container must state a request or limit for each cpu or memory resource the quota limits. */
    private static String missingResources(Pod pod, Set<String> restricted) {
        Set<String> required = new TreeSet<>(restricted);
        required.retainAll(MUST_SPECIFY);
        if (required.isEmpty()) {
            return null;
        }
        Map<String, Set<String>> missing = new TreeMap<>();
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        containers.addAll(pod.getSpec().getInitContainers());
        for (Container container : containers) {
            Set<String> stated = new TreeSet<>();
            Map<String, Quantity> requests = requests(container);
            Map<String, Quantity> limits = limits(container);
            if (requests.containsKey("cpu")) {
                stated.add("cpu");
                stated.add("requests.cpu");
            }
            if (requests.containsKey("memory")) {
                stated.add("memory");
                stated.add("requests.memory");
            }
            if (limits.containsKey("cpu")) {
                stated.add("limits.cpu");
            }
            if (limits.containsKey("memory")) {
                stated.add("limits.memory");
            }
            for (String resource : required) {
                if (!stated.contains(resource)) {
                    missing.computeIfAbsent(resource, r -> new TreeSet<>()).add(container.getName());
                }
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        return missing.entrySet().stream().map(e -> e.getKey() + " for: " + String.join(",", e.getValue()))
                .sorted().collect(Collectors.joining("; "));
    }

    private static Usage withUnitsOf(Usage used, Usage hard) {
        Usage copy = Usage.empty();
        copy.addAll(used);
        copy.binary().addAll(hard.binary());
        return copy;
    }

    private static Map<String, Quantity> requests(Container container) {
        Map<String, Quantity> requests = container.getResources() == null ? null : container.getResources().getRequests();
        return requests == null ? Map.of() : requests;
    }

    private static Map<String, Quantity> limits(Container container) {
        Map<String, Quantity> limits = container.getResources() == null ? null : container.getResources().getLimits();
        return limits == null ? Map.of() : limits;
    }

    private static void addResource(Usage usage, Quantity quantity, String... resources) {
        if (quantity == null) {
            return;
        }
        for (String resource : resources) {
            usage.add(resource, amount(quantity), isBinary(quantity));
        }
    }

    // ---- quantities ----

    /**
     * The amount of a quantity: cores for CPU, bytes for memory.
     *
     * @param quantity e.g. {@code 500m} or {@code 1Gi}
     * @return the amount
     * @throws IllegalArgumentException if it is no quantity
     */
    static BigDecimal amount(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity);
    }

    /** Whether a quantity is written with a binary suffix, which the API server keeps when it formats sums. */
    static boolean isBinary(Quantity quantity) {
        String format = quantity.getFormat();
        return format != null && format.endsWith("i");
    }

    /**
     * Formats an amount as the API server's canonical quantity: whole numbers of the largest unit that
     * divides it (binary units when asked, else decimal ones, down to {@code m} and {@code u}).
     *
     * @param amount the amount
     * @param binary whether to use binary suffixes for amounts of 1024 and more
     * @return e.g. {@code 500m}, {@code 2}, {@code 1536Mi}, {@code 0}
     */
    static String format(BigDecimal amount, boolean binary) {
        if (amount.signum() == 0) {
            return "0";
        }
        BigDecimal value = amount.stripTrailingZeros();
        if (binary && value.scale() <= 0) {
            String[] suffixes = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
            BigDecimal unit = BigDecimal.valueOf(1024);
            String chosen = "";
            BigDecimal mantissa = value;
            for (String suffix : suffixes) {
                BigDecimal[] division = mantissa.divideAndRemainder(unit);
                if (division[1].signum() != 0 || division[0].signum() == 0) {
                    break;
                }
                mantissa = division[0];
                chosen = suffix;
            }
            if (!chosen.isEmpty() || value.abs().compareTo(unit) < 0) {
                return mantissa.toPlainString() + chosen;
            }
        }
        String[] suffixes = {"u", "m", "", "k", "M", "G", "T", "P", "E"};
        BigDecimal scaled = value.movePointRight(6).setScale(0, RoundingMode.CEILING);
        int index = 0;
        while (index < suffixes.length - 1 && scaled.remainder(BigDecimal.valueOf(1000)).signum() == 0) {
            scaled = scaled.divide(BigDecimal.valueOf(1000));
            index++;
        }
        return scaled.toPlainString() + suffixes[index];
    }

    /**
     * The status a quota controller writes: {@code hard} as the spec states it and {@code used} for the
     * resources pods are charged for.
     *
     * @param hardSpec the quota's {@code spec.hard}
     * @param pods     the namespace's pods
     * @param now      the current time
     * @return {@code hard} and {@code used}, quantities formatted as the server writes them
     */
    static Map<String, Map<String, String>> status(Map<String, Quantity> hardSpec, List<Pod> pods, Instant now) {
        Usage hard = hard(hardSpec);
        Map<String, String> hardOut = hard.format(hard.amounts().keySet());
        Usage used = withUnitsOf(namespaceUsage(pods, now), hard);
        Map<String, String> usedOut = used.format(podResources(hardSpec));
        Map<String, Map<String, String>> status = new LinkedHashMap<>();
        status.put("hard", hardOut);
        status.put("used", usedOut);
        return status;
    }
}
