package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Where the simulated API server corrects the fabric8 mock to behave like a real one. */
@ExtendWith(SimulatedClusterExtension.class)
class ApiServerFidelityTest {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private SimulatedCluster cluster;
    private KubernetesClient client;

    @BeforeEach
    void useCluster(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
    }

    @Test
    void aMergePatchReplacesArraysInsteadOfAppendingToThem() {
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();

        Deployment patched = client.apps().deployments().withName("web").patch(MERGE,
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"web:v2\"}]}}}}");

        assertEquals(1, patched.getSpec().getTemplate().getSpec().getContainers().size());
        assertEquals("web:v2", patched.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(2L, patched.getMetadata().getGeneration(), "a spec change bumps the generation");
    }

    @Test
    void aMergePatchWithNullRemovesTheKey() {
        client.configMaps().resource(settings()).create();

        ConfigMap patched = client.configMaps().withName("settings").patch(MERGE,
                "{\"metadata\":{\"labels\":{\"tier\":null}},\"data\":{\"color\":\"green\"}}");

        assertFalse(patched.getMetadata().getLabels().containsKey("tier"));
        assertEquals("web", patched.getMetadata().getLabels().get("app"));
        assertEquals("green", patched.getData().get("color"));
        assertEquals("10", patched.getData().get("size"));
    }

    @Test
    void aMergePatchWithAStaleResourceVersionConflicts() {
        ConfigMap created = client.configMaps().resource(settings()).create();
        client.configMaps().withName("settings").patch(MERGE, "{\"data\":{\"color\":\"green\"}}");

        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().withName("settings").patch(MERGE, "{\"metadata\":{\"resourceVersion\":\""
                        + created.getMetadata().getResourceVersion() + "\"},\"data\":{\"color\":\"red\"}}"));

        assertEquals(409, conflict.getCode());
        assertEquals("green", client.configMaps().withName("settings").get().getData().get("color"));
    }

    @Test
    void closingWatchesWhileObjectsChangeNeitherHangsTheServerNorFailsTheWrites() throws Exception {
        client.configMaps().resource(settings()).create();
        KubernetesClient writerClient = cluster.newClient();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> writes = writer.submit(() -> {
                for (int write = 0; write < 60; write++) {
                    writerClient.configMaps().withName("settings").patch(MERGE, "{\"data\":{\"write\":\"" + write + "\"}}");
                }
            });
            KubernetesClient watcherClient = cluster.newClient();
            while (!writes.isDone()) {
                CountDownLatch firstEvent = new CountDownLatch(1);
                Watch watch = watcherClient.configMaps().watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap resource) {
                        firstEvent.countDown();
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
                assertTrue(firstEvent.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                watch.close();
            }
            writes.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            writer.shutdownNow();
        }

        long started = System.nanoTime();
        cluster.close();
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
    }

    private static ConfigMap settings() {
        return new ConfigMapBuilder()
                .withNewMetadata().withName("settings").addToLabels("app", "web").addToLabels("tier", "front").endMetadata()
                .addToData("color", "blue").addToData("size", "10")
                .build();
    }
}
