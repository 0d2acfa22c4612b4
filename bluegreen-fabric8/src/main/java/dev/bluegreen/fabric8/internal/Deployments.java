package dev.bluegreen.fabric8.internal;

import dev.bluegreen.Color;
import dev.bluegreen.fabric8.BlueGreenConventions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads the color Deployments of one app; shared by the switcher and the environments. */
final class Deployments {
    private final KubernetesClient client;
    private final BlueGreenConventions conventions;

    Deployments(KubernetesClient client, BlueGreenConventions conventions) {
        this.client = client;
        this.conventions = conventions;
    }

    String describe(Color color) {
        return "Deployment " + conventions.namespace() + "/" + conventions.deploymentName(color);
    }

    RollableScalableResource<Deployment> resource(Color color) {
        return client.apps().deployments().inNamespace(conventions.namespace()).withName(conventions.deploymentName(color));
    }

    /** @return the color's Deployment, or null when it does not exist */
    Deployment get(Color color) {
        return KubeCalls.call("read of " + describe(color), () -> resource(color).get());
    }

    String missing(Color color) {
        return describe(color) + " does not exist; expected the " + color + " color's Deployment";
    }

    static int wantedReplicas(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    /**
     * @return the container a deploy updates, or empty with {@code problem} describing why none can be chosen
     */
    Optional<Container> container(Deployment deployment, Color color, StringBuilder problem) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        Optional<String> wanted = conventions.containerName();
        if (wanted.isPresent()) {
            Optional<Container> named = containers.stream().filter(c -> wanted.get().equals(c.getName())).findFirst();
            if (named.isEmpty()) {
                problem.append(describe(color)).append(" has no container named '").append(wanted.get())
                        .append("' (its containers: ").append(names(containers)).append(')');
            }
            return named;
        }
        if (containers.size() != 1) {
            problem.append(describe(color)).append(" has ").append(containers.size()).append(" containers ")
                    .append(names(containers)).append("; set BlueGreenConventions.containerName to the one a release updates");
            return Optional.empty();
        }
        return Optional.of(containers.get(0));
    }

    private static List<String> names(List<Container> containers) {
        return containers.stream().map(Container::getName).collect(Collectors.toList());
    }
}
