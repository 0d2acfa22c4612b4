package dev.bluegreen.fabric8.internal;

import dev.bluegreen.Color;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Reads the color Deployments of one app, and remembers the last state read or written of each,
 * so that a write can carry the read it was decided on (no second read) and the switcher's check
 * of pod labels can use the read preflight just made. Shared by the switcher and the environments
 * of one plan.
 */
final class Deployments {
    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final KubeCalls calls;
    private final Clock clock;
    private final Map<Color, Deployment> lastSeen = new ConcurrentHashMap<>();

    Deployments(KubernetesClient client, BlueGreenConventions conventions, KubeCalls calls, Clock clock) {
        this.client = client;
        this.conventions = conventions;
        this.calls = calls;
        this.clock = clock;
    }

    KubernetesClient client() {
        return client;
    }

    BlueGreenConventions conventions() {
        return conventions;
    }

    KubeCalls calls() {
        return calls;
    }

    String describe(Color color) {
        return "Deployment " + conventions.namespace() + "/" + conventions.deploymentName(color);
    }

    /** @return the Deployment as a handle for writes that send no extra read first */
    Resource<Deployment> resource(Color color) {
        Deployment reference = new DeploymentBuilder().withNewMetadata().withName(conventions.deploymentName(color))
                .withNamespace(conventions.namespace()).endMetadata().build();
        return client.apps().deployments().resource(reference);
    }

    /** @return the color's Deployment, or null when it does not exist; remembered as last seen */
    Deployment get(Color color, Deadline deadline) {
        Deployment deployment = calls.read("read of " + describe(color), deadline, () -> client.apps().deployments()
                .inNamespace(conventions.namespace()).withName(conventions.deploymentName(color)).get());
        seen(color, deployment);
        return deployment;
    }

    void seen(Color color, Deployment deployment) {
        if (deployment == null) {
            lastSeen.remove(color);
        } else {
            lastSeen.put(color, deployment);
        }
    }

    /** @return the last state read or written of a color, or empty */
    Optional<Deployment> lastSeen(Color color) {
        return Optional.ofNullable(lastSeen.get(color));
    }

    /** @return the Deployment a state was read from, when it is the one remembered, else a fresh read */
    Deployment decidedOn(EnvironmentState state, Deadline deadline) {
        Deployment known = lastSeen.get(state.color());
        if (known != null && state.revision() != null && state.revision().equals(known.getMetadata().getResourceVersion())) {
            return known;
        }
        return get(state.color(), deadline);
    }

    /**
     * Checks that the pods of a color's Deployment carry every label of a selector.
     *
     * @param color    the color
     * @param selector the labels a Service would select them by
     * @param selectorOf who selects, e.g. {@code Service shop/myapp-service}
     * @param deadline bounds a read when the Deployment was not read yet
     * @return the problem, or empty when they match or the Deployment does not exist (reported elsewhere)
     */
    Optional<String> podsNotMatched(Color color, Map<String, String> selector, String selectorOf, Deadline deadline) {
        Deployment deployment = lastSeen(color).orElseGet(() -> get(color, deadline));
        if (deployment == null) {
            return Optional.empty();
        }
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : deployment.getSpec().getTemplate().getMetadata().getLabels();
        labels = labels == null ? Map.of() : labels;
        List<String> mismatches = new java.util.ArrayList<>();
        for (Map.Entry<String, String> entry : new java.util.TreeMap<>(selector).entrySet()) {
            String actual = labels.get(entry.getKey());
            if (!entry.getValue().equals(actual)) {
                mismatches.add("label '" + entry.getKey() + "' is " + (actual == null ? "missing" : "'" + actual + "'")
                        + ", expected '" + entry.getValue() + "'");
            }
        }
        if (mismatches.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the pods of " + describe(color) + " are labelled " + new java.util.TreeMap<>(labels)
                + ", which the selector " + new java.util.TreeMap<>(selector) + " of " + selectorOf
                + " would not match after the switch (" + String.join("; ", mismatches) + ")");
    }

    String missing(Color color) {
        return describe(color) + " does not exist; expected the " + color + " color's Deployment";
    }

    static int wantedReplicas(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    EnvironmentState state(Color color, Deployment deployment) {
        if (deployment == null) {
            return EnvironmentState.missing(color, describe(color), clock.instant());
        }
        RolloutStatus rollout = RolloutStatus.of(deployment);
        Integer available = deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
        Long generation = deployment.getMetadata().getGeneration();
        return new EnvironmentState(color, describe(color), true, image(deployment).orElse(null),
                wantedReplicas(deployment), available == null ? 0 : available, rollout.complete(),
                deployment.getMetadata().getResourceVersion(), generation == null ? 0 : generation, rollout.message(),
                clock.instant());
    }

    /** @return the image of the container a deploy updates, when one can be chosen */
    Optional<String> image(Deployment deployment) {
        return container(deployment, new StringBuilder()).map(Container::getImage);
    }

    /**
     * @return the container a deploy updates, or empty with {@code problem} describing why none can be chosen
     */
    Optional<Container> container(Deployment deployment, StringBuilder problem) {
        String object = "Deployment " + conventions.namespace() + "/" + deployment.getMetadata().getName();
        List<Container> containers = deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
                || deployment.getSpec().getTemplate().getSpec() == null ? List.of()
                : deployment.getSpec().getTemplate().getSpec().getContainers();
        Optional<String> wanted = conventions.containerName();
        if (wanted.isPresent()) {
            Optional<Container> named = containers.stream().filter(c -> wanted.get().equals(c.getName())).findFirst();
            if (named.isEmpty()) {
                problem.append(object).append(" has no container named '").append(wanted.get())
                        .append("' (its containers: ").append(names(containers)).append(')');
            }
            return named;
        }
        if (containers.size() != 1) {
            problem.append(object).append(" has ").append(containers.size()).append(" containers ")
                    .append(names(containers)).append("; set BlueGreenConventions.containerName to the one a release updates");
            return Optional.empty();
        }
        return Optional.of(containers.get(0));
    }

    private static List<String> names(List<Container> containers) {
        return containers.stream().map(Container::getName).collect(Collectors.toList());
    }
}
