package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.DeploymentUtil.AVAILABLE;
import static dev.bluegreen.testkit.internal.DeploymentUtil.PROGRESSING;
import static dev.bluegreen.testkit.internal.DeploymentUtil.condition;
import static dev.bluegreen.testkit.internal.DeploymentUtil.desired;
import static dev.bluegreen.testkit.internal.DeploymentUtil.newCondition;
import static dev.bluegreen.testkit.internal.DeploymentUtil.setCondition;
import static dev.bluegreen.testkit.internal.DeploymentUtil.specReplicas;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Deployment controller, after {@code pkg/controller/deployment} ({@code deployment_controller.go},
 * {@code sync.go}, {@code rolling.go}, {@code recreate.go}, {@code progress.go}): a ReplicaSet per pod
 * template (name {@code <deployment>-<pod-template-hash>}, the hash label in its selector and template,
 * revision annotations, owner reference), rolling updates within {@code maxSurge} and {@code maxUnavailable},
 * Recreate (old pods gone before new ones start), {@code paused}, proportional scaling of a rollout in
 * progress, {@code revisionHistoryLimit}, and the status with its {@code Available} and {@code Progressing}
 * conditions: the progress deadline counts from the last progress and not while the rollout is complete.
 *
 * A ReplicaSet's {@code ReplicaFailure} condition (its pods refused, e.g. by a ResourceQuota) is copied into the
 * Deployment's conditions, as {@code getReplicaFailures} does.
 *
 * <p>Not simulated: adopting and orphaning ReplicaSets that match the selector without being owned, and the
 * deprecated {@code rollbackTo}.
 */
final class DeploymentController {

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Deployment> deployments;
    private final ObjectStore<ReplicaSet> replicaSets;
    private final ObjectStore<Pod> pods;
    private final EventRecorder events;
    private final Consumer<String> replicaSetWritten;
    private final SimClock clock;
    /** The progress checks already scheduled, per Deployment uid, so that each is scheduled once. */
    private final Map<String, Instant> progressChecks = new HashMap<>();

    /**
     * @param replicaSetWritten told the key of every ReplicaSet this controller creates or scales, so that the
     *                          ReplicaSet controller acts on it in the order of the decisions (old ones scaled
     *                          down before new ones scaled up), not in the order watch events of different
     *                          objects happen to arrive
     */
    DeploymentController(KubernetesClient client, ControllerLoop loop, ObjectStore<Deployment> deployments,
            ObjectStore<ReplicaSet> replicaSets, ObjectStore<Pod> pods, EventRecorder events,
            Consumer<String> replicaSetWritten) {
        this.replicaSetWritten = replicaSetWritten;
        this.client = client;
        this.loop = loop;
        this.deployments = deployments;
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.events = events;
        this.clock = loop.clock();
    }

    void enqueue(String key) {
        loop.reconcile("deployment " + key, () -> reconcile(key));
    }

    /** Queues the Deployment owning a ReplicaSet that changed or disappeared. */
    void replicaSetChanged(ReplicaSet rs) {
        Models.controllerOf(rs)
                .filter(owner -> "Deployment".equals(owner.getKind()))
                .ifPresent(owner -> enqueue(ObjectStore.key(rs.getMetadata().getNamespace(), owner.getName())));
    }

    /** Queues the Deployment whose pod stopped or disappeared: a Recreate rollout waits for that. */
    void podGone(Pod pod) {
        Models.controllerOf(pod)
                .filter(owner -> "ReplicaSet".equals(owner.getKind()))
                .map(owner -> replicaSets.get(ObjectStore.key(pod.getMetadata().getNamespace(), owner.getName())))
                .ifPresent(this::replicaSetChanged);
    }

    /** A Deployment is gone. */
    void deleted(Deployment deployment) {
        progressChecks.remove(deployment.getMetadata().getUid());
    }

    /**
     * Tells whether the controller manages {@code deployment}: it needs a selector and a pod template.
     *
     * @param deployment any Deployment
     * @return true if the controller reconciles it
     */
    static boolean isManageable(Deployment deployment) {
        return deployment.getSpec() != null && deployment.getSpec().getTemplate() != null
                && deployment.getSpec().getSelector() != null;
    }

    /** The ReplicaSets a Deployment controls. */
    static List<ReplicaSet> owned(Deployment deployment, List<ReplicaSet> inNamespace) {
        String uid = deployment.getMetadata().getUid();
        return inNamespace.stream().filter(rs -> Models.isControlledBy(rs, uid)).toList();
    }

    /**
     * Explains how a Deployment differs from what the controller would leave, for {@code awaitSettled}.
     *
     * @param deployment  a manageable Deployment, as the server has it
     * @param replicaSets the ReplicaSets of its namespace, as the server has them
     * @return the difference, or empty when the controller has nothing left to do
     */
    static Optional<String> unsettled(Deployment deployment, List<ReplicaSet> replicaSets) {
        String name = "Deployment " + ObjectStore.keyOf(deployment);
        List<ReplicaSet> owned = owned(deployment, replicaSets);
        DeploymentStatus status = deployment.getStatus();
        Long generation = deployment.getMetadata().getGeneration();
        if (status == null || (generation != null && !generation.equals(status.getObservedGeneration()))) {
            return Optional.of(name + " has generation " + generation + " but its status observed "
                    + (status == null ? "nothing" : "generation " + status.getObservedGeneration()));
        }
        ReplicaSet newRS = DeploymentUtil.findNewReplicaSet(deployment, owned);
        if (newRS == null && !Boolean.TRUE.equals(deployment.getSpec().getPaused()) && desired(deployment) > 0) {
            return Optional.of(name + " has no ReplicaSet for its current template yet");
        }
        DeploymentStatus expected = counters(owned, newRS, deployment);
        if (!Canonical.same(expected, counters(status))) {
            return Optional.of(name + " reports " + describe(status) + " but its ReplicaSets show " + describe(expected));
        }
        if (newRS != null && !Boolean.TRUE.equals(deployment.getSpec().getPaused()) && DeploymentUtil.isRollingUpdate(deployment)
                && specReplicas(newRS) < desired(deployment)
                && DeploymentUtil.newRSNewReplicas(deployment, owned, newRS) > specReplicas(newRS)) {
            return Optional.of(name + " may still scale up ReplicaSet " + newRS.getMetadata().getName());
        }
        return Optional.empty();
    }

    private static String describe(DeploymentStatus status) {
        return "replicas=" + Models.orZero(status.getReplicas()) + " updated=" + Models.orZero(status.getUpdatedReplicas())
                + " ready=" + Models.orZero(status.getReadyReplicas()) + " available=" + Models.orZero(status.getAvailableReplicas());
    }

    private static DeploymentStatus counters(DeploymentStatus status) {
        DeploymentStatus copy = new DeploymentStatus();
        copy.setReplicas(status.getReplicas());
        copy.setUpdatedReplicas(status.getUpdatedReplicas());
        copy.setReadyReplicas(status.getReadyReplicas());
        copy.setAvailableReplicas(status.getAvailableReplicas());
        copy.setUnavailableReplicas(status.getUnavailableReplicas());
        return copy;
    }

    private static DeploymentStatus counters(List<ReplicaSet> owned, ReplicaSet newRS, Deployment deployment) {
        return counters(calculateStatus(owned, newRS, deployment, Instant.EPOCH));
    }

    // ---- sync ----

    /** One sync of one Deployment; {@code d} is the latest version, including this sync's own writes. */
    private final class Sync {
        private Deployment d;
        private final List<ReplicaSet> rsList;

        private Sync(Deployment deployment) {
            this.d = copy(deployment);
            this.rsList = new ArrayList<>(owned(deployment, replicaSets.inNamespace(deployment.getMetadata().getNamespace())));
        }
    }

    private void reconcile(String key) {
        Deployment deployment = deployments.get(key);
        if (deployment == null || !isManageable(deployment)) {
            return;
        }
        Sync sync = new Sync(deployment);
        if (sync.d.getMetadata().getDeletionTimestamp() != null) {
            syncStatusOnly(sync);
            return;
        }
        checkPausedConditions(sync);
        if (Boolean.TRUE.equals(sync.d.getSpec().getPaused())) {
            syncScaling(sync);
            return;
        }
        if (isScalingEvent(sync)) {
            syncScaling(sync);
            return;
        }
        if (DeploymentUtil.isRollingUpdate(sync.d)) {
            rolloutRolling(sync);
        } else {
            rolloutRecreate(sync);
        }
    }

    /** The new ReplicaSet (possibly created) and the old ones, with revisions brought up to date. */
    private record ReplicaSets(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(oldRSs);
            if (newRS != null) {
                all.add(newRS);
            }
            return all;
        }
    }

    private ReplicaSets allReplicaSetsAndSyncRevision(Sync sync, boolean createIfNotExisted) {
        ReplicaSet existing = DeploymentUtil.findNewReplicaSet(sync.d, sync.rsList);
        List<ReplicaSet> oldRSs = new ArrayList<>(sync.rsList.stream().filter(rs -> rs != existing).toList());
        ReplicaSet newRS = newReplicaSet(sync, existing, oldRSs, createIfNotExisted);
        return new ReplicaSets(newRS, oldRSs);
    }

    private ReplicaSet newReplicaSet(Sync sync, ReplicaSet existing, List<ReplicaSet> oldRSs, boolean create) {
        Deployment d = sync.d;
        String newRevision = String.valueOf(DeploymentUtil.maxRevision(oldRSs) + 1);
        if (existing != null) {
            ReplicaSet rsCopy = copy(existing);
            boolean annotationsUpdated = DeploymentUtil.setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
            boolean minReadyChanged = !java.util.Objects.equals(orZero(rsCopy.getSpec().getMinReadySeconds()),
                    orZero(d.getSpec().getMinReadySeconds()));
            if (annotationsUpdated || minReadyChanged) {
                rsCopy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
                return updateReplicaSet(sync, rsCopy);
            }
            String revision = DeploymentUtil.orEmpty(rsCopy.getMetadata().getAnnotations()).get(DeploymentUtil.REVISION);
            boolean needsUpdate = revision != null && DeploymentUtil.setDeploymentRevision(d, revision);
            DeploymentCondition progressing = condition(d.getStatus(), PROGRESSING);
            if (DeploymentUtil.hasProgressDeadline(d) && progressing == null) {
                setCondition(status(d), newCondition(PROGRESSING, "True", DeploymentUtil.FOUND_NEW_RS_REASON,
                        "Found new replica set \"" + rsCopy.getMetadata().getName() + "\"", clock.instant()));
                needsUpdate = true;
            }
            if (needsUpdate) {
                writeStatus(sync, d.getStatus());
            }
            return rsCopy;
        }
        if (!create) {
            return null;
        }
        PodTemplateSpec template = copy(d.getSpec().getTemplate(), PodTemplateSpec.class);
        String hash = DeploymentUtil.templateHash(d.getSpec().getTemplate(), d.getStatus() == null ? null
                : d.getStatus().getCollisionCount());
        Map<String, String> labels = new LinkedHashMap<>(DeploymentUtil.orEmpty(template.getMetadata() == null ? null
                : template.getMetadata().getLabels()));
        labels.put(DeploymentUtil.TEMPLATE_HASH_LABEL, hash);
        if (template.getMetadata() == null) {
            template.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        }
        template.getMetadata().setLabels(labels);
        LabelSelector selector = copy(d.getSpec().getSelector(), LabelSelector.class);
        Map<String, String> matchLabels = new LinkedHashMap<>(DeploymentUtil.orEmpty(selector.getMatchLabels()));
        matchLabels.put(DeploymentUtil.TEMPLATE_HASH_LABEL, hash);
        selector.setMatchLabels(matchLabels);
        ReplicaSet newRS = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(d.getMetadata().getName() + "-" + hash)
                .withNamespace(d.getMetadata().getNamespace())
                .withLabels(labels)
                .addNewOwnerReference()
                .withApiVersion("apps/v1").withKind("Deployment").withName(d.getMetadata().getName())
                .withUid(d.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withSelector(selector)
                .withTemplate(template)
                .endSpec()
                .build();
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        all.add(newRS);
        int newReplicas = DeploymentUtil.newRSNewReplicas(d, all, newRS);
        newRS.getSpec().setReplicas(newReplicas);
        DeploymentUtil.setNewReplicaSetAnnotations(d, newRS, newRevision, false);
        ReplicaSet created;
        boolean alreadyExists = false;
        try {
            created = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).resource(newRS).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            ReplicaSet found = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
                    .withName(newRS.getMetadata().getName()).get();
            if (found == null || !Models.isControlledBy(found, d.getMetadata().getUid())
                    || !DeploymentUtil.equalIgnoreHash(found.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                // A hash collision: count it, so that the next hash differs.
                DeploymentStatus status = copy(status(d), DeploymentStatus.class);
                status.setCollisionCount(status.getCollisionCount() == null ? 1 : status.getCollisionCount() + 1);
                writeStatus(sync, status);
                throw e;
            }
            created = found;
            alreadyExists = true;
        }
        replicaSets.observe(created);
        replicaSetWritten.accept(ObjectStore.keyOf(created));
        sync.rsList.add(created);
        if (!alreadyExists && newReplicas > 0) {
            event(d, "Normal", "ScalingReplicaSet", "Scaled up replica set " + created.getMetadata().getName()
                    + " from 0 to " + newReplicas);
        }
        boolean needsUpdate = DeploymentUtil.setDeploymentRevision(d, newRevision);
        if (!alreadyExists && DeploymentUtil.hasProgressDeadline(d)) {
            setCondition(status(d), newCondition(PROGRESSING, "True", DeploymentUtil.NEW_RS_REASON,
                    "Created new replica set \"" + created.getMetadata().getName() + "\"", clock.instant()));
            needsUpdate = true;
        }
        if (needsUpdate) {
            writeStatus(sync, d.getStatus());
        }
        return created;
    }

    // ---- rolling update (rolling.go) ----

    private void rolloutRolling(Sync sync) {
        ReplicaSets sets = allReplicaSetsAndSyncRevision(sync, true);
        List<ReplicaSet> all = sets.all();
        if (reconcileNewReplicaSet(sync, all, sets.newRS())) {
            syncRolloutStatus(sync, allReplicaSetsNow(sync, sets), sets.newRS());
            return;
        }
        if (reconcileOldReplicaSets(sync, all, DeploymentUtil.active(sets.oldRSs()), sets.newRS())) {
            syncRolloutStatus(sync, allReplicaSetsNow(sync, sets), sets.newRS());
            return;
        }
        if (DeploymentUtil.deploymentComplete(sync.d, status(sync.d))) {
            cleanupDeployment(sync, sets.oldRSs());
        }
        syncRolloutStatus(sync, all, sets.newRS());
    }

    /** The ReplicaSets as this sync last wrote them. */
    private List<ReplicaSet> allReplicaSetsNow(Sync sync, ReplicaSets sets) {
        return sets.all().stream()
                .map(rs -> replicaSets.get(ObjectStore.keyOf(rs)) == null ? rs : replicaSets.get(ObjectStore.keyOf(rs)))
                .toList();
    }

    private boolean reconcileNewReplicaSet(Sync sync, List<ReplicaSet> all, ReplicaSet newRS) {
        int desired = desired(sync.d);
        if (specReplicas(newRS) == desired) {
            return false;
        }
        if (specReplicas(newRS) > desired) {
            return scaleAndRecord(sync, newRS, desired) != null;
        }
        int count = DeploymentUtil.newRSNewReplicas(sync.d, all, newRS);
        return scaleAndRecord(sync, newRS, count) != null;
    }

    private boolean reconcileOldReplicaSets(Sync sync, List<ReplicaSet> all, List<ReplicaSet> oldRSs, ReplicaSet newRS) {
        int oldPods = DeploymentUtil.replicaCount(oldRSs);
        if (oldPods == 0) {
            return false;
        }
        int allPods = DeploymentUtil.replicaCount(all);
        int maxUnavailable = DeploymentUtil.maxUnavailable(sync.d);
        int minAvailable = desired(sync.d) - maxUnavailable;
        int newRSUnavailable = specReplicas(newRS) - DeploymentUtil.available(newRS);
        int maxScaledDown = allPods - minAvailable - newRSUnavailable;
        if (maxScaledDown <= 0) {
            return false;
        }
        List<ReplicaSet> olds = new ArrayList<>(oldRSs);
        int cleaned = cleanupUnhealthyReplicas(sync, olds, maxScaledDown);
        List<ReplicaSet> allNow = new ArrayList<>(olds);
        allNow.add(newRS);
        int scaledDown = scaleDownOldReplicaSetsForRollingUpdate(sync, allNow, olds);
        return cleaned + scaledDown > 0;
    }

    private int cleanupUnhealthyReplicas(Sync sync, List<ReplicaSet> oldRSs, int maxCleanup) {
        oldRSs.sort(DeploymentUtil.BY_CREATION);
        int total = 0;
        for (int i = 0; i < oldRSs.size(); i++) {
            ReplicaSet rs = oldRSs.get(i);
            if (total >= maxCleanup) {
                break;
            }
            int replicas = specReplicas(rs);
            if (replicas == 0 || replicas == DeploymentUtil.available(rs)) {
                continue;
            }
            int scaledDown = Math.min(maxCleanup - total, replicas - DeploymentUtil.available(rs));
            ReplicaSet updated = scaleAndRecord(sync, rs, replicas - scaledDown);
            total += scaledDown;
            if (updated != null) {
                oldRSs.set(i, updated);
            }
        }
        return total;
    }

    private int scaleDownOldReplicaSetsForRollingUpdate(Sync sync, List<ReplicaSet> all, List<ReplicaSet> oldRSs) {
        int minAvailable = desired(sync.d) - DeploymentUtil.maxUnavailable(sync.d);
        int available = DeploymentUtil.availableReplicaCount(all);
        if (available <= minAvailable) {
            return 0;
        }
        List<ReplicaSet> olds = new ArrayList<>(oldRSs);
        olds.sort(DeploymentUtil.BY_CREATION);
        int total = 0;
        int toScaleDown = available - minAvailable;
        for (ReplicaSet rs : olds) {
            if (total >= toScaleDown) {
                break;
            }
            if (specReplicas(rs) == 0) {
                continue;
            }
            int count = Math.min(specReplicas(rs), toScaleDown - total);
            scaleAndRecord(sync, rs, specReplicas(rs) - count);
            total += count;
        }
        return total;
    }

    // ---- recreate (recreate.go) ----

    private void rolloutRecreate(Sync sync) {
        ReplicaSets sets = allReplicaSetsAndSyncRevision(sync, false);
        boolean scaledDown = false;
        for (ReplicaSet old : DeploymentUtil.active(sets.oldRSs())) {
            if (scaleAndRecord(sync, old, 0) != null) {
                scaledDown = true;
            }
        }
        if (scaledDown) {
            syncRolloutStatus(sync, allReplicaSetsNow(sync, sets), sets.newRS());
            return;
        }
        if (oldPodsRunning(sets.newRS(), sets.oldRSs(), sync.d)) {
            syncRolloutStatus(sync, sets.all(), sets.newRS());
            return;
        }
        if (sets.newRS() == null) {
            sets = allReplicaSetsAndSyncRevision(sync, true);
        }
        scaleAndRecord(sync, sets.newRS(), desired(sync.d));
        if (DeploymentUtil.deploymentComplete(sync.d, status(sync.d))) {
            cleanupDeployment(sync, sets.oldRSs());
        }
        syncRolloutStatus(sync, allReplicaSetsNow(sync, sets), sets.newRS());
    }

    /** Old ReplicaSets still report pods, or pods of theirs (terminating ones too) have not finished. */
    private boolean oldPodsRunning(ReplicaSet newRS, List<ReplicaSet> oldRSs, Deployment d) {
        if (DeploymentUtil.actualReplicaCount(oldRSs) > 0) {
            return true;
        }
        List<String> oldUids = oldRSs.stream().map(rs -> rs.getMetadata().getUid()).toList();
        return pods.inNamespace(d.getMetadata().getNamespace()).stream()
                .filter(pod -> Models.controllerOf(pod).map(o -> oldUids.contains(o.getUid())).orElse(false))
                .anyMatch(pod -> {
                    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
                });
    }

    // ---- scaling events and pauses (sync.go) ----

    private boolean isScalingEvent(Sync sync) {
        ReplicaSets sets = allReplicaSetsAndSyncRevision(sync, false);
        for (ReplicaSet rs : DeploymentUtil.active(sets.all())) {
            Integer desiredAnnotation = DeploymentUtil.desiredReplicasAnnotation(rs);
            if (desiredAnnotation != null && desiredAnnotation != desired(sync.d)) {
                return true;
            }
        }
        return false;
    }

    private void syncScaling(Sync sync) {
        ReplicaSets sets = allReplicaSetsAndSyncRevision(sync, false);
        scale(sync, sets.newRS(), sets.oldRSs());
        if (Boolean.TRUE.equals(sync.d.getSpec().getPaused())) {
            cleanupDeployment(sync, sets.oldRSs());
        }
        syncDeploymentStatus(sync, allReplicaSetsNow(sync, sets), sets.newRS());
    }

    private void syncStatusOnly(Sync sync) {
        ReplicaSets sets = allReplicaSetsAndSyncRevision(sync, false);
        syncDeploymentStatus(sync, sets.all(), sets.newRS());
    }

    /** Proportional scaling, so that a scale during a rollout keeps the proportions of old and new pods. */
    private void scale(Sync sync, ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        Deployment d = sync.d;
        int desired = desired(d);
        ReplicaSet activeOrLatest = DeploymentUtil.findActiveOrLatest(newRS, oldRSs);
        if (activeOrLatest != null) {
            if (specReplicas(activeOrLatest) != desired) {
                scaleAndRecord(sync, activeOrLatest, desired);
            }
            return;
        }
        if (DeploymentUtil.isSaturated(d, newRS)) {
            for (ReplicaSet old : DeploymentUtil.active(oldRSs)) {
                scaleAndRecord(sync, old, 0);
            }
            return;
        }
        if (!DeploymentUtil.isRollingUpdate(d)) {
            return;
        }
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        if (newRS != null) {
            all.add(newRS);
        }
        List<ReplicaSet> active = new ArrayList<>(DeploymentUtil.active(all));
        int allowed = desired > 0 ? desired + DeploymentUtil.maxSurge(d) : 0;
        int toAdd = allowed - DeploymentUtil.replicaCount(active);
        if (toAdd > 0) {
            // Larger first; newer first among equals.
            active.sort(Comparator.comparing(DeploymentUtil::specReplicas).reversed()
                    .thenComparing(DeploymentUtil.BY_CREATION.reversed()));
        } else if (toAdd < 0) {
            // Larger first; older first among equals.
            active.sort(Comparator.comparing(DeploymentUtil::specReplicas).reversed().thenComparing(DeploymentUtil.BY_CREATION));
        }
        int added = 0;
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (ReplicaSet rs : active) {
            if (toAdd != 0) {
                int proportion = DeploymentUtil.proportion(rs, d, toAdd, added);
                sizes.put(rs.getMetadata().getName(), specReplicas(rs) + proportion);
                added += proportion;
            } else {
                sizes.put(rs.getMetadata().getName(), specReplicas(rs));
            }
        }
        for (int i = 0; i < active.size(); i++) {
            ReplicaSet rs = active.get(i);
            String name = rs.getMetadata().getName();
            if (i == 0 && toAdd != 0) {
                sizes.put(name, Math.max(0, sizes.get(name) + toAdd - added));
            }
            scaleReplicaSet(sync, rs, sizes.get(name), toAdd > 0 ? "up" : "down");
        }
    }

    private void checkPausedConditions(Sync sync) {
        Deployment d = sync.d;
        if (!DeploymentUtil.hasProgressDeadline(d)) {
            return;
        }
        DeploymentCondition progressing = condition(d.getStatus(), PROGRESSING);
        if (progressing != null && DeploymentUtil.TIMED_OUT_REASON.equals(progressing.getReason())) {
            return;
        }
        boolean pausedCondition = progressing != null && DeploymentUtil.PAUSED_REASON.equals(progressing.getReason());
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused && !pausedCondition) {
            setCondition(status(d), newCondition(PROGRESSING, "Unknown", DeploymentUtil.PAUSED_REASON,
                    "Deployment is paused", clock.instant()));
            writeStatus(sync, d.getStatus());
        } else if (!paused && pausedCondition) {
            setCondition(status(d), newCondition(PROGRESSING, "Unknown", DeploymentUtil.RESUMED_REASON,
                    "Deployment is resumed", clock.instant()));
            writeStatus(sync, d.getStatus());
        }
    }

    /** Keeps {@code revisionHistoryLimit} old ReplicaSets (scaled to zero) for rollbacks; deletes older ones. */
    private void cleanupDeployment(Sync sync, List<ReplicaSet> oldRSs) {
        Integer limit = sync.d.getSpec().getRevisionHistoryLimit();
        if (limit == null) {
            return;
        }
        List<ReplicaSet> cleanable = new ArrayList<>(oldRSs.stream()
                .map(rs -> replicaSets.get(ObjectStore.keyOf(rs)) == null ? rs : replicaSets.get(ObjectStore.keyOf(rs)))
                .filter(rs -> rs.getMetadata().getDeletionTimestamp() == null).toList());
        int diff = cleanable.size() - limit;
        if (diff <= 0) {
            return;
        }
        cleanable.sort(Comparator.comparingLong((ReplicaSet rs) -> DeploymentUtil.revision(rs.getMetadata()))
                .thenComparing(DeploymentUtil.BY_CREATION));
        for (ReplicaSet rs : cleanable.subList(0, diff)) {
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0
                    : rs.getStatus().getObservedGeneration();
            long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            int actual = rs.getStatus() == null ? 0 : Models.orZero(rs.getStatus().getReplicas());
            if (actual != 0 || specReplicas(rs) != 0 || generation > observed) {
                continue;
            }
            try {
                client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                        .withName(rs.getMetadata().getName()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    // ---- scaling ----

    /** Scales a ReplicaSet if its size differs; returns the updated ReplicaSet, or null when nothing was scaled. */
    private ReplicaSet scaleAndRecord(Sync sync, ReplicaSet rs, int newScale) {
        if (rs == null || specReplicas(rs) == newScale) {
            return null;
        }
        return scaleReplicaSet(sync, rs, newScale, specReplicas(rs) < newScale ? "up" : "down");
    }

    private ReplicaSet scaleReplicaSet(Sync sync, ReplicaSet rs, int newScale, String operation) {
        Deployment d = sync.d;
        ReplicaSet rsCopy = copy(rs);
        boolean sizeChanges = specReplicas(rs) != newScale;
        boolean annotationsChange = DeploymentUtil.setReplicasAnnotations(rsCopy, desired(d), desired(d) + DeploymentUtil.maxSurge(d));
        if (!sizeChanges && !annotationsChange) {
            return null;
        }
        int from = specReplicas(rs);
        rsCopy.getSpec().setReplicas(newScale);
        ReplicaSet updated = updateReplicaSet(sync, rsCopy);
        if (sizeChanges) {
            event(d, "Normal", "ScalingReplicaSet", "Scaled " + operation + " replica set " + rs.getMetadata().getName()
                    + " from " + from + " to " + newScale);
            return updated;
        }
        return null;
    }

    private ReplicaSet updateReplicaSet(Sync sync, ReplicaSet rs) {
        ReplicaSet updated = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(rs).update();
        replicaSets.observe(updated);
        replicaSetWritten.accept(ObjectStore.keyOf(updated));
        for (int i = 0; i < sync.rsList.size(); i++) {
            if (sync.rsList.get(i).getMetadata().getUid().equals(updated.getMetadata().getUid())) {
                sync.rsList.set(i, updated);
            }
        }
        return updated;
    }

    // ---- status (progress.go, sync.go) ----

    private void syncDeploymentStatus(Sync sync, List<ReplicaSet> all, ReplicaSet newRS) {
        DeploymentStatus newStatus = calculateStatus(all, newRS, sync.d, clock.instant());
        if (Canonical.same(newStatus, status(sync.d))) {
            return;
        }
        writeStatus(sync, newStatus);
    }

    private void syncRolloutStatus(Sync sync, List<ReplicaSet> all, ReplicaSet newRS) {
        Deployment d = sync.d;
        Instant now = clock.instant();
        DeploymentStatus newStatus = calculateStatus(all, newRS, d, now);
        if (!DeploymentUtil.hasProgressDeadline(d)) {
            DeploymentUtil.removeCondition(newStatus, PROGRESSING);
        }
        DeploymentCondition current = condition(d.getStatus(), PROGRESSING);
        boolean complete = Models.orZero(newStatus.getReplicas()) == Models.orZero(newStatus.getUpdatedReplicas())
                && current != null && DeploymentUtil.NEW_RS_AVAILABLE_REASON.equals(current.getReason());
        String subject = newRS == null ? "Deployment \"" + d.getMetadata().getName() + "\""
                : "ReplicaSet \"" + newRS.getMetadata().getName() + "\"";
        if (DeploymentUtil.hasProgressDeadline(d) && !complete) {
            if (DeploymentUtil.deploymentComplete(d, newStatus)) {
                setCondition(newStatus, newCondition(PROGRESSING, "True", DeploymentUtil.NEW_RS_AVAILABLE_REASON,
                        subject + " has successfully progressed.", now));
            } else if (DeploymentUtil.deploymentProgressing(d, newStatus)) {
                DeploymentCondition progressing = newCondition(PROGRESSING, "True", DeploymentUtil.RS_UPDATED_REASON,
                        subject + " is progressing.", now);
                if (current != null) {
                    if ("True".equals(current.getStatus())) {
                        progressing.setLastTransitionTime(current.getLastTransitionTime());
                    }
                    DeploymentUtil.removeCondition(newStatus, PROGRESSING);
                }
                setCondition(newStatus, progressing);
            } else if (DeploymentUtil.deploymentTimedOut(d, newStatus, now)) {
                setCondition(newStatus, newCondition(PROGRESSING, "False", DeploymentUtil.TIMED_OUT_REASON,
                        subject + " has timed out progressing.", now));
            }
        }
        // Move the ReplicaSets' failure conditions into the Deployment's (the new one's first), as getReplicaFailures.
        Optional<DeploymentCondition> failure = replicaFailure(all, newRS);
        if (failure.isPresent()) {
            setCondition(newStatus, failure.get());
        } else {
            DeploymentUtil.removeCondition(newStatus, DeploymentUtil.REPLICA_FAILURE);
        }
        if (Canonical.same(status(d), newStatus)) {
            requeueStuckDeployment(d, newStatus);
            return;
        }
        writeStatus(sync, newStatus);
    }

    /** {@code getReplicaFailures} and {@code ReplicaSetToDeploymentCondition}: the new ReplicaSet's failure first. */
    private static Optional<DeploymentCondition> replicaFailure(List<ReplicaSet> all, ReplicaSet newRS) {
        List<ReplicaSet> ordered = new ArrayList<>();
        if (newRS != null) {
            ordered.add(newRS);
        }
        ordered.addAll(all);
        for (ReplicaSet rs : ordered) {
            if (rs == null || rs.getStatus() == null) {
                continue;
            }
            for (var condition : rs.getStatus().getConditions()) {
                if (DeploymentUtil.REPLICA_FAILURE.equals(condition.getType())) {
                    return Optional.of(new DeploymentConditionBuilder().withType(condition.getType())
                            .withStatus(condition.getStatus()).withReason(condition.getReason())
                            .withMessage(condition.getMessage()).withLastTransitionTime(condition.getLastTransitionTime())
                            .withLastUpdateTime(condition.getLastTransitionTime()).build());
                }
            }
        }
        return Optional.empty();
    }

    /** Looks at a stuck rollout again when its progress deadline passes, as {@code requeueStuckDeployment}. */
    private void requeueStuckDeployment(Deployment d, DeploymentStatus newStatus) {
        DeploymentCondition current = condition(d.getStatus(), PROGRESSING);
        if (!DeploymentUtil.hasProgressDeadline(d) || current == null) {
            return;
        }
        if (DeploymentUtil.deploymentComplete(d, newStatus) || DeploymentUtil.TIMED_OUT_REASON.equals(current.getReason())) {
            return;
        }
        // One second more than the deadline, as upstream does, to be past it with whole-second timestamps.
        Instant due = Instant.parse(current.getLastUpdateTime()).plusSeconds(d.getSpec().getProgressDeadlineSeconds() + 1L);
        String uid = d.getMetadata().getUid();
        if (due.equals(progressChecks.get(uid))) {
            return;
        }
        progressChecks.put(uid, due);
        String key = ObjectStore.keyOf(d);
        loop.wakeUpAt(due, () -> enqueue(key));
    }

    /** {@code calculateStatus}: counters from the ReplicaSets, and the Available condition. */
    static DeploymentStatus calculateStatus(List<ReplicaSet> all, ReplicaSet newRS, Deployment d, Instant now) {
        int available = DeploymentUtil.availableReplicaCount(all);
        int unavailable = Math.max(0, DeploymentUtil.replicaCount(all) - available);
        DeploymentStatus previous = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        DeploymentStatus status = new DeploymentStatus();
        status.setObservedGeneration(d.getMetadata().getGeneration());
        status.setReplicas(Models.omitZero(DeploymentUtil.actualReplicaCount(all)));
        status.setUpdatedReplicas(Models.omitZero(newRS == null ? 0 : DeploymentUtil.actualReplicaCount(List.of(newRS))));
        status.setReadyReplicas(Models.omitZero(DeploymentUtil.readyReplicaCount(all)));
        status.setAvailableReplicas(Models.omitZero(available));
        status.setUnavailableReplicas(Models.omitZero(unavailable));
        status.setCollisionCount(previous.getCollisionCount());
        status.setConditions(new ArrayList<>(copyConditions(previous.getConditions())));
        if (available >= desired(d) - DeploymentUtil.maxUnavailable(d)) {
            setCondition(status, newCondition(AVAILABLE, "True", DeploymentUtil.MINIMUM_AVAILABLE,
                    "Deployment has minimum availability.", now));
        } else {
            setCondition(status, newCondition(AVAILABLE, "False", DeploymentUtil.MINIMUM_UNAVAILABLE,
                    "Deployment does not have minimum availability.", now));
        }
        return status;
    }

    private static List<DeploymentCondition> copyConditions(List<DeploymentCondition> conditions) {
        return conditions.stream().map(c -> copy(c, DeploymentCondition.class)).toList();
    }

    private void writeStatus(Sync sync, DeploymentStatus status) {
        Deployment d = sync.d;
        Deployment toWrite = new DeploymentBuilder(d).withStatus(status).build();
        Deployment updated = client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                .resource(toWrite).updateStatus();
        deployments.observe(updated);
        sync.d = copy(updated);
    }

    private void event(Deployment d, String type, String reason, String message) {
        events.record(d, null, type, reason, message, "deployment-controller", null);
    }

    // ---- copies ----

    private static DeploymentStatus status(Deployment d) {
        if (d.getStatus() == null) {
            d.setStatus(new DeploymentStatus());
        }
        return d.getStatus();
    }

    private static Deployment copy(Deployment deployment) {
        return copy(deployment, Deployment.class);
    }

    private static ReplicaSet copy(ReplicaSet rs) {
        return copy(rs, ReplicaSet.class);
    }

    private static <T> T copy(T object, Class<T> type) {
        return Json.model(Json.tree(object), type);
    }

    private static Integer orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
