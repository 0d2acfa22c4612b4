package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pods live as a kubelet runs them: start, readiness by the probe's timing, failures, graceful termination, logs. */
@ExtendWith(SimulatedClusterExtension.class)
class PodLifecycleTest {

    @Test
    @SimulatedClusterConfig(timeScale = 10)
    void readinessFollowsTheProbesInitialDelayPeriodAndSuccessThreshold(SimulatedCluster cluster) {
        Deployment web = deployment("web", "web:v1", 1);
        var probe = web.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe();
        probe.setInitialDelaySeconds(4);
        probe.setPeriodSeconds(2);
        probe.setSuccessThreshold(2);
        cluster.client().apps().deployments().resource(web).create();

        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        Pod pod = podsOf(cluster.client(), "web").get(0);
        Instant started = Instant.parse(pod.getStatus().getContainerStatuses().get(0).getState().getRunning().getStartedAt());
        Instant ready = Instant.parse(readyCondition(pod).getLastTransitionTime());
        long seconds = Duration.between(started, ready).toSeconds();
        // The first probe 4 s after the start, the second (the one that makes 2 successes) 2 s later.
        assertTrue(seconds >= 6 && seconds <= 7, "ready " + seconds + " s after the start");
    }

    @Test
    void deletingAPodKeepsItTerminatingForItsGracePeriodWhileAReplacementStarts(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        Deployment web = deployment("web", "web:v1", 1);
        web.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(null);
        client.apps().deployments().resource(web).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        String name = podsOf(client, "web").get(0).getMetadata().getName();
        Instant deleted = cluster.clock().instant();

        client.pods().withName(name).delete();

        Pod terminating = client.pods().withName(name).get();
        assertNotNull(terminating, "the pod stays while its containers stop");
        assertEquals(30L, terminating.getMetadata().getDeletionGracePeriodSeconds(), "the API server's default");
        Instant due = Instant.parse(terminating.getMetadata().getDeletionTimestamp());
        assertFalse(due.isBefore(deleted.plusSeconds(29)), "deletionTimestamp is when the grace period ends: " + due);
        client.pods().withName(name).waitUntilCondition(pod -> pod == null, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertFalse(cluster.clock().instant().isBefore(deleted.plusSeconds(30)), "gone only after the grace period");
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        assertEquals(1, podsOf(client, "web").size(), "replaced");
    }

    @Test
    void aCrashLoopingContainerRestartsWithAGrowingCountAndADoublingBackOff(SimulatedCluster cluster) {
        cluster.markImage("web:crash", PodBehavior.CRASH_LOOP);
        List<String> waiting = new CopyOnWriteArrayList<>();
        Watch watch = cluster.newClient().pods().withLabel("app", "web").watch(containerStatuses(status -> {
            if (status.getState().getWaiting() != null && status.getState().getWaiting().getMessage() != null) {
                String message = status.getState().getWaiting().getMessage();
                String backOff = message.substring("back-off ".length(), message.indexOf(' ', "back-off ".length()));
                if (waiting.isEmpty() || !waiting.get(waiting.size() - 1).equals(backOff)) {
                    waiting.add(backOff);
                }
            }
        }));
        Pod pod;
        try {
            cluster.client().apps().deployments().resource(deployment("web", "web:crash", 1)).create();
            pod = cluster.awaitPod("default", podName(cluster), p -> restarts(p) >= 4, TIMEOUT);
        } finally {
            watch.close();
        }

        // A copy: the watch may still deliver an event after close, and a live subList would then throw.
        List<String> seen = List.copyOf(waiting);
        assertEquals(List.of("10s", "20s", "40s"), seen.subList(0, 3), seen.toString());
        ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
        assertEquals("CrashLoopBackOff", container.getState().getWaiting().getReason());
        assertEquals(1, container.getLastState().getTerminated().getExitCode());
        assertEquals("Error", container.getLastState().getTerminated().getReason());
        assertEquals("Running", pod.getStatus().getPhase());
        Event backOff = eventsAbout(cluster, pod, "BackOff").get(0);
        assertTrue(backOff.getCount() >= 3, "one BackOff event, counted: " + backOff.getCount());
        assertEquals("Back-off restarting failed container app in pod " + pod.getMetadata().getName() + "_default("
                + pod.getMetadata().getUid() + ")", backOff.getMessage());
    }

    @Test
    void anOutOfMemoryContainerReportsTheKernelsReason(SimulatedCluster cluster) {
        cluster.markImage("web:hungry", PodBehavior.OOM_KILLED);
        cluster.client().apps().deployments().resource(deployment("web", "web:hungry", 1)).create();

        Pod pod = cluster.awaitPod("default", podName(cluster), p -> restarts(p) >= 1, TIMEOUT);

        ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
        assertEquals(137, container.getLastState().getTerminated().getExitCode());
        assertEquals("OOMKilled", container.getLastState().getTerminated().getReason());
        assertEquals("CrashLoopBackOff", container.getState().getWaiting().getReason());
    }

    @Test
    void anImageThatCannotBePulledLeavesThePodPendingInImagePullBackOff(SimulatedCluster cluster) {
        cluster.markImage("web:missing", PodBehavior.IMAGE_PULL_ERROR);
        cluster.client().apps().deployments().resource(deployment("web", "web:missing", 1)).create();

        Pod pod = cluster.awaitPod("default", podName(cluster), p -> waitingReason(p).equals("ImagePullBackOff"), TIMEOUT);

        assertEquals("Pending", pod.getStatus().getPhase());
        assertEquals("Back-off pulling image \"web:missing\"",
                pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage());
        List<String> failures = eventsAbout(cluster, pod, "Failed").stream().map(Event::getMessage).toList();
        assertTrue(failures.contains("Error: ErrImagePull"), failures.toString());
        assertTrue(failures.contains("Error: ImagePullBackOff"), failures.toString());
        assertTrue(failures.stream().anyMatch(m -> m.startsWith("Failed to pull image \"web:missing\": ")), failures.toString());
        KubernetesClientException noLogs = assertThrows(KubernetesClientException.class,
                () -> cluster.client().pods().withName(pod.getMetadata().getName()).getLog());
        assertEquals(400, noLogs.getCode());
        assertTrue(noLogs.getMessage().contains("container \"app\" in pod \"" + pod.getMetadata().getName()
                + "\" is waiting to start: trying and failing to pull image"), noLogs.getMessage());
    }

    @Test
    void aPodThatTurnsUnreadyLeavesTheReadyEndpointsAndReportsWhy(SimulatedCluster cluster) {
        cluster.markImage("web:tired", PodBehavior.readyThenUnready(Duration.ofSeconds(60)));
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:tired", 1)).create();
        client.services().resource(Fixtures.service("web", java.util.Map.of("app", "web"))).create();
        String name = podName(cluster);

        Pod ready = cluster.awaitPod("default", name, p -> "True".equals(readyCondition(p).getStatus()), TIMEOUT);
        Pod unready = cluster.awaitPod("default", name, p -> "False".equals(readyCondition(p).getStatus()), TIMEOUT);

        Instant started = Instant.parse(unready.getStatus().getStartTime());
        Instant until = Instant.parse(readyCondition(unready).getLastTransitionTime());
        // The probe fails from 60 s after the start on; 3 failures, 10 s apart, make the container unready.
        // (A lower bound only: on a loaded machine the simulated clock, 100 times real time, runs ahead
        // of the controllers, so the transitions come later, never earlier.)
        assertTrue(Duration.between(started, until).toSeconds() >= 80, started + " to " + until);
        assertTrue(until.isAfter(Instant.parse(readyCondition(ready).getLastTransitionTime())));
        assertEquals("Running", unready.getStatus().getPhase());
        Event unhealthy = eventsAbout(cluster, unready, "Unhealthy").get(0);
        assertEquals("Readiness probe failed: HTTP probe failed with statuscode: 503", unhealthy.getMessage());
        cluster.awaitEndpoints("default", "web", e -> !e.getSubsets().isEmpty()
                && e.getSubsets().get(0).getAddresses().isEmpty() && e.getSubsets().get(0).getNotReadyAddresses().size() == 1,
                TIMEOUT);
        cluster.awaitDeployment("default", "web", d -> d.getStatus() != null && d.getStatus().getReadyReplicas() == null
                && Integer.valueOf(1).equals(d.getStatus().getReplicas()), TIMEOUT);
    }

    @Test
    void containerLogsAreServedPerContainerAndForThePreviousInstance(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("web:v1", PodBehavior.HEALTHY.withLogLines("listening on :8080"));
        cluster.markImage("web:crash", PodBehavior.CRASH_LOOP.withLogLines("panic: no database"));
        Deployment twoContainers = deployment("web", "web:v1", 1);
        twoContainers.getSpec().getTemplate().getSpec().getContainers()
                .add(new ContainerBuilder().withName("sidecar").withImage("envoy:1.30").build());
        client.apps().deployments().resource(twoContainers).create();
        client.apps().deployments().resource(deployment("crash", "web:crash", 1)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        String web = podName(cluster);
        String crash = client.pods().withLabel("app", "crash").list().getItems().get(0).getMetadata().getName();
        cluster.awaitPod("default", crash, p -> restarts(p) >= 2, TIMEOUT);

        cluster.podLogs().append("default", web, "app", "GET /ready 200");

        assertEquals("listening on :8080\nGET /ready 200\n", client.pods().withName(web).inContainer("app").getLog());
        assertEquals(List.of("listening on :8080", "GET /ready 200"), cluster.podLogs().lines("default", web, "app"));
        assertEquals("GET /ready 200\n", client.pods().withName(web).inContainer("app").tailingLines(1).getLog());
        KubernetesClientException which = assertThrows(KubernetesClientException.class,
                () -> client.pods().withName(web).getLog());
        assertTrue(which.getMessage().contains("a container name must be specified for pod " + web
                + ", choose one of: [app sidecar]"), which.getMessage());
        assertEquals("panic: no database\n", client.pods().withName(crash).getLog(true));
        assertEquals(List.of("panic: no database"), cluster.podLogs().previousLines("default", crash, "app"));
    }

    @Test
    void aPodCreatedDirectlyOnTheNodeRunsAndOneWithoutNodeStaysUnscheduled(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.pods().resource(new PodBuilder().withNewMetadata().withName("bound").endMetadata()
                .withNewSpec().withNodeName("sim-node-1").addNewContainer().withName("app").withImage("web:v1").endContainer()
                .endSpec().build()).create();
        Pod unbound = client.pods().resource(new PodBuilder().withNewMetadata().withName("unbound").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("web:v1").endContainer().endSpec().build()).create();

        Pod bound = cluster.awaitPod("default", "bound", p -> "True".equals(readyCondition(p).getStatus()), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);

        assertEquals("Running", bound.getStatus().getPhase());
        assertEquals("BestEffort", bound.getStatus().getQosClass());
        assertEquals(30L, bound.getSpec().getTerminationGracePeriodSeconds());
        assertEquals("Pending", client.pods().withName("unbound").get().getStatus().getPhase());
        client.pods().withName("unbound").delete();
        assertNull(client.pods().withName("unbound").get(), "a pod no node runs goes at once");
        assertNotNull(unbound.getMetadata().getUid());
    }

    @Test
    void theSimulatedClockRunsTimeScaleTimesFasterThanRealTime(SimulatedCluster cluster) {
        // Each simulated reading is bracketed by real ones, so the bounds hold however the threads are scheduled.
        long beforeStart = System.nanoTime();
        Instant simulatedStart = cluster.clock().instant();
        long afterStart = System.nanoTime();
        cluster.client().apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        cluster.awaitSettled(TIMEOUT);
        long beforeEnd = System.nanoTime();
        Instant simulatedEnd = cluster.clock().instant();
        long afterEnd = System.nanoTime();

        long simulated = Duration.between(simulatedStart, simulatedEnd).toNanos();
        double scale = SimulatedCluster.DEFAULT_TIME_SCALE;
        long millisecond = 1_000_000;
        assertEquals(scale, cluster.timeScale());
        assertTrue(simulated >= (beforeEnd - afterStart) * scale - millisecond, simulated + " ns simulated, at least "
                + (beforeEnd - afterStart) + " ns real");
        assertTrue(simulated <= (afterEnd - beforeStart) * scale + millisecond, simulated + " ns simulated, at most "
                + (afterEnd - beforeStart) + " ns real");
    }

    private static String podName(SimulatedCluster cluster) {
        try {
            return cluster.client().pods().withLabel("app", "web").informOnCondition(pods -> !pods.isEmpty())
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(0).getMetadata().getName();
        } catch (Exception e) {
            throw new AssertionError("no pod of web appeared within " + TIMEOUT, e);
        }
    }

    private static int restarts(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses().isEmpty() ? 0
                : pod.getStatus().getContainerStatuses().get(0).getRestartCount();
    }

    private static String waitingReason(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses().isEmpty()) {
            return "";
        }
        var waiting = pod.getStatus().getContainerStatuses().get(0).getState().getWaiting();
        return waiting == null ? "" : waiting.getReason();
    }

    private static io.fabric8.kubernetes.api.model.PodCondition readyCondition(Pod pod) {
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no Ready condition in " + pod.getStatus()));
    }

    private static List<Event> eventsAbout(SimulatedCluster cluster, Pod pod, String reason) {
        return cluster.client().v1().events().list().getItems().stream()
                .filter(e -> pod.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }

    private static Watcher<Pod> containerStatuses(java.util.function.Consumer<ContainerStatus> sink) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (pod.getStatus() != null) {
                    pod.getStatus().getContainerStatuses().forEach(sink);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }
}
