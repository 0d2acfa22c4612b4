package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ReplicaSet controller, after {@code pkg/controller/replicaset/replica_set.go}: keeps as many active pods
 * (not terminating, not finished) as {@code spec.replicas} asks, creating pods from the template (bound to the
 * simulated node, the scheduler's part) and deleting the least valuable ones first
 * ({@code controller.ActivePodsWithRanks}: unscheduled, pending, not ready, lower deletion cost, ready for a
 * shorter time, more restarts, newer); reports {@code replicas}, {@code fullyLabeledReplicas},
 * {@code readyReplicas} and {@code availableReplicas} (ready for {@code minReadySeconds}). A terminating pod
 * no longer counts and is replaced at once. When the API server refuses a pod (e.g. past a ResourceQuota), the
 * ReplicaSet gets the condition {@code ReplicaFailure} (reason {@code FailedCreate}, the server's message) and a
 * {@code FailedCreate} Event, and tries again after a back-off (1 s doubling to 5 min, simulated); the condition
 * goes once pods are created again.
 */
final class ReplicaSetController {

    private static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
    private static final String REPLICA_FAILURE = "ReplicaFailure";
    private static final Duration FIRST_CREATE_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_CREATE_RETRY = Duration.ofMinutes(5);

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<ReplicaSet> replicaSets;
    private final ObjectStore<Pod> pods;
    private final Kubelet kubelet;
    private final SimClock clock;
    /** Pods this controller asked to delete whose deletion it has not seen yet (its "expectations"). */
    private final Set<String> deleting = new HashSet<>();
    /** The availability checks scheduled, per ReplicaSet, so that each is scheduled once. */
    private final Map<String, Instant> availabilityChecks = new java.util.HashMap<>();
    /** Per ReplicaSet whose pods the API server refused: the back-off and when to try again. */
    private final Map<String, Duration> createBackoffs = new java.util.HashMap<>();
    private final Map<String, Instant> nextCreateAttempts = new java.util.HashMap<>();
    private final EventRecorder events;

    ReplicaSetController(KubernetesClient client, ControllerLoop loop, ObjectStore<ReplicaSet> replicaSets,
            ObjectStore<Pod> pods, Kubelet kubelet, EventRecorder events) {
        this.client = client;
        this.loop = loop;
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.kubelet = kubelet;
        this.events = events;
        this.clock = loop.clock();
    }

    void enqueue(String key) {
        loop.reconcile("replicaset " + key, () -> reconcile(key));
    }

    /** Queues the ReplicaSet controlling a pod that changed or disappeared. */
    void podChanged(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            deleting.remove(pod.getMetadata().getUid());
        }
        Models.controllerOf(pod)
                .filter(owner -> "ReplicaSet".equals(owner.getKind()))
                .ifPresent(owner -> enqueue(ObjectStore.key(pod.getMetadata().getNamespace(), owner.getName())));
    }

    /** A pod is gone for good. */
    void podDeleted(Pod pod) {
        deleting.remove(pod.getMetadata().getUid());
        podChanged(pod);
    }

    /**
     * The pods a ReplicaSet controls that count as its replicas: not terminating and not finished, as
     * {@code controller.FilterActivePods} decides.
     */
    static List<Pod> activePods(ReplicaSet rs, List<Pod> podsInNamespace) {
        String uid = rs.getMetadata().getUid();
        return podsInNamespace.stream()
                .filter(pod -> Models.isControlledBy(pod, uid))
                .filter(ReplicaSetController::isActive)
                .toList();
    }

    static boolean isActive(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return pod.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /**
     * Explains how a ReplicaSet and its pods differ from what the controller would leave, for
     * {@code awaitSettled}.
     */
    static Optional<String> unsettled(ReplicaSet rs, List<Pod> podsInNamespace, Instant now) {
        String name = "ReplicaSet " + ObjectStore.keyOf(rs);
        List<Pod> active = activePods(rs, podsInNamespace);
        int wanted = DeploymentUtil.specReplicas(rs);
        boolean refused = active.size() < wanted && rs.getStatus() != null && rs.getStatus().getConditions().stream()
                .anyMatch(c -> REPLICA_FAILURE.equals(c.getType()) && "True".equals(c.getStatus()));
        if (active.size() != wanted && !refused) {
            // A ReplicaSet whose pods the API server refuses waits for its next attempt, like a deadline.
            return Optional.of(name + " wants " + wanted + " pods but has " + active.size());
        }
        ReplicaSetStatus reported = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
        ReplicaSetStatus expected = status(rs, active, now);
        if (!Canonical.same(expected, reported)) {
            return Optional.of(name + " reports " + describe(reported) + " but its pods show " + describe(expected));
        }
        return Optional.empty();
    }

    private static String describe(ReplicaSetStatus status) {
        return "replicas=" + Models.orZero(status.getReplicas()) + " ready=" + Models.orZero(status.getReadyReplicas())
                + " available=" + Models.orZero(status.getAvailableReplicas()) + " observedGeneration="
                + status.getObservedGeneration();
    }

    private void reconcile(String key) {
        ReplicaSet rs = replicaSets.get(key);
        if (rs == null || rs.getSpec() == null || rs.getSpec().getTemplate() == null) {
            return;
        }
        String namespace = rs.getMetadata().getNamespace();
        List<Pod> active = new ArrayList<>(activePods(rs, pods.inNamespace(namespace)).stream()
                .filter(pod -> !deleting.contains(pod.getMetadata().getUid()))
                .toList());
        int wanted = DeploymentUtil.specReplicas(rs);
        String failure = null;
        if (rs.getMetadata().getDeletionTimestamp() == null) {
            int diff = active.size() - wanted;
            if (diff < 0) {
                Instant retry = nextCreateAttempts.get(key);
                if (retry != null && clock.instant().isBefore(retry)) {
                    failure = currentFailure(rs);
                } else {
                    failure = createPods(rs, key, -diff, active);
                }
            } else if (diff > 0) {
                Instant now = clock.instant();
                active.sort(deletionOrder(now));
                for (Pod pod : List.copyOf(active.subList(0, diff))) {
                    deletePod(pod);
                    active.remove(pod);
                }
            }
        }
        if (failure == null) {
            createBackoffs.remove(key);
            nextCreateAttempts.remove(key);
        }
        writeStatus(rs, active, failure);
    }

    /**
     * Creates {@code count} pods; when the API server refuses one (a ResourceQuota, validation), stops, records a
     * {@code FailedCreate} Event and plans the next attempt after a growing back-off, as the controller's
     * rate-limited requeue does.
     *
     * @return the refusal's message, or null when every pod was created
     */
    private String createPods(ReplicaSet rs, String key, int count, List<Pod> active) {
        for (int i = 0; i < count; i++) {
            try {
                active.add(createPod(rs));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403 && e.getCode() != 422) {
                    throw e;
                }
                String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                        : e.getMessage();
                events.record(rs, null, "Warning", "FailedCreate", "Error creating: " + message, "replicaset-controller", null);
                Duration backoff = createBackoffs.merge(key, FIRST_CREATE_RETRY,
                        (before, first) -> before.multipliedBy(2).compareTo(MAX_CREATE_RETRY) > 0 ? MAX_CREATE_RETRY
                                : before.multipliedBy(2));
                Instant due = clock.instant().plus(backoff);
                nextCreateAttempts.put(key, due);
                loop.wakeUpAt(due.plusMillis(1), () -> enqueue(key));
                return message;
            }
        }
        return null;
    }

    private static String currentFailure(ReplicaSet rs) {
        return rs.getStatus() == null ? null : rs.getStatus().getConditions().stream()
                .filter(c -> REPLICA_FAILURE.equals(c.getType()))
                .map(c -> c.getMessage() == null ? "" : c.getMessage()).findFirst().orElse(null);
    }

    private Pod createPod(ReplicaSet rs) {
        PodTemplateSpec template = rs.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = null;
        if (template.getMetadata() != null) {
            if (template.getMetadata().getLabels() != null) {
                labels.putAll(template.getMetadata().getLabels());
            }
            annotations = template.getMetadata().getAnnotations();
        }
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withGenerateName(rs.getMetadata().getName() + "-")
                .withNamespace(rs.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName(rs.getMetadata().getName())
                .withUid(rs.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                // The controller doubles as the scheduler: every pod lands on the one simulated node.
                .withSpec(new PodSpecBuilder(template.getSpec()).withNodeName(Kubelet.NODE_NAME).build())
                .build();
        Pod created = client.pods().inNamespace(rs.getMetadata().getNamespace()).resource(pod).create();
        pods.observe(created);
        kubelet.observe(created);
        return created;
    }

    private void deletePod(Pod pod) {
        deleting.add(pod.getMetadata().getUid());
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            deleting.remove(pod.getMetadata().getUid());
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void writeStatus(ReplicaSet rs, List<Pod> active, String failure) {
        Instant now = clock.instant();
        ReplicaSetStatus status = status(rs, active, now);
        // calculateStatus: a failure adds ReplicaFailure (reason FailedCreate) unless there is one; success removes it.
        List<ReplicaSetCondition> conditions = new ArrayList<>(status.getConditions());
        boolean present = conditions.stream().anyMatch(c -> REPLICA_FAILURE.equals(c.getType()));
        if (failure != null && !present) {
            conditions.add(new ReplicaSetConditionBuilder().withType(REPLICA_FAILURE).withStatus("True")
                    .withReason("FailedCreate").withMessage(failure).withLastTransitionTime(Models.timestamp(now)).build());
        } else if (failure == null && present) {
            conditions.removeIf(c -> REPLICA_FAILURE.equals(c.getType()));
        }
        status.setConditions(conditions);
        scheduleAvailability(rs, active, now);
        if (Canonical.same(status, rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus())) {
            return;
        }
        ReplicaSet updated = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                .resource(new ReplicaSetBuilder(rs).withStatus(status).build())
                .updateStatus();
        replicaSets.observe(updated);
    }

    /** A pod that is ready but not yet for {@code minReadySeconds} becomes available later: look again then. */
    private void scheduleAvailability(ReplicaSet rs, List<Pod> active, Instant now) {
        int minReady = minReadySeconds(rs);
        if (minReady == 0) {
            return;
        }
        String key = ObjectStore.keyOf(rs);
        active.stream()
                .filter(Models::isReady)
                .filter(pod -> !isAvailable(pod, minReady, now))
                .map(ReplicaSetController::readySince)
                .filter(since -> since != null)
                .min(Comparator.naturalOrder())
                .map(since -> since.plusSeconds(minReady).plusMillis(1))
                .filter(due -> !due.equals(availabilityChecks.get(key)))
                .ifPresent(due -> {
                    availabilityChecks.put(key, due);
                    loop.runAt(due, () -> enqueue(key));
                });
    }

    static ReplicaSetStatus status(ReplicaSet rs, List<Pod> active, Instant now) {
        int minReady = minReadySeconds(rs);
        Map<String, String> templateLabels = rs.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : DeploymentUtil.orEmpty(rs.getSpec().getTemplate().getMetadata().getLabels());
        int fullyLabeled = (int) active.stream().filter(p -> Selectors.matches(templateLabels, Models.labels(p))).count();
        int ready = (int) active.stream().filter(Models::isReady).count();
        int available = (int) active.stream().filter(p -> isAvailable(p, minReady, now)).count();
        List<io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition> conditions = rs.getStatus() == null ? List.of()
                : rs.getStatus().getConditions();
        return new ReplicaSetStatusBuilder()
                .withReplicas(active.size())
                .withFullyLabeledReplicas(Models.omitZero(fullyLabeled))
                .withReadyReplicas(Models.omitZero(ready))
                .withAvailableReplicas(Models.omitZero(available))
                .withObservedGeneration(rs.getMetadata().getGeneration())
                .withConditions(conditions)
                .build();
    }

    private static int minReadySeconds(ReplicaSet rs) {
        Integer seconds = rs.getSpec().getMinReadySeconds();
        return seconds == null ? 0 : seconds;
    }

    /** {@code podutil.IsPodAvailable}: ready, and for longer than {@code minReadySeconds}. */
    static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        if (!Models.isReady(pod)) {
            return false;
        }
        if (minReadySeconds == 0) {
            return true;
        }
        Instant since = readySince(pod);
        return since != null && since.plusSeconds(minReadySeconds).isBefore(now);
    }

    private static Instant readySince(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .map(PodCondition::getLastTransitionTime)
                .filter(t -> t != null)
                .map(Instant::parse)
                .findFirst().orElse(null);
    }

    /** {@code controller.ActivePodsWithRanks}: the pods to delete first come first. */
    private static Comparator<Pod> deletionOrder(Instant now) {
        return Comparator
                .comparing((Pod p) -> p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty())
                .thenComparing(p -> phaseOrdinal(p))
                .thenComparing(Models::isReady)
                .thenComparing(ReplicaSetController::deletionCost)
                .thenComparing(p -> Models.isReady(p) ? logRank(readySince(p), now) : 0L)
                .thenComparing(p -> -maxRestarts(p))
                .thenComparing(p -> logRank(created(p), now));
    }

    private static int phaseOrdinal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Pending".equals(phase)) {
            return 0;
        }
        if ("Unknown".equals(phase)) {
            return 1;
        }
        if ("Running".equals(phase)) {
            return 2;
        }
        return 3;
    }

    private static int deletionCost(Pod pod) {
        String cost = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(DELETION_COST);
        try {
            return cost == null ? 0 : Integer.parseInt(cost);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The logarithmic rank of an age ({@code LogarithmicScaleDown}): pods of similar age rank alike. */
    private static long logRank(Instant since, Instant now) {
        if (since == null) {
            return Long.MIN_VALUE / 2;
        }
        double seconds = Duration.between(since, now).toMillis() / 1000.0;
        return seconds < 1 ? 0 : (long) (Math.log(seconds) / Math.log(2)) + 1;
    }

    private static Instant created(Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? null : Instant.parse(created);
    }

    private static int maxRestarts(Pod pod) {
        return pod.getStatus() == null ? 0 : pod.getStatus().getContainerStatuses().stream()
                .mapToInt(c -> Models.orZero(c.getRestartCount())).max().orElse(0);
    }
}
