package dev.bluegreen.argo;

import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;

/** A blue-green Rollout "web" with active and preview Services, as the tests create it. */
final class ArgoFixtures {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NAMESPACE = "default";

    private ArgoFixtures() {
    }

    static String rolloutYaml(String name, String image, boolean autoPromotion) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %1$s
                  labels: {team: shop}
                spec:
                  replicas: 2
                  revisionHistoryLimit: 3
                  selector:
                    matchLabels: {app: %1$s}
                  template:
                    metadata:
                      labels: {app: %1$s}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: app
                        image: %2$s
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe: {httpGet: {path: /ready, port: 8080}}
                      - name: sidecar
                        image: proxy:1
                  strategy:
                    blueGreen:
                      activeService: %1$s-active
                      previewService: %1$s-preview
                      autoPromotionEnabled: %3$s
                      # Simulated time runs 100 times faster: an hour here is 36 s of the test's time, so the
                      # previous revision is still up when a release rolls back.
                      scaleDownDelaySeconds: 3600
                      futureSetting: {kept: true}
                """.formatted(name, image, autoPromotion);
    }

    /** Creates the Services and the Rollout at web:v1 and waits until it is Healthy. */
    static ArgoRollout healthyRollout(SimulatedCluster cluster, String name) {
        KubernetesClient client = cluster.client();
        client.services().resource(service(name + "-active", name)).create();
        client.services().resource(service(name + "-preview", name)).create();
        client.resource(Serialization.unmarshal(rolloutYaml(name, "web:v1", false), GenericKubernetesResource.class))
                .create();
        ArgoRollout rollout = ArgoRollouts.rollout(client, NAMESPACE, name);
        rollout.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT);
        return rollout;
    }

    static io.fabric8.kubernetes.api.model.Service service(String name, String app) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", app))
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080))
                .endPort()
                .endSpec()
                .build();
    }

    static String activeSelector(KubernetesClient client, String service) {
        return client.services().withName(service).get().getSpec().getSelector().get(Rollout.HASH_LABEL);
    }
}
