package dev.bluegreen.argo;

import static dev.bluegreen.argo.ArgoFixtures.TIMEOUT;
import static dev.bluegreen.argo.ArgoFixtures.activeSelector;
import static dev.bluegreen.argo.ArgoFixtures.healthyRollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.RequestLog;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each plugin operation has the plugin's effect on the Rollout, with the plugin's patch bodies. */
@ExtendWith(SimulatedClusterExtension.class)
class ArgoRolloutOperationsTest {

    private static List<String> writes(SimulatedCluster cluster, RequestLog.Mark mark) {
        return cluster.requests().fromUsersSince(mark).stream()
                .filter(r -> r.method().equals("PATCH") || r.method().equals("PUT"))
                .map(r -> r.method() + " " + r.pathWithoutQuery() + " " + r.body())
                .toList();
    }

    private static final String PATH = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web";

    @Test
    void setImageWaitsInBlueGreenPauseWithThePreviewOnTheNewRevisionAndPromoteSwitchesTheActiveService(
            SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        RolloutStatus before = web.status();
        RequestLog.Mark mark = cluster.requests().mark();

        web.setImage("app", "web:v2");
        RolloutStatus paused = web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);

        String rv = before.resourceVersion();
        assertEquals(List.of("PATCH " + PATH + " [{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\""
                + rv + "\"},{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"web:v2\"}]"),
                writes(cluster, mark));
        assertEquals("BlueGreenPause", paused.message());
        assertEquals(List.of("BlueGreenPause"), paused.pauseConditions());
        assertEquals(2, paused.revision());
        assertEquals(before.stableHash(), paused.activeSelector());
        assertEquals(paused.currentHash(), paused.previewSelector());
        assertEquals(Map.of("app", "web:v2", "sidecar", "proxy:1"), paused.images());
        assertEquals(before.stableHash(), activeSelector(cluster.client(), "web-active"));

        mark = cluster.requests().mark();
        web.promote();
        RolloutStatus healthy = web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT);

        assertEquals(List.of("PATCH " + PATH + "/status {\"status\":{\"pauseConditions\":null}}"), writes(cluster, mark));
        assertEquals(paused.currentHash(), healthy.activeSelector());
        assertEquals(paused.currentHash(), healthy.stableHash());
        assertEquals(paused.currentHash(), activeSelector(cluster.client(), "web-active"));
        assertTrue(web.get().field("spec", "strategy", "blueGreen", "futureSetting").isPresent(),
                "fields the SDK does not model survive its writes");
    }

    @Test
    void abortReturnsTheActiveServiceToTheStableRevisionAndRetryResumesTheUpdate(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        String stable = web.status().stableHash();
        web.setImage("*", "web:v2");
        web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
        RequestLog.Mark mark = cluster.requests().mark();

        web.abort();
        RolloutStatus degraded = web.awaitPhase(RolloutPhase.DEGRADED, TIMEOUT);

        assertEquals(List.of("PATCH " + PATH + "/status {\"status\":{\"abort\":true}}"), writes(cluster, mark));
        assertEquals("RolloutAborted: Rollout aborted update to revision 2", degraded.message());
        assertTrue(degraded.aborted());
        assertEquals(stable, activeSelector(cluster.client(), "web-active"));
        assertEquals(Map.of("app", "web:v2", "sidecar", "web:v2"), degraded.images(), "\"*\" sets every container");

        mark = cluster.requests().mark();
        web.retry();
        RolloutStatus paused = web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
        assertEquals(List.of("PATCH " + PATH + "/status {\"status\":{\"abort\":false}}"), writes(cluster, mark));
        assertFalse(paused.aborted());
    }

    @Test
    void promoteFullSkipsThePauseAndPauseAndRestartPatchTheSpec(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        RequestLog.Mark mark = cluster.requests().mark();

        web.pause();
        RolloutStatus paused = web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
        assertEquals("manually paused", paused.message());
        web.setImage("app", "web:v2");
        // As with the plugin, promote --full asks for promoteFull only once the controller has seen the new template.
        web.await(s -> !s.currentHash().equals(paused.stableHash()), "at the new revision",
                dev.bluegreen.spi.Deadline.after(TIMEOUT));
        web.promoteFull();
        RolloutStatus healthy = web.await(s -> s.phase() == RolloutPhase.HEALTHY && s.revision() == 2, "Healthy at revision 2",
                dev.bluegreen.spi.Deadline.after(TIMEOUT));

        List<String> writes = writes(cluster, mark);
        assertEquals("PATCH " + PATH + " {\"spec\":{\"paused\":true}}", writes.get(0));
        assertEquals("PATCH " + PATH + "/status {\"status\":{\"promoteFull\":true}}", writes.get(2));
        assertEquals("PATCH " + PATH + " {\"spec\":{\"paused\":false}}", writes.get(3));
        assertEquals(healthy.currentHash(), activeSelector(cluster.client(), "web-active"));

        mark = cluster.requests().mark();
        web.restart(Instant.parse("2020-01-02T03:04:05.678Z"));
        assertEquals(List.of("PATCH " + PATH + " {\"spec\":{\"restartAt\":\"2020-01-02T03:04:05Z\"}}"),
                writes(cluster, mark));
        RolloutStatus restarted = web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT);
        assertEquals("2020-01-02T03:04:05Z", web.get().field("status", "restartedAt").orElseThrow());
        assertEquals(2, restarted.available());
    }

    @Test
    void promoteWritesNothingWhenTheRolloutIsNotPaused(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        RequestLog.Mark mark = cluster.requests().mark();

        web.promote();

        assertEquals(List.of(), writes(cluster, mark));
    }

    @Test
    void undoGoesBackToThePreviousRevisionOrToAGivenOneThroughTheReplicaSetsRevisionAnnotations(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        String v1 = web.status().stableHash();
        web.setImage("app", "web:v2");
        web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT);
        web.promote();
        RolloutStatus atV2 = web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT);

        UndoResult undo = web.undo();

        assertEquals(new UndoResult("Rollout default/web", 1, v1, false), undo);
        RolloutStatus back = web.await(s -> s.phase() == RolloutPhase.PAUSED && v1.equals(s.currentHash()),
                "Paused at revision 1's template", dev.bluegreen.spi.Deadline.after(TIMEOUT));
        assertEquals(3, back.revision(), "the old ReplicaSet comes back as the newest revision");
        assertEquals("web:v1", back.images().get("app"));
        web.promote();
        RolloutStatus healthy = web.awaitPhase(RolloutPhase.HEALTHY, TIMEOUT);
        assertEquals(v1, healthy.stableHash());
        assertEquals(v1, activeSelector(cluster.client(), "web-active"));

        assertEquals("Rollout default/web: skipped rollback (current template already matches revision 3)",
                web.undo(3).toString());
        UndoResult toV2 = web.undo(2);
        assertEquals(atV2.currentHash(), toV2.hash());
        RolloutStatus atRevision4 = web.await(s -> s.revision() == 4, "at revision 4", dev.bluegreen.spi.Deadline.after(TIMEOUT));
        assertEquals(atV2.currentHash(), atRevision4.currentHash(), "revision 2's ReplicaSet is revision 4 now");
        ArgoException missing = assertThrows(ArgoException.class, () -> web.undo(7));
        assertEquals("Rollout default/web has no revision 7 in its history; its ReplicaSets have revisions [4, 3]; "
                + "nothing was changed", missing.getMessage());
    }

    @Test
    void aMissingOrNonBlueGreenRolloutIsRefusedBeforeAnyWriteWithAClearMessage(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        ArgoRollout missing = ArgoRollouts.rollout(client, "default", "nope");
        ArgoException notFound = assertThrows(ArgoException.class, missing::promote);
        assertEquals("Rollout default/nope does not exist (is Argo Rollouts installed, and the name and namespace "
                + "right?); nothing was changed", notFound.getMessage());

        String canary = ArgoFixtures.rolloutYaml("canary", "web:v1", false).replaceAll("(?s)  strategy:.*",
                "  strategy:\n    canary:\n      steps: [{setWeight: 20}]\n");
        client.resource(Serialization.unmarshal(canary, GenericKubernetesResource.class)).create();
        RequestLog.Mark mark = cluster.requests().mark();
        ArgoException notBlueGreen = assertThrows(ArgoException.class,
                () -> ArgoRollouts.rollout(client, "default", "canary").abort());
        assertEquals("Rollout default/canary is not blue-green: its spec.strategy is canary, expected "
                + "spec.strategy.blueGreen; nothing was changed", notBlueGreen.getMessage());
        assertEquals(List.of(), writes(cluster, mark));

        ArgoRollout web = healthyRollout(cluster, "web");
        ArgoException noContainer = assertThrows(ArgoException.class, () -> web.setImage("db", "web:v2"));
        assertEquals("Rollout default/web has no container named \"db\"; its containers: app, sidecar; nothing was "
                + "changed", noContainer.getMessage());
        ConfigurationException badImage = assertThrows(ConfigurationException.class, () -> web.setImage("app", "web v2"));
        assertEquals("image must be an image reference without whitespace, but was \"web v2\"", badImage.getMessage());
        ArgoException noPrevious = assertThrows(ArgoException.class, web::undo);
        assertEquals("Rollout default/web has no previous revision to undo to (revisions: [1]); nothing was changed",
                noPrevious.getMessage());
    }

    @Test
    void setImageRetriesWhenTheRolloutChangesBetweenItsReadAndItsWrite(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        KubernetesClient other = cluster.newClient();
        cluster.beforeNextRequest(request -> request.method().equals("PATCH") && request.body() != null
                        && request.body().contains("/spec/template/spec/containers/0/image"),
                () -> other.genericKubernetesResources("argoproj.io/v1alpha1", "Rollout").inNamespace("default")
                        .withName("web").patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"metadata\":{\"annotations\":{\"owner\":\"someone-else\"}}}"));
        RequestLog.Mark mark = cluster.requests().mark();

        Rollout result = web.setImage("app", "web:v2");

        List<ClientRequest> patches = cluster.requests().since(mark).stream()
                .filter(r -> r.method().equals("PATCH") && r.body() != null && r.body().contains("/image")).toList();
        assertEquals(2, patches.size(), "the first patch was refused (409) and decided again: " + patches);
        assertEquals("web:v2", result.images().get("app"));
        assertEquals("someone-else", result.field("metadata", "annotations", "owner").orElseThrow(),
                "the other edit is kept");
        assertNotEquals(patches.get(0).body(), patches.get(1).body(), "the second carries the new resourceVersion");
    }
}
