package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.completeAt;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static dev.bluegreen.testkit.Fixtures.setImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deployments roll out through ReplicaSets as the real Deployment controller rolls them out. */
@ExtendWith(SimulatedClusterExtension.class)
class RolloutTest {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    @Test
    void changingTheImageOfFourHealthyPodsKeepsThreeServingWhileNewOnesComeUp(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 4)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        String oldHash = hashOf(podsOf(client, "web").get(0));

        List<PodHistory.Snapshot> snapshots;
        try (PodHistory history = new PodHistory(cluster.newClient(), "web")) {
            setImage(client, "web", "web:v2");
            cluster.awaitDeployment("default", "web", completeAt(2), TIMEOUT);
            cluster.awaitSettled(TIMEOUT);
            snapshots = history.snapshots();
        }

        // 25% of 4: one pod of surge (rounded up), one unavailable (rounded down).
        assertEquals(3, snapshots.stream().mapToLong(PodHistory.Snapshot::serving).min().orElseThrow(),
                "at least 3 pods serve at every moment");
        assertEquals(5, snapshots.stream().mapToLong(PodHistory.Snapshot::active).max().orElseThrow(),
                "at most 4 + 1 pods count as replicas at any moment");
        assertTrue(snapshots.stream().anyMatch(s -> s.servingOfTemplate(oldHash) > 0 && s.serving() > s.servingOfTemplate(oldHash)),
                "old and new pods served side by side");
        List<Pod> pods = podsOf(client, "web");
        assertEquals(4, pods.size());
        assertTrue(pods.stream().allMatch(p -> "web:v2".equals(p.getSpec().getContainers().get(0).getImage())));

        Map<String, ReplicaSet> byRevision = client.apps().replicaSets().list().getItems().stream()
                .collect(Collectors.toMap(rs -> rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"),
                        Function.identity()));
        assertEquals(0, byRevision.get("1").getSpec().getReplicas(), "the old ReplicaSet stays, scaled to zero");
        assertEquals("web-" + oldHash, byRevision.get("1").getMetadata().getName());
        assertEquals(4, byRevision.get("2").getSpec().getReplicas());
        assertEquals("2", client.apps().deployments().withName("web").get().getMetadata().getAnnotations()
                .get("deployment.kubernetes.io/revision"));
    }

    @Test
    void withThreeReplicasTheSurgeRoundsUpAndTheUnavailabilityDownSoNoPodIsLost(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 3)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        List<PodHistory.Snapshot> snapshots;
        try (PodHistory history = new PodHistory(cluster.newClient(), "web")) {
            setImage(client, "web", "web:v2");
            cluster.awaitDeployment("default", "web", completeAt(2), TIMEOUT);
            cluster.awaitSettled(TIMEOUT);
            snapshots = history.snapshots();
        }

        // 25% of 3 is 0.75: a surge of 1, an unavailability of 0.
        assertEquals(3, snapshots.stream().mapToLong(PodHistory.Snapshot::serving).min().orElseThrow());
        assertEquals(4, snapshots.stream().mapToLong(PodHistory.Snapshot::active).max().orElseThrow());
    }

    @Test
    void recreateStopsEveryOldPodBeforeStartingNewOnes(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment recreate = deployment("web", "web:v1", 3);
        recreate.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("Recreate").build());
        client.apps().deployments().resource(recreate).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        String oldHash = hashOf(podsOf(client, "web").get(0));

        List<PodHistory.Snapshot> snapshots;
        try (PodHistory history = new PodHistory(cluster.newClient(), "web")) {
            setImage(client, "web", "web:v2");
            cluster.awaitDeployment("default", "web", completeAt(2), TIMEOUT);
            snapshots = history.snapshots();
        }

        assertTrue(snapshots.stream().noneMatch(s -> s.ofTemplate(oldHash) > 0 && s.pods().size() > s.ofTemplate(oldHash)),
                "no new pod while an old one, even a terminating one, still existed");
        assertTrue(snapshots.stream().anyMatch(s -> s.pods().isEmpty()), "there was a moment without pods");
        assertEquals(3, podsOf(client, "web").size());
    }

    @Test
    void aPausedDeploymentDoesNotRollOutUntilItIsResumed(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        client.apps().deployments().withName("web").patch(MERGE, "{\"spec\":{\"paused\":true}}");
        setImage(client, "web", "web:v2");
        Deployment paused = cluster.awaitDeployment("default", "web",
                d -> Long.valueOf(3).equals(d.getStatus().getObservedGeneration()) && "DeploymentPaused".equals(progressing(d).getReason()), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);

        assertEquals("Unknown", progressing(paused).getStatus());
        assertEquals("Deployment is paused", progressing(paused).getMessage());
        assertEquals(1, client.apps().replicaSets().list().getItems().size(), "no ReplicaSet for the new template");
        assertTrue(podsOf(client, "web").stream().allMatch(p -> "web:v1".equals(p.getSpec().getContainers().get(0).getImage())));

        client.apps().deployments().withName("web").patch(MERGE, "{\"spec\":{\"paused\":false}}");
        Deployment resumed = cluster.awaitDeployment("default", "web", completeAt(4), TIMEOUT);

        assertEquals("NewReplicaSetAvailable", progressing(resumed).getReason());
        assertEquals("2", resumed.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        cluster.awaitSettled(TIMEOUT);
        assertTrue(podsOf(client, "web").stream().allMatch(p -> "web:v2".equals(p.getSpec().getContainers().get(0).getImage())));
    }

    @Test
    void aPodIsAvailableOnlyOnceItHasBeenReadyForMinReadySeconds(SimulatedCluster cluster) {
        Deployment slow = deployment("web", "web:v1", 2);
        slow.getSpec().setMinReadySeconds(60);
        List<int[]> readyAndAvailable = new CopyOnWriteArrayList<>();
        Watch watch = cluster.newClient().apps().deployments().withName("web").watch(statusesInto(d -> readyAndAvailable.add(
                new int[] {orZero(d.getStatus().getReadyReplicas()), orZero(d.getStatus().getAvailableReplicas())})));
        try {
            cluster.client().apps().deployments().resource(slow).create();
            cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        } finally {
            watch.close();
        }

        assertTrue(readyAndAvailable.stream().anyMatch(s -> s[0] == 2 && s[1] == 0),
                "both pods were ready but not yet available: " + describe(readyAndAvailable));
        Pod pod = podsOf(cluster.client(), "web").get(0);
        Instant ready = Instant.parse(pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .findFirst().orElseThrow().getLastTransitionTime());
        assertFalse(cluster.clock().instant().isBefore(ready.plusSeconds(60)));
    }

    @Test
    void theProgressDeadlineCountsFromTheLastProgressNotFromTheStartOfTheRollout(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment stepwise = deployment("web", "web:v1", 8);
        stepwise.getSpec().setProgressDeadlineSeconds(60);
        stepwise.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().build());
        stepwise.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().setInitialDelaySeconds(8);
        stepwise.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().setPeriodSeconds(1);
        client.apps().deployments().resource(stepwise).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        List<String> reasons = new CopyOnWriteArrayList<>();
        Watch watch = cluster.newClient().apps().deployments().withName("web").watch(statusesInto(d -> reasons.add(
                progressing(d).getReason())));
        Instant start = cluster.clock().instant();
        try {
            setImage(client, "web", "web:v2");
            cluster.awaitDeployment("default", "web", completeAt(2), TIMEOUT);
        } finally {
            watch.close();
        }
        Duration took = Duration.between(start, cluster.clock().instant());

        assertTrue(took.compareTo(Duration.ofSeconds(60)) > 0, "one pod at a time, each 8 s to get ready: " + took);
        assertFalse(reasons.contains("ProgressDeadlineExceeded"), reasons.toString());
        assertTrue(reasons.contains("ReplicaSetUpdated"), reasons.toString());
        assertEquals("NewReplicaSetAvailable", progressing(client.apps().deployments().withName("web").get()).getReason());
    }

    @Test
    void aCompleteDeploymentThatLosesAPodDoesNotTimeOut(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment web = deployment("web", "web:v1", 2);
        web.getSpec().setProgressDeadlineSeconds(5);
        client.apps().deployments().resource(web).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        cluster.markImage("web:v1", PodBehavior.NEVER_READY);

        client.pods().withName(podsOf(client, "web").get(0).getMetadata().getName()).delete();
        // A clock: a stuck Deployment created after the loss, whose deadline (30 s) lies after web's (5 s).
        cluster.markImage("clock:stuck", PodBehavior.NEVER_READY);
        Deployment clock = deployment("clock", "clock:stuck", 1);
        clock.getSpec().setProgressDeadlineSeconds(30);
        client.apps().deployments().resource(clock).create();
        cluster.awaitDeployment("default", "clock", DeploymentConditions.progressDeadlineExceeded(), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);

        Deployment after = client.apps().deployments().withName("web").get();
        assertEquals(1, after.getStatus().getAvailableReplicas(), "the replacement never becomes ready");
        assertEquals("True", progressing(after).getStatus());
        assertEquals("NewReplicaSetAvailable", progressing(after).getReason(), "not while complete");
        DeploymentCondition available = condition(after, "Available");
        assertEquals("False", available.getStatus(), "2 replicas allow no unavailable one (25% of 2 rounds down)");
        assertEquals("MinimumReplicasUnavailable", available.getReason());
    }

    @Test
    void progressingReasonsFollowTheRolloutAsUpstreamComputesThem(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = cluster.newClient().apps().deployments().withName("web").watch(statusesInto(d -> {
            DeploymentCondition progressing = progressing(d);
            String entry = progressing == null ? "none" : progressing.getReason() + ": " + progressing.getMessage();
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(entry)) {
                seen.add(entry);
            }
        }));
        String first;
        String second;
        try {
            client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
            cluster.awaitDeployment("default", "web", completeAt(1), TIMEOUT);
            first = client.apps().replicaSets().list().getItems().get(0).getMetadata().getName();
            setImage(client, "web", "web:v2");
            Deployment rolled = cluster.awaitDeployment("default", "web", completeAt(2), TIMEOUT);
            second = client.apps().replicaSets().list().getItems().stream().map(rs -> rs.getMetadata().getName())
                    .filter(name -> !name.equals(first)).findFirst().orElseThrow();
            assertEquals("ReplicaSet \"" + second + "\" has successfully progressed.", progressing(rolled).getMessage());
            // Without a deadline the condition goes; with one again, the controller finds the new ReplicaSet.
            client.apps().deployments().withName("web").patch(MERGE, "{\"spec\":{\"progressDeadlineSeconds\":2147483647}}");
            cluster.awaitDeployment("default", "web", d -> Long.valueOf(3).equals(d.getStatus().getObservedGeneration()) && progressing(d) == null, TIMEOUT);
            client.apps().deployments().withName("web").patch(MERGE, "{\"spec\":{\"progressDeadlineSeconds\":600}}");
            cluster.awaitDeployment("default", "web", completeAt(4), TIMEOUT);
            cluster.awaitSettled(TIMEOUT);
        } finally {
            watch.close();
        }

        assertInOrder(seen,
                "NewReplicaSetCreated: Created new replica set \"" + first + "\"",
                "ReplicaSetUpdated: ReplicaSet \"" + first + "\" is progressing.",
                "NewReplicaSetAvailable: ReplicaSet \"" + first + "\" has successfully progressed.",
                "NewReplicaSetCreated: Created new replica set \"" + second + "\"",
                "ReplicaSetUpdated: ReplicaSet \"" + second + "\" is progressing.",
                "NewReplicaSetAvailable: ReplicaSet \"" + second + "\" has successfully progressed.",
                "none",
                "FoundNewReplicaSet: Found new replica set \"" + second + "\"",
                "NewReplicaSetAvailable: ReplicaSet \"" + second + "\" has successfully progressed.");
    }

    @Test
    void availableAllowsAsManyUnavailablePodsAsMaxUnavailable(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 4)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);

        setImage(client, "web", "web:broken");
        cluster.awaitSettled(TIMEOUT);

        Deployment stuck = client.apps().deployments().withName("web").get();
        // One old pod went (25% of 4 may be unavailable); the surge and that place went to new pods that never got ready.
        assertEquals(3, stuck.getStatus().getAvailableReplicas());
        assertEquals(2, stuck.getStatus().getUpdatedReplicas());
        assertEquals(5, stuck.getStatus().getReplicas());
        assertEquals(2, stuck.getStatus().getUnavailableReplicas());
        DeploymentCondition available = condition(stuck, "Available");
        assertEquals("True", available.getStatus(), "3 of 4 available is the minimum 25% unavailability allows");
        assertEquals("MinimumReplicasAvailable", available.getReason());
        assertEquals("Deployment has minimum availability.", available.getMessage());
    }

    @Test
    void oldReplicaSetsStayScaledToZeroUpToTheHistoryLimitSoThatAnUndoReusesOne(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment web = deployment("web", "web:v1", 1);
        web.getSpec().setRevisionHistoryLimit(2);
        client.apps().deployments().resource(web).create();
        cluster.awaitDeployment("default", "web", completeAt(1), TIMEOUT);
        for (int version = 2; version <= 4; version++) {
            setImage(client, "web", "web:v" + version);
            cluster.awaitDeployment("default", "web", completeAt(version), TIMEOUT);
        }
        cluster.awaitSettled(TIMEOUT);

        Map<String, String> imageByRevision = imagesByRevision(client);
        assertEquals(Map.of("2", "web:v2", "3", "web:v3", "4", "web:v4"), imageByRevision,
                "the current ReplicaSet and two old ones; revision 1 is gone");

        setImage(client, "web", "web:v2");
        Deployment undone = cluster.awaitDeployment("default", "web", completeAt(5), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);

        assertEquals(Map.of("3", "web:v3", "4", "web:v4", "5", "web:v2"), imagesByRevision(client),
                "the ReplicaSet of revision 2 came back as revision 5; no new one");
        ReplicaSet back = client.apps().replicaSets().list().getItems().stream()
                .filter(rs -> "5".equals(rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision")))
                .findFirst().orElseThrow();
        assertEquals("2", back.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision-history"));
        assertEquals("5", undone.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        assertTrue(client.apps().replicaSets().list().getItems().stream()
                .filter(rs -> rs != back && !rs.getMetadata().getName().equals(back.getMetadata().getName()))
                .allMatch(rs -> rs.getSpec().getReplicas() == 0));
    }

    private static Map<String, String> imagesByRevision(KubernetesClient client) {
        return client.apps().replicaSets().list().getItems().stream()
                .collect(Collectors.toMap(rs -> rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"),
                        rs -> rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));
    }

    private static void assertInOrder(List<String> seen, String... expected) {
        int at = 0;
        for (String entry : seen) {
            if (at < expected.length && entry.equals(expected[at])) {
                at++;
            }
        }
        assertEquals(expected.length, at, "expected in this order " + List.of(expected) + " but saw " + seen);
    }

    private static Watcher<Deployment> statusesInto(java.util.function.Consumer<Deployment> sink) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment deployment) {
                if (deployment.getStatus() != null) {
                    sink.accept(deployment);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    private static DeploymentCondition progressing(Deployment deployment) {
        return deployment.getStatus() == null ? null : deployment.getStatus().getConditions().stream()
                .filter(c -> "Progressing".equals(c.getType())).findFirst().orElse(null);
    }

    private static DeploymentCondition condition(Deployment deployment, String type) {
        return deployment.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + deployment.getStatus()));
    }

    private static String hashOf(Pod pod) {
        return pod.getMetadata().getLabels().get("pod-template-hash");
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static String describe(List<int[]> states) {
        List<String> described = new ArrayList<>();
        states.forEach(s -> described.add("ready " + s[0] + "/available " + s[1]));
        return described.toString();
    }
}
