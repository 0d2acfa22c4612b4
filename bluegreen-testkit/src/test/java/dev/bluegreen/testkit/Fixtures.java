package dev.bluegreen.testkit;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Objects the tests create, kept minimal so each test shows only what it is about. */
final class Fixtures {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final long GRACE_PERIOD_SECONDS = 5;

    private Fixtures() {
    }

    static Deployment deployment(String name, String image, int replicas) {
        Map<String, String> labels = labels(name);
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                // Shorter than the default 30 s, so that tests wait less for old pods to go.
                .withTerminationGracePeriodSeconds(GRACE_PERIOD_SECONDS)
                .addNewContainer()
                .withName("app")
                .withImage(image)
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withPort(new IntOrString(8080)).endHttpGet()
                .endReadinessProbe()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static Service service(String name, Map<String, String> selector) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec()
                .build();
    }

    static Map<String, String> labels(String deployment) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", deployment);
        return labels;
    }

    static List<Pod> podsOf(KubernetesClient client, String deployment) {
        return client.pods().withLabel("app", deployment).list().getItems();
    }

    /** Changes the image of a Deployment's first container with a JSON patch, as {@code kubectl set image} would. */
    static Deployment setImage(KubernetesClient client, String deployment, String image) {
        return client.apps().deployments().withName(deployment).patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"" + image + "\"}]");
    }

    /** The Deployment has observed generation {@code generation} and its rollout is complete. */
    static java.util.function.Predicate<Deployment> completeAt(long generation) {
        return d -> d.getMetadata().getGeneration() == generation && DeploymentConditions.rolloutComplete().test(d);
    }
}
