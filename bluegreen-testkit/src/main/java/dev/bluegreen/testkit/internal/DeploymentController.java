package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.omitZero;
import static dev.bluegreen.testkit.internal.Models.orZero;
import static dev.bluegreen.testkit.internal.Models.timestamp;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Deployment controller, simplified: a Deployment owns its pods directly (no ReplicaSets), and a
 * template change deletes every pod of the old template at once before creating the new ones (no rolling
 * update, no surge). That keeps what a blue-green release relies on: pods carry the template's labels plus
 * {@code pod-template-hash}, and the status reports {@code kubectl rollout status}'s counters faithfully.
 *
 * <p>Status omits zero counters, as the API server does. {@code minReadySeconds}, {@code paused} and
 * the strategy are ignored.
 */
final class DeploymentController {

    /** The label that ties a pod to the template it was created from. */
    static final String TEMPLATE_HASH_LABEL = "pod-template-hash";

    /** Pods to delete first: not ready before ready, newer before older (as the ReplicaSet controller does). */
    private static final Comparator<Pod> DELETION_ORDER = Comparator
            .comparing(Models::isReady)
            .thenComparing((Pod p) -> p.getMetadata().getCreationTimestamp(), Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(p -> p.getMetadata().getName());

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Deployment> deployments;
    private final ObjectStore<Pod> pods;
    private final Kubelet kubelet;
    private final Clock clock;
    /** The rollout each Deployment (by uid) is going through, to time its progress deadline. */
    private final Map<String, Rollout> rollouts = new HashMap<>();

    DeploymentController(KubernetesClient client, ControllerLoop loop, ObjectStore<Deployment> deployments,
            ObjectStore<Pod> pods, Kubelet kubelet, Clock clock) {
        this.client = client;
        this.loop = loop;
        this.deployments = deployments;
        this.pods = pods;
        this.kubelet = kubelet;
        this.clock = clock;
    }

    /**
     * Queues the reconciliation of a Deployment.
     *
     * @param key the Deployment's {@code namespace/name}
     */
    void enqueue(String key) {
        loop.reconcile("deployment " + key, () -> reconcile(key));
    }

    /**
     * Queues the reconciliation of the Deployment controlling {@code pod}, if any.
     *
     * @param pod a pod that changed or disappeared
     */
    void podChanged(Pod pod) {
        Models.controllerOf(pod)
                .filter(owner -> "Deployment".equals(owner.getKind()))
                .ifPresent(owner -> enqueue(ObjectStore.key(pod.getMetadata().getNamespace(), owner.getName())));
    }

    /**
     * Queues the collection of a deleted Deployment's pods, as the garbage collector would. It runs on the
     * loop like any reconciliation, so it cannot race a reconciliation that still saw the Deployment, it
     * counts as pending work for {@code awaitSettled}, and it is retried when a delete fails.
     *
     * @param deployment the deleted Deployment
     */
    void deleted(Deployment deployment) {
        rollouts.remove(deployment.getMetadata().getUid());
        enqueue(ObjectStore.keyOf(deployment));
    }

    /** Deletes the pods whose controlling Deployment no longer exists. */
    private void collectOrphans(String namespace, String name) {
        pods.inNamespace(namespace).stream()
                .filter(pod -> Models.controllerOf(pod)
                        .filter(owner -> "Deployment".equals(owner.getKind()) && name.equals(owner.getName()))
                        .isPresent())
                .forEach(this::deletePod);
    }

    /**
     * Returns the {@code pod-template-hash} of a Deployment's current template.
     *
     * @param deployment a Deployment with a template
     * @return 10 hex characters, stable for equal templates
     */
    static String templateHash(Deployment deployment) {
        return Canonical.hash(deployment.getSpec().getTemplate());
    }

    /**
     * Tells whether the controller manages {@code deployment}: it needs a pod template.
     *
     * @param deployment any Deployment
     * @return true if the controller reconciles it
     */
    static boolean isManageable(Deployment deployment) {
        return deployment.getSpec() != null && deployment.getSpec().getTemplate() != null;
    }

    /**
     * Returns the desired number of replicas; an absent {@code spec.replicas} means 1, as the API server
     * defaults it.
     *
     * @param deployment a Deployment with a spec
     * @return the desired replicas
     */
    static int desiredReplicas(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    /**
     * Explains how the state of a Deployment and its pods differs from what the controller would leave, for
     * {@code awaitSettled}.
     *
     * @param deployment      a manageable Deployment, as the server has it
     * @param podsInNamespace the pods of its namespace, as the server has them
     * @return the difference, or empty when the controller has nothing left to do
     */
    static Optional<String> unsettled(Deployment deployment, List<Pod> podsInNamespace) {
        String name = "Deployment " + ObjectStore.keyOf(deployment);
        String hash = templateHash(deployment);
        List<Pod> owned = podsInNamespace.stream()
                .filter(pod -> Models.isControlledBy(pod, deployment.getMetadata().getUid()))
                .toList();
        long current = owned.stream().filter(pod -> hash.equals(Models.labels(pod).get(TEMPLATE_HASH_LABEL))).count();
        if (current != owned.size() || current != desiredReplicas(deployment)) {
            return Optional.of(name + " wants " + desiredReplicas(deployment) + " pods of template " + hash + " but has "
                    + current + " of them and " + (owned.size() - current) + " others");
        }
        DeploymentStatus status = deployment.getStatus();
        Long generation = deployment.getMetadata().getGeneration();
        if (status == null || (generation != null && !generation.equals(status.getObservedGeneration()))) {
            return Optional.of(name + " has generation " + generation + " but its status observed "
                    + (status == null ? "nothing" : "generation " + status.getObservedGeneration()));
        }
        Counts counts = Counts.of(owned, hash);
        Counts reported = new Counts(orZero(status.getReplicas()), orZero(status.getUpdatedReplicas()),
                orZero(status.getReadyReplicas()), orZero(status.getAvailableReplicas()));
        if (!counts.equals(reported)) {
            return Optional.of(name + " reports " + reported + " but its pods show " + counts);
        }
        return Optional.empty();
    }

    private void reconcile(String key) {
        Deployment deployment = deployments.get(key);
        if (deployment == null) {
            int slash = key.indexOf('/');
            collectOrphans(key.substring(0, slash), key.substring(slash + 1));
            return;
        }
        if (!isManageable(deployment)) {
            return;
        }
        String hash = templateHash(deployment);
        int desired = desiredReplicas(deployment);
        List<Pod> current = new ArrayList<>();
        for (Pod pod : ownedPods(deployment)) {
            if (hash.equals(Models.labels(pod).get(TEMPLATE_HASH_LABEL))) {
                current.add(pod);
            } else {
                deletePod(pod);
            }
        }
        current.sort(DELETION_ORDER);
        while (current.size() > desired) {
            deletePod(current.remove(0));
        }
        for (int i = current.size(); i < desired; i++) {
            createPod(deployment, hash);
        }
        writeStatus(deployment, hash, desired);
    }

    private List<Pod> ownedPods(Deployment deployment) {
        String uid = deployment.getMetadata().getUid();
        return pods.inNamespace(deployment.getMetadata().getNamespace()).stream()
                .filter(pod -> Models.isControlledBy(pod, uid))
                .toList();
    }

    private void createPod(Deployment deployment, String hash) {
        ObjectMeta owner = deployment.getMetadata();
        PodTemplateSpec template = deployment.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            labels.putAll(template.getMetadata().getLabels());
        }
        labels.put(TEMPLATE_HASH_LABEL, hash);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(owner.getName() + "-" + hash + "-" + Canonical.randomSuffix())
                .withNamespace(owner.getNamespace())
                .withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(owner.getName())
                .withUid(owner.getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                // The controller doubles as the scheduler: every pod lands on the one simulated node.
                .withSpec(new PodSpecBuilder(template.getSpec()).withNodeName(Kubelet.NODE_NAME).build())
                .build();
        Pod created = client.pods().inNamespace(owner.getNamespace()).resource(pod).create();
        pods.observe(created);
        kubelet.observe(created);
    }

    private void deletePod(Pod pod) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
        pods.remove(pod, false);
        kubelet.forget(pod);
    }

    private void writeStatus(Deployment deployment, String hash, int desired) {
        Counts counts = Counts.of(ownedPods(deployment), hash);
        boolean complete = counts.updated == desired && counts.replicas == desired && counts.available == desired;
        Instant now = clock.instant();
        Rollout rollout = rollout(deployment, hash, desired, complete, now);
        Integer deadlineSeconds = deployment.getSpec().getProgressDeadlineSeconds();
        boolean timedOut = !complete && deadlineSeconds != null
                && !now.isBefore(rollout.started.plusSeconds(deadlineSeconds));
        if (!complete && !timedOut && deadlineSeconds != null && !rollout.deadlineScheduled) {
            rollout.deadlineScheduled = true;
            String key = ObjectStore.keyOf(deployment);
            loop.wakeUpLater(Duration.between(now, rollout.started.plusSeconds(deadlineSeconds)), () -> enqueue(key));
        }

        List<DeploymentCondition> previous = deployment.getStatus() == null ? List.of() : deployment.getStatus().getConditions();
        String replicaSet = "ReplicaSet \"" + deployment.getMetadata().getName() + "-" + hash + "\"";
        DeploymentCondition available = counts.available >= desired
                ? condition(previous, "Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", now)
                : condition(previous, "Available", false, "MinimumReplicasUnavailable",
                        "Deployment does not have minimum availability.", now);
        DeploymentCondition progressing;
        if (complete) {
            progressing = condition(previous, "Progressing", true, "NewReplicaSetAvailable",
                    replicaSet + " has successfully progressed.", now);
        } else if (timedOut) {
            progressing = condition(previous, "Progressing", false, "ProgressDeadlineExceeded",
                    replicaSet + " has timed out progressing.", now);
        } else {
            progressing = condition(previous, "Progressing", true, "ReplicaSetUpdated", replicaSet + " is progressing.", now);
        }
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(omitZero(counts.replicas))
                .withUpdatedReplicas(omitZero(counts.updated))
                .withReadyReplicas(omitZero(counts.ready))
                .withAvailableReplicas(omitZero(counts.available))
                .withUnavailableReplicas(omitZero(Math.max(0, desired - counts.available)))
                .withConditions(available, progressing)
                .build();
        // Writing an unchanged status would only echo back as an event and loop.
        if (!Canonical.same(status, deployment.getStatus())) {
            Deployment updated = client.apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
                    .resource(new DeploymentBuilder(deployment).withStatus(status).build())
                    .updateStatus();
            deployments.observe(updated);
        }
    }

    /**
     * Returns the rollout the Deployment is in, starting a new one (and so a new progress deadline) when
     * the template or the replica count changed, or when a complete rollout lost a pod.
     */
    private Rollout rollout(Deployment deployment, String hash, int desired, boolean complete, Instant now) {
        String uid = deployment.getMetadata().getUid();
        Rollout rollout = rollouts.get(uid);
        if (rollout == null || !rollout.hash.equals(hash) || rollout.replicas != desired || (rollout.complete && !complete)) {
            rollout = new Rollout(hash, desired, now);
            rollouts.put(uid, rollout);
        }
        rollout.complete = complete;
        return rollout;
    }

    /** Keeps the timestamps of a condition whose content did not change, so an unchanged status compares equal. */
    private static DeploymentCondition condition(List<DeploymentCondition> previous, String type, boolean status,
            String reason, String message, Instant now) {
        String statusText = status ? "True" : "False";
        Optional<DeploymentCondition> before = previous.stream().filter(c -> type.equals(c.getType())).findFirst();
        String transitioned = before.filter(c -> statusText.equals(c.getStatus()))
                .map(DeploymentCondition::getLastTransitionTime)
                .orElse(timestamp(now));
        String updated = before.filter(c -> statusText.equals(c.getStatus()) && reason.equals(c.getReason())
                        && message.equals(c.getMessage()))
                .map(DeploymentCondition::getLastUpdateTime)
                .orElse(timestamp(now));
        return new DeploymentConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(transitioned)
                .withLastUpdateTime(updated)
                .build();
    }

    /** The replica counters of a Deployment's status, computed from its pods. */
    record Counts(int replicas, int updated, int ready, int available) {

        static Counts of(List<Pod> owned, String hash) {
            int updated = (int) owned.stream().filter(p -> hash.equals(Models.labels(p).get(TEMPLATE_HASH_LABEL))).count();
            int ready = (int) owned.stream().filter(Models::isReady).count();
            // minReadySeconds is not simulated: a ready pod is available at once.
            return new Counts(owned.size(), updated, ready, ready);
        }

        @Override
        public String toString() {
            return "replicas=" + replicas + " updated=" + updated + " ready=" + ready + " available=" + available;
        }
    }

    /** One rollout of a Deployment: a template and replica count, and when the controller started on it. */
    private static final class Rollout {
        private final String hash;
        private final int replicas;
        private final Instant started;
        private boolean complete;
        private boolean deadlineScheduled;

        private Rollout(String hash, int replicas, Instant started) {
            this.hash = hash;
            this.replicas = replicas;
            this.started = started;
        }
    }
}
