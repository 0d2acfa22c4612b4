package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import dev.bluegreen.testkit.PodBehavior;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The simulated node's kubelet. It runs every pod bound to {@link #NODE_NAME}, on the cluster's simulated
 * time: gives it an IP, reports it {@code Pending} (containers {@code ContainerCreating}) until the start
 * delay has passed, then runs its containers as their images' {@link PodBehavior} says: readiness from the
 * readiness probe's timing (initial delay, period, success and failure thresholds), crash loops with a
 * growing restart count and a doubling back-off (10 s to 5 min), image pull errors, containers that turn
 * unready later. Probe failures and back-offs are reported as Events, as the kubelet reports them. A pod
 * with a {@code deletionTimestamp} keeps running (and serving, if ready) until its grace period ends, then
 * its containers stop and the kubelet deletes it for good; a finalizer may keep the object longer.
 * Status goes through the status subresource, as a real kubelet's does.
 */
final class Kubelet {

    /** The one node of the simulated cluster; the ReplicaSet controller binds its pods to it. */
    static final String NODE_NAME = "sim-node-1";
    private static final String NODE_IP = "10.0.0.1";
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration PULL_FAILURE_REPORTED = Duration.ofSeconds(1);
    private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Pod> pods;
    private final Duration startDelay;
    private final Function<String, PodBehavior> imageBehavior;
    private final SimClock clock;
    private final EventRecorder events;
    private final LogStore logs;
    private final ResourceUsage usage;
    /** The pods this kubelet runs, by uid. */
    private final Map<String, PodRun> runs = new HashMap<>();
    private int allocatedIps;
    /** Told about every change of a pod's serving container, or null while nobody listens (the data plane is off). */
    private Consumer<PodRuntime> runtimeListener;

    Kubelet(KubernetesClient client, ControllerLoop loop, ObjectStore<Pod> pods, Duration startDelay,
            Function<String, PodBehavior> imageBehavior, EventRecorder events, LogStore logs, ResourceUsage usage) {
        this.client = client;
        this.loop = loop;
        this.pods = pods;
        this.startDelay = startDelay;
        this.imageBehavior = imageBehavior;
        this.clock = loop.clock();
        this.events = events;
        this.logs = logs;
        this.usage = usage;
    }

    /**
     * Reacts to the latest known state of a pod: starts pods it has not seen yet and stops pods that are
     * being deleted.
     *
     * @param pod the freshest version of the pod
     */
    void observe(Pod pod) {
        if (pod.getSpec() == null || !NODE_NAME.equals(pod.getSpec().getNodeName())) {
            return;
        }
        PodRun run = runs.get(pod.getMetadata().getUid());
        if (run == null) {
            if (pod.getStatus() != null && ("Succeeded".equals(pod.getStatus().getPhase())
                    || "Failed".equals(pod.getStatus().getPhase()))) {
                return;
            }
            run = admit(pod);
        }
        if (pod.getMetadata().getDeletionTimestamp() != null && !run.finished) {
            terminate(run, Instant.parse(pod.getMetadata().getDeletionTimestamp()));
        }
    }

    /**
     * Forgets a deleted pod.
     *
     * @param pod the deleted pod
     */
    void forget(Pod pod) {
        PodRun run = runs.remove(pod.getMetadata().getUid());
        if (run != null) {
            run.finished = true;
            run.callOffTimers();
            publish(run);
        }
        usage.remove(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid());
        events.forget(pod.getMetadata().getUid());
    }

    /**
     * Makes {@code listener} learn, from now on, whether each pod's serving container runs and whether the pod
     * is ready, right before the kubelet reports a change in the pod's status (so before any controller can
     * act on it), and once more when the kubelet forgets the pod. The pods the kubelet runs now are reported
     * at once. Call on the loop's thread.
     *
     * @param listener the listener, called on the loop's thread; it must not block
     */
    void watchRuntime(Consumer<PodRuntime> listener) {
        runtimeListener = listener;
        runs.values().forEach(this::publish);
    }

    /** Tells the metrics API what the pod's running containers use. */
    private void recordUsage(PodRun run) {
        List<ResourceUsage.Container> running = new ArrayList<>();
        Instant since = null;
        if (!run.finished && isCurrent(run)) {
            for (ContainerRun container : run.containers.values()) {
                if (container.state == State.RUNNING) {
                    running.add(new ResourceUsage.Container(container.name, container.behavior.cpuMillis(),
                            container.behavior.memoryMiB()));
                    since = since == null || container.startedAt.isBefore(since) ? container.startedAt : since;
                }
            }
        }
        usage.update(new ResourceUsage.PodUsage(run.namespace, run.name, run.uid, since, running));
    }

    /** Tells the runtime listener how the pod's serving container is doing. */
    private void publish(PodRun run) {
        Consumer<PodRuntime> listener = runtimeListener;
        if (listener == null || run.containers.isEmpty()) {
            return;
        }
        ContainerRun serving = run.containers.values().stream().filter(c -> c.serves).findFirst()
                .orElse(run.containers.values().iterator().next());
        boolean running = !run.finished && isCurrent(run) && serving.state == State.RUNNING;
        boolean ready = running && run.containers.values().stream().allMatch(c -> c.ready);
        listener.accept(new PodRuntime(run.uid, run.namespace, run.name, run.ip, serving.image, running, ready));
    }

    /**
     * Tells whether the kubelet has taken a pod on.
     *
     * @param pod a pod bound to the node
     * @return true once the kubelet reported it
     */
    static boolean admitted(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getHostIP() != null;
    }

    // ---- life cycle ----

    private PodRun admit(Pod pod) {
        PodRun run = new PodRun(pod, nextIp(), clock.instant());
        for (Container container : pod.getSpec().getContainers()) {
            // Decided now, so that marking an image later affects only pods created later.
            run.containers.put(container.getName(), new ContainerRun(container, imageBehavior.apply(container.getImage())));
        }
        runs.put(run.uid, run);
        if (startDelay.isZero()) {
            startContainers(run);
        } else {
            writeStatus(run);
            run.timers.add(loop.runAt(run.startTime.plus(startDelay), () -> {
                if (isCurrent(run) && !run.terminating) {
                    startContainers(run);
                }
            }));
        }
        return run;
    }

    private void startContainers(PodRun run) {
        Instant now = clock.instant();
        run.started = true;
        for (ContainerRun container : run.containers.values()) {
            PodBehavior behavior = container.behavior;
            if (!behavior.starts()) {
                container.waiting("ErrImagePull", "rpc error: code = NotFound desc = failed to pull and unpack image \""
                        + container.image + "\": not found");
                run.timers.add(loop.runAt(now.plus(PULL_FAILURE_REPORTED), () -> {
                    if (isCurrent(run) && !run.terminating) {
                        // Events first, so that whoever sees the new status finds the Events that explain it.
                        event(run, container, "Normal", "BackOff", "Back-off pulling image \"" + container.image + "\"");
                        event(run, container, "Warning", "Failed", "Error: ImagePullBackOff");
                        container.waiting("ImagePullBackOff", "Back-off pulling image \"" + container.image + "\"");
                        writeStatus(run);
                    }
                }));
            } else if (behavior.crashes()) {
                crash(run, container, now);
            } else {
                runContainer(run, container, now);
            }
        }
        for (ContainerRun container : run.containers.values()) {
            if (!container.behavior.starts()) {
                event(run, container, "Warning", "Failed", "Failed to pull image \"" + container.image + "\": "
                        + container.waitingMessage);
                event(run, container, "Warning", "Failed", "Error: ErrImagePull");
            }
        }
        writeStatus(run);
    }

    /** Starts a container that runs (and, for behaviors that exit, plans its exit). */
    private void runContainer(PodRun run, ContainerRun container, Instant now) {
        container.run(now);
        writeLogLines(run, container, now);
        container.ready = container.probe == null;
        scheduleReadiness(run, container);
        if (container.behavior.exits()) {
            int instance = container.restartCount;
            // Like a crash-loop restart, the exit is further ahead than a settled cluster waits for.
            loop.wakeUpAt(now.plus(container.behavior.runFor()), () -> {
                if (isCurrent(run) && !run.finished && !run.terminating && container.state == State.RUNNING
                        && container.restartCount == instance) {
                    exited(run, container, container.behavior.exitCode());
                }
            });
        }
    }

    /**
     * A container's process ended with {@code exitCode}. As the pod's {@code restartPolicy} says, the kubelet
     * restarts it after a back-off ({@code Always}; {@code OnFailure} when the code is not 0) or leaves it
     * terminated; once every container has terminated, the pod's phase is {@code Succeeded} if all exited with
     * 0, else {@code Failed}.
     */
    private void exited(PodRun run, ContainerRun container, int exitCode) {
        Instant now = clock.instant();
        String reason = exitCode == 0 ? "Completed" : "Error";
        container.ready = false;
        boolean restart = "Always".equals(run.restartPolicy) || ("OnFailure".equals(run.restartPolicy) && exitCode != 0);
        if (!restart) {
            container.terminated(exitCode, reason, now);
            if (run.containers.values().stream().allMatch(c -> c.state == State.TERMINATED)) {
                boolean succeeded = run.containers.values().stream()
                        .allMatch(c -> c.terminatedState.getTerminated().getExitCode() == 0);
                run.terminalPhase = succeeded ? "Succeeded" : "Failed";
                run.finished = true;
                run.callOffTimers();
            }
            writeStatus(run);
            return;
        }
        container.lastTerminated = new ContainerStateBuilder().withNewTerminated()
                .withExitCode(exitCode).withReason(reason)
                .withStartedAt(timestamp(container.startedAt)).withFinishedAt(timestamp(now))
                .withContainerID(container.containerId(container.restartCount))
                .endTerminated().build();
        container.restartCount++;
        Duration backoff = nextBackoff(container);
        container.waiting("CrashLoopBackOff", "back-off " + goDuration(backoff) + " restarting failed container="
                + container.name + " pod=" + run.name + "_" + run.namespace + "(" + run.uid + ")");
        event(run, container, "Warning", "BackOff", "Back-off restarting failed container " + container.name + " in pod "
                + run.name + "_" + run.namespace + "(" + run.uid + ")");
        writeStatus(run);
        loop.wakeUpAt(now.plus(backoff), () -> {
            if (isCurrent(run) && !run.finished && !run.terminating) {
                logs.restarted(run.namespace, run.name, container.name);
                runContainer(run, container, clock.instant());
                writeStatus(run);
            }
        });
    }

    private static Duration nextBackoff(ContainerRun container) {
        Duration backoff = container.backoff == null ? FIRST_BACKOFF
                : container.backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : container.backoff.multipliedBy(2);
        container.backoff = backoff;
        return backoff;
    }

    /** The container started, wrote its lines and died at once; it waits for its next restart. */
    private void crash(PodRun run, ContainerRun container, Instant now) {
        if (container.restartCount > 0 || container.lastTerminated != null) {
            logs.restarted(run.namespace, run.name, container.name);
        }
        writeLogLines(run, container, now);
        boolean oom = container.behavior.mode() == PodBehavior.Mode.OOM_KILLED;
        container.lastTerminated = new ContainerStateBuilder().withNewTerminated()
                .withExitCode(oom ? 137 : 1).withReason(oom ? "OOMKilled" : "Error")
                .withStartedAt(timestamp(now)).withFinishedAt(timestamp(now))
                .withContainerID(container.containerId(container.restartCount))
                .endTerminated().build();
        container.restartCount++;
        Duration backoff = nextBackoff(container);
        container.ready = false;
        container.waiting("CrashLoopBackOff", "back-off " + goDuration(backoff) + " restarting failed container="
                + container.name + " pod=" + run.name + "_" + run.namespace + "(" + run.uid + ")");
        event(run, container, "Warning", "BackOff", "Back-off restarting failed container " + container.name + " in pod "
                + run.name + "_" + run.namespace + "(" + run.uid + ")");
        if (container.restartCount > 1) {
            writeStatus(run);
        }
        // Restarts go on for as long as the pod exists; a settled cluster does not wait for them.
        loop.wakeUpAt(now.plus(backoff), () -> {
            if (isCurrent(run) && !run.terminating) {
                crash(run, container, clock.instant());
            }
        });
    }

    /**
     * Plans the container's readiness from its probe: the first probe {@code initialDelaySeconds} after the
     * start, then one per {@code periodSeconds}; ready after {@code successThreshold} successes in a row,
     * unready after {@code failureThreshold} failures in a row.
     */
    private void scheduleReadiness(PodRun run, ContainerRun container) {
        Probe probe = container.probe;
        if (probe == null) {
            return;
        }
        Instant first = container.startedAt.plusSeconds(orDefault(probe.getInitialDelaySeconds(), 0));
        Duration period = Duration.ofSeconds(Math.max(1, orDefault(probe.getPeriodSeconds(), 10)));
        int successes = Math.max(1, orDefault(probe.getSuccessThreshold(), 1));
        int failures = Math.max(1, orDefault(probe.getFailureThreshold(), 3));
        PodBehavior behavior = container.behavior;
        long firstFailing;
        if (behavior.mode() == PodBehavior.Mode.NEVER_READY) {
            firstFailing = 0;
        } else if (behavior.mode() == PodBehavior.Mode.READY_THEN_UNREADY) {
            Instant failingFrom = container.startedAt.plus(behavior.unreadyAfter());
            long k = Math.max(0, (long) Math.ceil((double) Duration.between(first, failingFrom).toNanos() / period.toNanos()));
            firstFailing = k;
        } else {
            firstFailing = Long.MAX_VALUE;
        }
        if (firstFailing >= successes) {
            run.timers.add(loop.runAt(first.plus(period.multipliedBy(successes - 1L)), () -> {
                if (isCurrent(run) && !run.finished) {
                    container.ready = true;
                    writeStatus(run);
                }
            }));
        }
        if (firstFailing == Long.MAX_VALUE) {
            return;
        }
        Instant failingAt = first.plus(period.multipliedBy(firstFailing));
        Runnable failed = () -> {
            if (isCurrent(run)) {
                event(run, container, "Warning", "Unhealthy", readinessFailure(container, run.ip));
            }
        };
        if (firstFailing == 0) {
            run.timers.add(loop.runAt(failingAt, failed));
        } else {
            // Later in the pod's life: a settled cluster does not wait for it.
            loop.wakeUpAt(failingAt, failed);
            loop.wakeUpAt(failingAt.plus(period.multipliedBy(failures - 1L)), () -> {
                if (isCurrent(run) && container.ready) {
                    container.ready = false;
                    writeStatus(run);
                }
            });
        }
    }

    /**
     * Stops a pod that is being deleted: containers that run keep running (and serving) until the grace
     * period ends, as an application draining its connections does; then they stop and the kubelet deletes
     * the pod with a zero grace period.
     */
    private void terminate(PodRun run, Instant deadline) {
        if (run.terminating && !deadline.isBefore(run.deadline)) {
            return;
        }
        run.terminating = true;
        run.deadline = deadline;
        boolean running = run.containers.values().stream().anyMatch(c -> c.state == State.RUNNING);
        Instant when = running ? deadline : clock.instant();
        // Finishing is idempotent: of several deadlines (a second delete shortens the grace period) the first wins.
        run.timers.add(loop.runAt(when, () -> {
            if (isCurrent(run)) {
                finish(run);
            }
        }));
    }

    private void finish(PodRun run) {
        if (run.finished) {
            return;
        }
        run.finished = true;
        run.callOffTimers();
        Instant now = clock.instant();
        boolean failed = false;
        for (ContainerRun container : run.containers.values()) {
            if (container.state == State.RUNNING && !"Always".equals(run.restartPolicy)) {
                // A batch program stopped half-way by SIGTERM: 128 + 15.
                container.terminated(143, "Error", now);
                failed = true;
            } else if (container.state == State.RUNNING) {
                container.terminated(0, "Completed", now);
            } else if (container.state == State.WAITING && container.lastTerminated != null) {
                failed = true;
                container.state = State.TERMINATED;
                container.terminatedState = container.lastTerminated;
            } else if (container.state == State.WAITING) {
                container.terminated(137, "ContainerStatusUnknown", now);
                failed = true;
            }
            container.ready = false;
        }
        run.terminalPhase = failed ? "Failed" : "Succeeded";
        try {
            writeStatus(run);
            client.pods().inNamespace(run.namespace).withName(run.name).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private boolean isCurrent(PodRun run) {
        return runs.get(run.uid) == run;
    }

    // ---- status ----

    private void writeStatus(PodRun run) {
        if (!isCurrent(run)) {
            return;
        }
        publish(run);
        recordUsage(run);
        PodStatus status = status(run);
        Pod current = pods.get(ObjectStore.key(run.namespace, run.name));
        if (current == null || !run.uid.equals(current.getMetadata().getUid())) {
            return;
        }
        if (Canonical.same(status, current.getStatus())) {
            return;
        }
        String patch = Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status)));
        try {
            Pod updated = client.pods().inNamespace(run.namespace).resource(current).subresource("status")
                    .patch(JSON_PATCH, patch);
            pods.observe(updated);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private PodStatus status(PodRun run) {
        Instant now = clock.instant();
        List<ContainerStatus> containers = new ArrayList<>();
        List<String> unready = new ArrayList<>();
        boolean pending = false;
        for (ContainerRun container : run.containers.values()) {
            containers.add(container.status());
            if (!container.ready) {
                unready.add(container.name);
            }
            if (container.state == State.WAITING && container.lastTerminated == null) {
                pending = true;
            }
        }
        boolean ready = unready.isEmpty();
        String reason = ready ? null : run.terminalPhase != null ? "PodCompleted" : "ContainersNotReady";
        String message = ready || run.terminalPhase != null ? null
                : "containers with unready status: [" + String.join(" ", unready) + "]";
        String phase = run.terminalPhase != null ? run.terminalPhase : pending ? "Pending" : "Running";
        return new PodStatusBuilder()
                .withPhase(phase)
                .withConditions(
                        run.condition("PodReadyToStartContainers", run.terminalPhase == null, null, null, now),
                        run.condition("Initialized", true, run.terminalPhase != null ? "PodCompleted" : null, null, now),
                        run.condition("Ready", ready, reason, message, now),
                        run.condition("ContainersReady", ready, reason, message, now),
                        run.condition("PodScheduled", true, null, null, now))
                .withHostIP(NODE_IP)
                .addNewHostIP(NODE_IP)
                .withPodIP(run.ip)
                .addNewPodIP(run.ip)
                .withStartTime(timestamp(run.startTime))
                .withContainerStatuses(containers)
                .withQosClass(run.qosClass)
                .build();
    }

    private void event(PodRun run, ContainerRun container, String type, String reason, String message) {
        Pod pod = pods.get(ObjectStore.key(run.namespace, run.name));
        if (pod != null && run.uid.equals(pod.getMetadata().getUid())) {
            events.record(pod, "spec.containers{" + container.name + "}", type, reason, message, "kubelet", NODE_NAME);
        }
    }

    private void writeLogLines(PodRun run, ContainerRun container, Instant now) {
        for (String line : container.behavior.logLines()) {
            logs.append(run.namespace, run.name, container.name, line, now);
        }
    }

    private static String readinessFailure(ContainerRun container, String ip) {
        Probe probe = container.declaredProbe;
        if (probe != null && probe.getTcpSocket() != null) {
            Object port = probe.getTcpSocket().getPort() == null ? "" : probe.getTcpSocket().getPort().getIntVal() != null
                    ? probe.getTcpSocket().getPort().getIntVal() : probe.getTcpSocket().getPort().getStrVal();
            return "Readiness probe failed: dial tcp " + ip + ":" + port + ": connect: connection refused";
        }
        if (probe != null && probe.getExec() != null) {
            return "Readiness probe failed: command " + ApiErrors.quote(String.join(" ", probe.getExec().getCommand()))
                    + " exited with 1";
        }
        if (probe != null && probe.getGrpc() != null) {
            return "Readiness probe failed: service unhealthy (responded with \"NOT_SERVING\")";
        }
        return "Readiness probe failed: HTTP probe failed with statuscode: 503";
    }

    private String nextIp() {
        int n = allocatedIps++;
        return "10.244." + (n / 254) % 256 + "." + (n % 254 + 1);
    }

    /** Go's {@code time.Duration.String()} for whole seconds: {@code 10s}, {@code 1m20s}, {@code 5m0s}. */
    static String goDuration(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    // ---- state ----

    private enum State { WAITING, RUNNING, TERMINATED }

    /** One pod the kubelet runs. */
    private static final class PodRun {
        private final String uid;
        private final String namespace;
        private final String name;
        private final String ip;
        private final Instant startTime;
        private final String qosClass;
        private final String restartPolicy;
        private final Map<String, ContainerRun> containers = new LinkedHashMap<>();
        private final Map<String, PodCondition> conditions = new HashMap<>();
        /** Pending tracked work for this pod, called off when the pod is done. */
        private final List<ControllerLoop.Cancellable> timers = new ArrayList<>();
        private boolean started;
        private boolean terminating;
        private Instant deadline;
        private boolean finished;
        private String terminalPhase;

        private PodRun(Pod pod, String ip, Instant startTime) {
            this.uid = pod.getMetadata().getUid();
            this.namespace = pod.getMetadata().getNamespace();
            this.name = pod.getMetadata().getName();
            this.ip = ip;
            this.startTime = startTime;
            this.qosClass = Admission.qosClass(pod.getSpec());
            this.restartPolicy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
        }

        private void callOffTimers() {
            timers.forEach(ControllerLoop.Cancellable::cancel);
            timers.clear();
        }

        /** A pod condition, keeping its transition time while its status stays the same. */
        private PodCondition condition(String type, boolean status, String reason, String message, Instant now) {
            String value = status ? "True" : "False";
            PodCondition before = conditions.get(type);
            String transition = before != null && value.equals(before.getStatus()) ? before.getLastTransitionTime() : timestamp(now);
            PodCondition condition = new PodConditionBuilder().withType(type).withStatus(value).withReason(reason)
                    .withMessage(message).withLastTransitionTime(transition).withLastProbeTime(null).build();
            conditions.put(type, condition);
            return condition;
        }
    }

    /** One container of a pod. */
    private static final class ContainerRun {
        private final String name;
        private final String image;
        private final String seed = java.util.UUID.randomUUID().toString();
        private final PodBehavior behavior;
        /** Whether the container declares a port, i.e. may be the one that serves HTTP. */
        private final boolean serves;
        /** The probe as declared, for the wording of failures. */
        private final Probe declaredProbe;
        /** The readiness probe that decides, or null when the container is ready as soon as it runs. */
        private final Probe probe;
        private State state = State.WAITING;
        private String waitingReason = "ContainerCreating";
        private String waitingMessage;
        private Instant startedAt;
        private ContainerState terminatedState;
        private ContainerState lastTerminated;
        private int restartCount;
        private boolean ready;
        private Duration backoff;

        private ContainerRun(Container container, PodBehavior behavior) {
            this.name = container.getName();
            this.image = container.getImage();
            this.behavior = behavior;
            this.serves = container.getPorts() != null && !container.getPorts().isEmpty();
            this.declaredProbe = container.getReadinessProbe();
            boolean failsProbes = behavior.mode() == PodBehavior.Mode.NEVER_READY
                    || behavior.mode() == PodBehavior.Mode.READY_THEN_UNREADY;
            this.probe = declaredProbe != null ? declaredProbe
                    : failsProbes ? new ProbeBuilder().withPeriodSeconds(10).withSuccessThreshold(1).withFailureThreshold(3).build()
                    : null;
        }

        private void waiting(String reason, String message) {
            state = State.WAITING;
            waitingReason = reason;
            waitingMessage = message;
        }

        private void run(Instant now) {
            state = State.RUNNING;
            startedAt = now;
        }

        private void terminated(int exitCode, String reason, Instant now) {
            state = State.TERMINATED;
            terminatedState = new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
                    .withStartedAt(startedAt == null ? null : timestamp(startedAt)).withFinishedAt(timestamp(now))
                    .withContainerID(startedAt == null ? null : containerId(restartCount))
                    .endTerminated().build();
        }

        private String containerId(int instance) {
            return "containerd://" + Canonical.hash(seed + "/" + instance) + Canonical.hash(instance + "/" + seed);
        }

        private ContainerStatus status() {
            ContainerState current = switch (state) {
                case RUNNING -> new ContainerStateBuilder().withNewRunning().withStartedAt(timestamp(startedAt)).endRunning().build();
                case TERMINATED -> terminatedState;
                case WAITING -> new ContainerStateBuilder().withNewWaiting().withReason(waitingReason)
                        .withMessage(waitingMessage).endWaiting().build();
            };
            ContainerStatusBuilder status = new ContainerStatusBuilder()
                    .withName(name)
                    .withImage(image)
                    .withImageID(state == State.RUNNING || lastTerminated != null ? "sha256:" + Canonical.hash(image) + Canonical.hash(image + "@") : "")
                    .withReady(ready)
                    .withStarted(state == State.RUNNING)
                    .withRestartCount(restartCount)
                    .withState(current)
                    .withLastState(lastTerminated == null ? new ContainerState() : lastTerminated);
            if (state == State.RUNNING) {
                status.withContainerID(containerId(restartCount));
            }
            return status.build();
        }
    }
}
