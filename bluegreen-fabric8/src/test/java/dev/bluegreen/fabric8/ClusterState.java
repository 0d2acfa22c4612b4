package dev.bluegreen.fabric8;

import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    /** @return how many requests other than GET the users' clients (not the controllers) sent */
    static long userWrites(SimulatedCluster cluster) {
        return cluster.requests().fromUsers().stream().filter(r -> !r.method().equals("GET")).count();
    }
}
