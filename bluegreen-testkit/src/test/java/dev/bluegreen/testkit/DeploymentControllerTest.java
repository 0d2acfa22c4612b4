package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedClusterExtension.class)
class DeploymentControllerTest {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    @Test
    void podsOfAHealthyDeploymentBecomeReadyAndStatusReportsAvailable(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 3)).create();

        Deployment web = cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        DeploymentStatus status = web.getStatus();
        assertEquals(1L, status.getObservedGeneration());
        assertEquals(3, status.getReplicas());
        assertEquals(3, status.getUpdatedReplicas());
        assertEquals(3, status.getReadyReplicas());
        assertEquals(3, status.getAvailableReplicas());
        assertNull(status.getUnavailableReplicas(), "zero counters are omitted, as the API server does");
        assertCondition(status, "Available", "True", "MinimumReplicasAvailable");
        assertCondition(status, "Progressing", "True", "NewReplicaSetAvailable");

        List<ReplicaSet> replicaSets = client.apps().replicaSets().list().getItems();
        assertEquals(1, replicaSets.size());
        ReplicaSet rs = replicaSets.get(0);
        String hash = rs.getMetadata().getLabels().get("pod-template-hash");
        assertTrue(hash.matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}"), "the alphabet of generated names: " + hash);
        assertEquals("web-" + hash, rs.getMetadata().getName());
        assertEquals(hash, rs.getSpec().getSelector().getMatchLabels().get("pod-template-hash"));
        assertEquals("1", rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        assertEquals("3", rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/desired-replicas"));
        assertEquals("4", rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/max-replicas"), "3 + 25% rounded up");
        assertEquals("1", web.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        OwnerReference rsOwner = rs.getMetadata().getOwnerReferences().get(0);
        assertEquals("Deployment", rsOwner.getKind());
        assertEquals(web.getMetadata().getUid(), rsOwner.getUid());
        assertTrue(rsOwner.getController());
        assertEquals(3, rs.getStatus().getReadyReplicas());
        assertEquals(3, rs.getStatus().getAvailableReplicas());

        List<Pod> pods = podsOf(client, "web");
        assertEquals(3, pods.size());
        Set<String> ips = new HashSet<>();
        for (Pod pod : pods) {
            assertEquals(hash, pod.getMetadata().getLabels().get("pod-template-hash"));
            assertTrue(pod.getMetadata().getName().matches("web-" + hash + "-[a-z0-9]{5}"), pod.getMetadata().getName());
            OwnerReference owner = pod.getMetadata().getOwnerReferences().get(0);
            assertEquals("ReplicaSet", owner.getKind());
            assertEquals(rs.getMetadata().getName(), owner.getName());
            assertEquals(rs.getMetadata().getUid(), owner.getUid());
            assertTrue(owner.getController());
            assertEquals("sim-node-1", pod.getSpec().getNodeName());
            assertEquals("web:v1", pod.getSpec().getContainers().get(0).getImage());
            assertTrue(pod.getStatus().getPodIP().matches("10\\.244\\.\\d+\\.\\d+"), pod.getStatus().getPodIP());
            ips.add(pod.getStatus().getPodIP());
            assertEquals("Running", pod.getStatus().getPhase());
            assertPodCondition(pod, "Ready", "True");
            assertPodCondition(pod, "ContainersReady", "True");
            ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
            assertTrue(container.getReady());
            assertTrue(container.getState().getRunning() != null);
        }
        assertEquals(3, ips.size(), "every pod has its own IP");
    }

    @Test
    @SimulatedClusterConfig(readinessDelayMillis = 700)
    void newPodsStayPendingUntilTheStartDelayHasPassed(SimulatedCluster cluster) {
        cluster.client().apps().deployments().resource(deployment("web", "web:v1", 2)).create();

        Deployment starting = cluster.awaitDeployment("default", "web",
                d -> d.getStatus() != null && Integer.valueOf(2).equals(d.getStatus().getReplicas()), TIMEOUT);

        assertNull(starting.getStatus().getReadyReplicas());
        assertCondition(starting.getStatus(), "Progressing", "True", "ReplicaSetUpdated");
        assertCondition(starting.getStatus(), "Available", "False", "MinimumReplicasUnavailable");
        for (Pod pod : podsOf(cluster.client(), "web")) {
            assertEquals("Pending", pod.getStatus().getPhase());
            assertPodCondition(pod, "Ready", "False");
            assertEquals("ContainerCreating", pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason());
        }
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
    }

    @Test
    void scalingUpAndDownCreatesAndDeletesPods(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        client.apps().deployments().withName("web").patch(MERGE, "{\"spec\":{\"replicas\":4}}");
        Deployment scaledUp = cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        assertEquals(4, scaledUp.getStatus().getAvailableReplicas());
        assertEquals(2L, scaledUp.getStatus().getObservedGeneration());
        assertEquals(4, podsOf(client, "web").size());

        client.apps().deployments().withName("web").patch(MERGE, "{\"spec\":{\"replicas\":1}}");
        cluster.awaitSettled(TIMEOUT);
        Deployment scaledDown = client.apps().deployments().withName("web").get();
        assertEquals(3L, scaledDown.getStatus().getObservedGeneration());
        assertEquals(1, scaledDown.getStatus().getReplicas());
        assertEquals(1, scaledDown.getStatus().getAvailableReplicas());
        assertEquals(1, podsOf(client, "web").size());
    }

    @Test
    void aTemplateChangeReplacesThePodsWhileStatusGoesFromIncompleteToComplete(SimulatedCluster cluster) throws InterruptedException {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        Set<String> oldPods = podNames(client);

        List<DeploymentStatus> seen = new CopyOnWriteArrayList<>();
        CountDownLatch secondRolloutComplete = new CountDownLatch(1);
        Watch watch = cluster.newClient().apps().deployments().withName("web").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment deployment) {
                if (deployment.getStatus() != null) {
                    seen.add(deployment.getStatus());
                }
                if (deployment.getMetadata().getGeneration() == 2 && DeploymentConditions.rolloutComplete().test(deployment)) {
                    secondRolloutComplete.countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            client.apps().deployments().withName("web").patch(MERGE,
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"web:v2\"}]}}}}");
            assertTrue(secondRolloutComplete.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "rollout of web:v2 completes");
        } finally {
            watch.close();
        }

        int firstIncomplete = indexOf(seen, s -> s.getObservedGeneration() == 2 && !isComplete(s));
        int firstComplete = indexOf(seen, s -> s.getObservedGeneration() == 2 && isComplete(s));
        assertTrue(firstIncomplete >= 0, "an incomplete status of generation 2 was reported: " + seen);
        assertTrue(firstIncomplete < firstComplete, "incomplete before complete: " + seen);
        assertEquals(1L, seen.get(0).getObservedGeneration(), "the watch started on generation 1");

        cluster.awaitSettled(TIMEOUT);
        List<Pod> pods = podsOf(client, "web");
        assertEquals(2, pods.size());
        assertTrue(pods.stream().noneMatch(p -> oldPods.contains(p.getMetadata().getName())), "old pods are gone");
        assertEquals(List.of("web:v2", "web:v2"), pods.stream().map(p -> p.getSpec().getContainers().get(0).getImage()).toList());
        assertEquals(1, pods.stream().map(p -> p.getMetadata().getLabels().get("pod-template-hash")).distinct().count());
    }

    @Test
    void anImageMarkedNeverReadyRunsButItsRolloutNeverCompletes(SimulatedCluster cluster) {
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);
        cluster.client().apps().deployments().resource(deployment("web", "web:broken", 2)).create();
        cluster.awaitSettled(TIMEOUT);

        Deployment web = cluster.client().apps().deployments().withName("web").get();
        assertFalse(DeploymentConditions.rolloutComplete().test(web));
        assertEquals(2, web.getStatus().getUpdatedReplicas());
        assertNull(web.getStatus().getReadyReplicas());
        assertEquals(2, web.getStatus().getUnavailableReplicas());
        assertCondition(web.getStatus(), "Available", "False", "MinimumReplicasUnavailable");
        for (Pod pod : podsOf(cluster.client(), "web")) {
            assertEquals("Running", pod.getStatus().getPhase());
            PodCondition ready = condition(pod, "Ready");
            assertEquals("False", ready.getStatus());
            assertEquals("ContainersNotReady", ready.getReason());
            assertEquals("containers with unready status: [app]", ready.getMessage());
            assertNull(pod.getStatus().getMessage(), "the kubelet reports probe failures as Events, not in status.message");
            ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
            assertFalse(container.getReady());
            assertTrue(container.getState().getRunning() != null, "the container runs");
            Event unhealthy = cluster.client().v1().events().list().getItems().stream()
                    .filter(e -> pod.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                    .filter(e -> "Unhealthy".equals(e.getReason())).findFirst()
                    .orElseThrow(() -> new AssertionError("no Unhealthy event about " + pod.getMetadata().getName()));
            assertEquals("Warning", unhealthy.getType());
            assertEquals("Readiness probe failed: HTTP probe failed with statuscode: 503", unhealthy.getMessage());
            assertEquals("Pod", unhealthy.getInvolvedObject().getKind());
            assertEquals(pod.getMetadata().getName(), unhealthy.getInvolvedObject().getName());
            assertEquals("spec.containers{app}", unhealthy.getInvolvedObject().getFieldPath());
            assertEquals("kubelet", unhealthy.getSource().getComponent());
        }

        AssertionError timeout = assertThrows(AssertionError.class, () -> cluster.awaitDeployment("default", "web",
                DeploymentConditions.rolloutComplete(), Duration.ofMillis(300)));
        assertTrue(timeout.getMessage().startsWith(
                "Deployment default/web did not reach the expected state within PT0.3S; last seen: generation 1, "
                        + "observedGeneration 1, replicas 2, updated 2, ready 0, available 0"), timeout.getMessage());
    }

    @Test
    void anImageMarkedCrashLoopBacksOffAndItsRolloutNeverCompletes(SimulatedCluster cluster) {
        cluster.markImage("web:crash", PodBehavior.CRASH_LOOP);
        cluster.client().apps().deployments().resource(deployment("web", "web:crash", 1)).create();
        cluster.awaitSettled(TIMEOUT);

        Deployment web = cluster.client().apps().deployments().withName("web").get();
        assertFalse(DeploymentConditions.rolloutComplete().test(web));
        Pod pod = podsOf(cluster.client(), "web").get(0);
        assertEquals("Running", pod.getStatus().getPhase());
        assertPodCondition(pod, "Ready", "False");
        ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
        assertEquals("CrashLoopBackOff", container.getState().getWaiting().getReason());
        assertTrue(container.getState().getWaiting().getMessage().matches("back-off \\d+[sm0-9]* restarting failed container=app pod="
                + pod.getMetadata().getName() + "_default\\(" + pod.getMetadata().getUid() + "\\)"),
                container.getState().getWaiting().getMessage());
        assertTrue(container.getRestartCount() >= 1);
        assertEquals(1, container.getLastState().getTerminated().getExitCode());
        assertEquals("Error", container.getLastState().getTerminated().getReason());
        assertFalse(container.getReady());
    }

    @Test
    void aRolloutThatMissesItsProgressDeadlineReportsProgressDeadlineExceeded(SimulatedCluster cluster) {
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);
        Deployment broken = deployment("web", "web:broken", 1);
        broken.getSpec().setProgressDeadlineSeconds(1);
        cluster.client().apps().deployments().resource(broken).create();

        Deployment web = cluster.awaitDeployment("default", "web", DeploymentConditions.progressDeadlineExceeded(), TIMEOUT);

        String hash = cluster.client().apps().replicaSets().list().getItems().get(0).getMetadata().getLabels().get("pod-template-hash");
        DeploymentCondition progressing = condition(web.getStatus(), "Progressing");
        assertEquals("False", progressing.getStatus());
        assertEquals("ProgressDeadlineExceeded", progressing.getReason());
        assertEquals("ReplicaSet \"web-" + hash + "\" has timed out progressing.", progressing.getMessage());
    }

    @Test
    void deletingADeploymentDeletesItsPods(SimulatedCluster cluster) {
        cluster.client().apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        cluster.client().apps().deployments().withName("web").delete();
        cluster.awaitSettled(TIMEOUT);

        assertEquals(List.of(), podsOf(cluster.client(), "web"));
    }

    @Test
    void aReplicaSetWhoseDeploymentIsGoneIsCollectedWithItsPodsEvenWhenItAppearsAfterTheDeletion(SimulatedCluster cluster) {
        // What a ReplicaSet created by a write in flight while its Deployment was deleted looks like: its controlling
        // owner no longer exists. The chaos matrix met one, and the cluster never settled again.
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        ReplicaSet owned = client.apps().replicaSets().list().getItems().get(0);
        client.apps().deployments().withName("web").delete();
        cluster.awaitSettled(TIMEOUT);

        ReplicaSet late = new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder(owned)
                .editMetadata().withName("web-late").withResourceVersion(null).withUid(null).withCreationTimestamp(null)
                .endMetadata().withStatus(null).build();
        client.apps().replicaSets().resource(late).create();
        cluster.awaitSettled(TIMEOUT);

        assertEquals(List.of(), client.apps().replicaSets().list().getItems());
        assertEquals(List.of(), podsOf(client, "web"));
    }

    @Test
    void mergePatchesOfTheObjectsKeepTheirStatus(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        Pod pod = podsOf(client, "web").get(0);

        // The fabric8 mock drops status on every write of the main object; a real API server keeps it.
        Deployment labelled = client.apps().deployments().withName("web").patch(MERGE, "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");
        Pod patched = client.pods().withName(pod.getMetadata().getName()).patch(MERGE, "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");

        assertTrue(DeploymentConditions.rolloutComplete().test(labelled), "the answer to the patch carries the status");
        assertEquals(pod.getStatus().getPodIP(), patched.getStatus().getPodIP());
        assertPodCondition(patched, "Ready", "True");
    }

    private static Set<String> podNames(KubernetesClient client) {
        return podsOf(client, "web").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static boolean isComplete(DeploymentStatus status) {
        return status.getUpdatedReplicas() != null && status.getUpdatedReplicas() == 2
                && status.getReplicas() == 2 && status.getAvailableReplicas() != null && status.getAvailableReplicas() == 2;
    }

    private static int indexOf(List<DeploymentStatus> statuses, Predicate<DeploymentStatus> test) {
        for (int i = 0; i < statuses.size(); i++) {
            if (test.test(statuses.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static DeploymentCondition condition(DeploymentStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + status));
    }

    private static void assertCondition(DeploymentStatus status, String type, String value, String reason) {
        DeploymentCondition condition = condition(status, type);
        assertEquals(value, condition.getStatus(), type);
        assertEquals(reason, condition.getReason(), type);
    }

    private static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + pod.getStatus()));
    }

    private static void assertPodCondition(Pod pod, String type, String value) {
        assertEquals(value, condition(pod, type).getStatus(), type + " of " + pod.getMetadata().getName());
    }
}
