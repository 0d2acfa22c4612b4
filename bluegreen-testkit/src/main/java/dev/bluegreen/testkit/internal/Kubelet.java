package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import dev.bluegreen.testkit.PodBehavior;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The simulated node's kubelet. It runs every pod bound to {@link #NODE_NAME}: gives it an IP, reports it
 * {@code Pending}, and after the readiness delay reports the final state that the images' {@link PodBehavior}
 * dictates. Status goes through the status subresource, as a real kubelet's does.
 */
final class Kubelet {

    /** The one node of the simulated cluster; the Deployment controller binds its pods to it. */
    static final String NODE_NAME = "sim-node-1";
    private static final String NODE_IP = "10.0.0.1";

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Pod> pods;
    private final Duration readinessDelay;
    private final Function<String, PodBehavior> imageBehavior;
    private final Clock clock;
    /** The status last written per pod uid, to restore it when a write to the pod wipes it. */
    private final Map<String, PodStatus> written = new HashMap<>();
    private int allocatedIps;

    Kubelet(KubernetesClient client, ControllerLoop loop, ObjectStore<Pod> pods, Duration readinessDelay,
            Function<String, PodBehavior> imageBehavior, Clock clock) {
        this.client = client;
        this.loop = loop;
        this.pods = pods;
        this.readinessDelay = readinessDelay;
        this.imageBehavior = imageBehavior;
        this.clock = clock;
    }

    /**
     * Reacts to the latest known state of a pod: starts pods it has not seen yet and restores the status of
     * pods whose status a PUT or merge patch wiped (the mock does that; a real API server keeps status).
     *
     * @param pod the freshest version of the pod
     */
    void observe(Pod pod) {
        if (pod.getSpec() == null || !NODE_NAME.equals(pod.getSpec().getNodeName())) {
            return;
        }
        PodStatus last = written.get(pod.getMetadata().getUid());
        if (last == null) {
            admit(pod);
        } else if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
            writeStatus(pod, last);
        }
    }

    /**
     * Forgets a deleted pod.
     *
     * @param pod the deleted pod
     */
    void forget(Pod pod) {
        written.remove(pod.getMetadata().getUid());
    }

    private void admit(Pod pod) {
        // Decided now, so that marking an image later affects only pods created later.
        Map<String, PodBehavior> behaviors = new LinkedHashMap<>();
        pod.getSpec().getContainers().forEach(c -> behaviors.put(c.getName(), imageBehavior.apply(c.getImage())));
        String ip = nextIp();
        Instant startTime = clock.instant();
        if (readinessDelay.isZero()) {
            start(pod, ip, startTime, behaviors);
            return;
        }
        writeStatus(pod, pendingStatus(pod, ip, startTime));
        String key = ObjectStore.keyOf(pod);
        String uid = pod.getMetadata().getUid();
        loop.runLater(readinessDelay, () -> {
            Pod current = pods.get(key);
            if (current != null && uid.equals(current.getMetadata().getUid())) {
                start(current, ip, startTime, behaviors);
            }
        });
    }

    private void start(Pod pod, String ip, Instant startTime, Map<String, PodBehavior> behaviors) {
        Instant now = clock.instant();
        List<ContainerStatus> containers = new ArrayList<>();
        List<String> unready = new ArrayList<>();
        String message = null;
        for (Container container : pod.getSpec().getContainers()) {
            PodBehavior behavior = behaviors.getOrDefault(container.getName(), PodBehavior.HEALTHY);
            containers.add(containerStatus(pod, container, behavior, now));
            if (behavior != PodBehavior.HEALTHY) {
                unready.add(container.getName());
            }
            if (behavior == PodBehavior.NEVER_READY && message == null) {
                message = readinessFailure(container);
            }
        }
        PodStatus status = baseStatus(ip, startTime, unready)
                .withPhase("Running")
                .withMessage(message)
                .withContainerStatuses(containers)
                .build();
        writeStatus(pod, status);
        pod.getSpec().getContainers().forEach(c -> recordWarning(pod, c, behaviors.get(c.getName()), now));
    }

    private PodStatus pendingStatus(Pod pod, String ip, Instant startTime) {
        List<ContainerStatus> containers = pod.getSpec().getContainers().stream()
                .map(c -> new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("")
                        .withReady(false)
                        .withStarted(false)
                        .withRestartCount(0)
                        .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
                        .build())
                .toList();
        List<String> unready = pod.getSpec().getContainers().stream().map(Container::getName).toList();
        return baseStatus(ip, startTime, unready).withPhase("Pending").withContainerStatuses(containers).build();
    }

    private PodStatusBuilder baseStatus(String ip, Instant startTime, List<String> unreadyContainers) {
        String now = timestamp(clock.instant());
        boolean ready = unreadyContainers.isEmpty();
        String reason = ready ? null : "ContainersNotReady";
        String message = ready ? null : "containers with unready status: [" + String.join(" ", unreadyContainers) + "]";
        return new PodStatusBuilder()
                .withHostIP(NODE_IP)
                .addNewHostIP(NODE_IP)
                .withPodIP(ip)
                .addNewPodIP(ip)
                .withStartTime(timestamp(startTime))
                .withQosClass("BestEffort")
                .withConditions(
                        condition("PodScheduled", true, null, null, now),
                        condition("Initialized", true, null, null, now),
                        condition("ContainersReady", ready, reason, message, now),
                        condition("Ready", ready, reason, message, now));
    }

    private static PodCondition condition(String type, boolean status, String reason, String message, String now) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status ? "True" : "False")
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(now)
                .build();
    }

    private static ContainerStatus containerStatus(Pod pod, Container container, PodBehavior behavior, Instant now) {
        ContainerStatusBuilder status = new ContainerStatusBuilder()
                .withName(container.getName())
                .withImage(container.getImage())
                .withImageID("");
        String at = timestamp(now);
        return switch (behavior) {
            case HEALTHY -> status.withReady(true).withStarted(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(at).endRunning().endState()
                    .build();
            case NEVER_READY -> status.withReady(false).withStarted(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(at).endRunning().endState()
                    .build();
            case CRASH_LOOP -> status.withReady(false).withStarted(false).withRestartCount(1)
                    .withNewState().withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 10s restarting failed container=" + container.getName()
                            + " pod=" + pod.getMetadata().getName())
                    .endWaiting().endState()
                    .withNewLastState().withNewTerminated()
                    .withExitCode(1).withReason("Error").withStartedAt(at).withFinishedAt(at)
                    .endTerminated().endLastState()
                    .build();
        };
    }

    private static String readinessFailure(Container container) {
        Probe probe = container.getReadinessProbe();
        if (probe != null && probe.getHttpGet() != null) {
            return "Readiness probe failed: HTTP probe failed with statuscode: 503";
        }
        if (probe != null && probe.getTcpSocket() != null) {
            return "Readiness probe failed: dial tcp: connect: connection refused";
        }
        return "Readiness probe failed: container " + container.getName() + " never became ready";
    }

    /** Emits the Event a real kubelet would, since failure diagnosis reads Events rather than pod status. */
    private void recordWarning(Pod pod, Container container, PodBehavior behavior, Instant now) {
        String reason;
        String message;
        if (behavior == PodBehavior.NEVER_READY) {
            reason = "Unhealthy";
            message = readinessFailure(container);
        } else if (behavior == PodBehavior.CRASH_LOOP) {
            reason = "BackOff";
            message = "Back-off restarting failed container " + container.getName() + " in pod "
                    + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace()
                    + "(" + pod.getMetadata().getUid() + ")";
        } else {
            return;
        }
        String namespace = pod.getMetadata().getNamespace();
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata()
                .withName(pod.getMetadata().getName() + "." + Canonical.hash(pod.getMetadata().getUid() + container.getName()))
                .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(pod.getMetadata().getName())
                .withNamespace(namespace)
                .withUid(pod.getMetadata().getUid())
                .withFieldPath("spec.containers{" + container.getName() + "}")
                .endInvolvedObject()
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withCount(1)
                .withFirstTimestamp(timestamp(now))
                .withLastTimestamp(timestamp(now))
                .withNewSource().withComponent("kubelet").withHost(NODE_NAME).endSource()
                .withReportingComponent("kubelet")
                .withReportingInstance(NODE_NAME)
                .build()).create();
    }

    private void writeStatus(Pod pod, PodStatus status) {
        Pod updated = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .resource(new PodBuilder(pod).withStatus(status).build())
                .updateStatus();
        written.put(pod.getMetadata().getUid(), status);
        pods.observe(updated);
    }

    private String nextIp() {
        int n = allocatedIps++;
        return "10.244." + (n / 254) % 256 + "." + (n % 254 + 1);
    }
}
