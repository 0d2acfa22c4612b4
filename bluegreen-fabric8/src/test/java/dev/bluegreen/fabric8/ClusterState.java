package dev.bluegreen.fabric8;

import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What tests compare to show that nothing was changed. */
final class ClusterState {
    private ClusterState() {
    }

    /** @return the resourceVersion of every Deployment and Service in the namespace: any write changes one */
    static Map<String, String> resourceVersions(KubernetesClient client, String namespace) {
        return Stream.of(client.apps().deployments().inNamespace(namespace).list().getItems(),
                        client.services().inNamespace(namespace).list().getItems())
                .flatMap(List::stream)
                .collect(Collectors.toMap(o -> o.getKind() + "/" + o.getMetadata().getName(),
                        o -> o.getMetadata().getResourceVersion(), (a, b) -> a, TreeMap::new));
    }

    /**
     * Replaces a Deployment by one whose selector and pod labels carry another value for one label, as a user
     * must on a real cluster, where a Deployment's selector cannot change: delete it, wait until it is gone,
     * create it again. Then waits until the cluster has settled.
     */
    static void recreateWithLabel(SimulatedCluster cluster, String namespace, String name, String key, String value) {
        KubernetesClient client = cluster.client();
        Deployment old = client.apps().deployments().inNamespace(namespace).withName(name).get();
        client.apps().deployments().inNamespace(namespace).withName(name).delete();
        client.apps().deployments().inNamespace(namespace).withName(name)
                .waitUntilCondition(d -> d == null, 5, TimeUnit.SECONDS);
        Deployment relabelled = new DeploymentBuilder(old)
                .editMetadata().withResourceVersion(null).withUid(null).withCreationTimestamp(null).withGeneration(null)
                .endMetadata()
                .editSpec().editSelector().addToMatchLabels(key, value).endSelector()
                .editTemplate().editMetadata().addToLabels(key, value).endMetadata().endTemplate().endSpec()
                .withStatus(null)
                .build();
        client.apps().deployments().inNamespace(namespace).resource(relabelled).create();
        cluster.awaitSettled(Duration.ofSeconds(5));
    }

    /** @return how many requests other than GET the users' clients (not the controllers) sent */
    static long userWrites(SimulatedCluster cluster) {
        return cluster.requests().fromUsers().stream().filter(r -> !r.method().equals("GET")).count();
    }
}
