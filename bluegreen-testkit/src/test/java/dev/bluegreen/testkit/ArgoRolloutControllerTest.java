package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The simulated Argo Rollouts controller runs a blue-green Rollout as the real one does. */
@ExtendWith(SimulatedClusterExtension.class)
class ArgoRolloutControllerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    static String rolloutYaml(String image, boolean autoPromotion, int scaleDownDelaySeconds) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: app
                        image: %s
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe: {httpGet: {path: /ready, port: 8080}}
                  strategy:
                    blueGreen:
                      activeService: web-active
                      previewService: web-preview
                      autoPromotionEnabled: %s
                      scaleDownDelaySeconds: %d
                """.formatted(image, autoPromotion, scaleDownDelaySeconds);
    }

    private static Resource<GenericKubernetesResource> rollout(KubernetesClient client) {
        return client.genericKubernetesResources("argoproj.io/v1alpha1", "Rollout").inNamespace("default").withName("web");
    }

    private static GenericKubernetesResource await(KubernetesClient client, Predicate<Map<String, Object>> status) {
        return rollout(client).waitUntilCondition(ro -> ro != null && ro.get("status") instanceof Map<?, ?> s
                && status.test(cast(s)), TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static Map<String, Object> status(GenericKubernetesResource ro) {
        return cast((Map<?, ?>) ro.get("status"));
    }

    private static Predicate<Map<String, Object>> phase(String phase) {
        return s -> phase.equals(s.get("phase"));
    }

    private static void create(SimulatedCluster cluster, boolean autoPromotion) {
        KubernetesClient client = cluster.client();
        client.services().resource(service("web-active", Map.of("app", "web"))).create();
        client.services().resource(service("web-preview", Map.of("app", "web"))).create();
        client.resource(Serialization.unmarshal(rolloutYaml("web:v1", autoPromotion, 30), GenericKubernetesResource.class))
                .create();
    }

    private static String selector(KubernetesClient client, String service) {
        return client.services().withName(service).get().getSpec().getSelector().get("rollouts-pod-template-hash");
    }

    private static void setImage(KubernetesClient client, String image) {
        rollout(client).patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":"
                + "\"/spec/template/spec/containers/0/image\",\"value\":\"" + image + "\"}]");
    }

    @Test
    void theFirstRevisionGoesActiveAndTheRolloutBecomesHealthy(SimulatedCluster cluster) {
        create(cluster, false);
        Map<String, Object> status = status(await(cluster.client(), phase("Healthy")));

        String hash = (String) status.get("currentPodHash");
        assertEquals(hash, status.get("stableRS"));
        assertEquals(hash, selector(cluster.client(), "web-active"));
        assertEquals(hash, selector(cluster.client(), "web-preview"));
        assertEquals(Map.of("activeSelector", hash, "previewSelector", hash), status.get("blueGreen"));
        assertEquals("", status.get("message"));
        assertEquals(2, status.get("availableReplicas"));
        assertEquals("1", status.get("observedGeneration"));
        ReplicaSet rs = cluster.client().apps().replicaSets().withName("web-" + hash).get();
        assertEquals("1", rs.getMetadata().getAnnotations().get("rollout.argoproj.io/revision"));
        assertEquals("Rollout", rs.getMetadata().getOwnerReferences().get(0).getKind());
        assertTrue(cluster.client().apiextensions().v1().customResourceDefinitions().withName("rollouts.argoproj.io")
                .get() != null, "the CRD is registered, so generic clients find the kind");
    }

    @Test
    void aNewTemplatePausesWithThePreviewOnTheNewRevisionUntilPromotedThenSwitchesAndScalesTheOldDownLater(
            SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        create(cluster, false);
        String v1 = (String) status(await(client, phase("Healthy"))).get("stableRS");

        setImage(client, "web:v2");
        Map<String, Object> paused = status(await(client, phase("Paused")));
        String v2 = (String) paused.get("currentPodHash");

        assertNotEquals(v1, v2);
        assertEquals("BlueGreenPause", paused.get("message"));
        assertEquals(true, paused.get("controllerPause"));
        assertEquals(v1, paused.get("stableRS"));
        assertEquals(v1, selector(client, "web-active"), "the active Service keeps the stable revision");
        assertEquals(v2, selector(client, "web-preview"), "the preview Service selects the new revision");
        assertEquals("2", client.apps().replicaSets().withName("web-" + v2).get().getMetadata().getAnnotations()
                .get("rollout.argoproj.io/revision"));

        List<String> oldRevision = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (io.fabric8.kubernetes.client.Watch watch = client.apps().replicaSets().withName("web-" + v1).watch(
                new io.fabric8.kubernetes.client.Watcher<ReplicaSet>() {
                    @Override
                    public void eventReceived(Action action, ReplicaSet rs) {
                        oldRevision.add(rs.getSpec().getReplicas() + " " + (rs.getMetadata().getAnnotations() != null
                                && rs.getMetadata().getAnnotations().containsKey("scale-down-deadline")));
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                    }
                })) {
            rollout(client).subresource("status").patch(MERGE, "{\"status\":{\"pauseConditions\":null}}");
            Map<String, Object> healthy = status(await(client, s -> "Healthy".equals(s.get("phase"))
                    && v2.equals(s.get("stableRS"))));

            assertEquals(v2, selector(client, "web-active"));
            assertNull(healthy.get("controllerPause"));
            ReplicaSet scaledDown = client.apps().replicaSets().withName("web-" + v1).waitUntilCondition(
                    rs -> rs.getSpec().getReplicas() == 0, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNull(scaledDown.getMetadata().getAnnotations().get("scale-down-deadline"));
        }
        assertTrue(oldRevision.contains("2 true"), "the old revision kept its pods during the scale-down delay, "
                + "with the deadline annotated: " + oldRevision);
    }

    @Test
    void abortSendsTheActiveServiceBackToTheStableRevisionAndDegradesTheRolloutUntilRetried(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        create(cluster, false);
        String v1 = (String) status(await(client, phase("Healthy"))).get("stableRS");
        setImage(client, "web:v2");
        await(client, phase("Paused"));

        rollout(client).subresource("status").patch(MERGE, "{\"status\":{\"abort\":true}}");
        Map<String, Object> degraded = status(await(client, phase("Degraded")));

        assertEquals("RolloutAborted: Rollout aborted update to revision 2", degraded.get("message"));
        assertEquals(v1, selector(client, "web-active"));
        assertNotNull(degraded.get("abortedAt"));

        rollout(client).subresource("status").patch(MERGE, "{\"status\":{\"abort\":false}}");
        Map<String, Object> retried = status(await(client, phase("Paused")));
        assertEquals("BlueGreenPause", retried.get("message"));
    }

    @Test
    void withAutoPromotionTheNewRevisionGoesActiveOnceAvailable(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        create(cluster, true);
        await(client, phase("Healthy"));

        setImage(client, "web:v2");
        String v2 = (String) status(await(client, s -> "Healthy".equals(s.get("phase"))
                && s.get("stableRS").equals(s.get("currentPodHash")) && "2".equals(s.get("observedGeneration"))))
                .get("stableRS");

        assertEquals(v2, selector(client, "web-active"));
        assertEquals(List.of(), client.genericKubernetesResources("argoproj.io/v1alpha1", "AnalysisRun")
                .inNamespace("default").list().getItems());
    }
}
