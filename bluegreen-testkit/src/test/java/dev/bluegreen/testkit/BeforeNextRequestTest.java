package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedClusterExtension.class)
class BeforeNextRequestTest {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
    private static final Predicate<ClientRequest> PATCH_OF_WEB =
            r -> r.method().equals("PATCH") && r.path().equals("/api/v1/namespaces/default/services/web");

    private SimulatedCluster cluster;
    private KubernetesClient client;

    @BeforeEach
    void useCluster(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        client.services().resource(service("web", Map.of("app", "web", "version", "blue"))).create();
    }

    @Test
    void anEditBySomeoneElseRightBeforeOurWriteMakesTheWriteConflict() {
        Service read = client.services().withName("web").get();
        KubernetesClient someoneElse = cluster.newClient();
        cluster.beforeNextRequest(PATCH_OF_WEB,
                () -> someoneElse.services().withName("web").patch(MERGE, "{\"metadata\":{\"labels\":{\"edited\":\"yes\"}}}"));

        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> client.services().withName("web").patch(MERGE, "{\"metadata\":{\"resourceVersion\":\""
                        + read.getMetadata().getResourceVersion() + "\"},\"spec\":{\"selector\":{\"version\":\"green\"}}}"));

        assertEquals(409, conflict.getCode());
        Service stored = client.services().withName("web").get();
        assertEquals("yes", stored.getMetadata().getLabels().get("edited"));
        assertEquals("blue", stored.getSpec().getSelector().get("version"));
        List<ClientRequest> patches = cluster.requests().fromUsers().stream().filter(r -> r.method().equals("PATCH")).toList();
        assertEquals(2, patches.size());
        assertTrue(patches.get(0).body().contains("edited"), "the hooked action's patch arrives first: " + patches);
    }

    @Test
    void theActionRunsOnceAndOnlyForAMatchingRequest() {
        AtomicInteger runs = new AtomicInteger();
        cluster.beforeNextRequest(r -> PATCH_OF_WEB.test(r) && r.body().contains("green"), runs::incrementAndGet);

        client.services().withName("web").get();
        client.services().withName("web").patch(MERGE, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
        assertEquals(0, runs.get());

        client.services().withName("web").patch(MERGE, "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
        client.services().withName("web").patch(MERGE, "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
        assertEquals(1, runs.get());
    }

    @Test
    void theMatcherSeesTheRequestAsTheClientIsAboutToSendIt() {
        List<ClientRequest> seen = new CopyOnWriteArrayList<>();
        cluster.beforeNextRequest(r -> seen.add(r) && r.method().equals("PATCH"), () -> { });

        client.services().withName("web").patch(MERGE, "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");

        ClientRequest patch = seen.get(seen.size() - 1);
        assertEquals("PATCH", patch.method());
        assertEquals("/api/v1/namespaces/default/services/web", patch.path());
        assertEquals("{\"spec\":{\"selector\":{\"version\":\"green\"}}}", patch.body());
        assertTrue(patch.userAgent().startsWith("fabric8-kubernetes-client/"), patch.userAgent());
    }

    @Test
    void hooksApplyToClientsFromNewClientToo() {
        AtomicInteger runs = new AtomicInteger();
        cluster.beforeNextRequest(PATCH_OF_WEB, runs::incrementAndGet);

        cluster.newClient().services().withName("web").patch(MERGE, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");

        assertEquals(1, runs.get());
    }
}
