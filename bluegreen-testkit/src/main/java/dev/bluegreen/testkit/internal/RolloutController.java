package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.ArgoRolloutsApi.HASH_LABEL;
import static dev.bluegreen.testkit.internal.ArgoRolloutsApi.REVISION;
import static dev.bluegreen.testkit.internal.ArgoRolloutsApi.SCALE_DOWN_DEADLINE;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The blue-green part of the Argo Rollouts controller, after {@code rollout/bluegreen.go}, {@code rollout/service.go},
 * {@code rollout/replicaset.go} and {@code rollout/sync.go}, on the simulated ReplicaSets:
 * <ul>
 *   <li>a ReplicaSet per pod template ({@code <rollout>-<hash>}, label {@code rollouts-pod-template-hash}, annotation
 *       {@code rollout.argoproj.io/revision}, one more than the highest; a template seen before gets its ReplicaSet
 *       back with a new revision, as {@code undo} relies on);</li>
 *   <li>the preview Service selects the new revision; the active Service selects the stable one until promotion;
 *       the first revision goes active at once;</li>
 *   <li>with {@code autoPromotionEnabled: false}, once the new revision is available the Rollout pauses with a
 *       {@code BlueGreenPause} pause condition and {@code controllerPause: true}; clearing the pause conditions
 *       (the plugin's {@code promote}) lets it switch the active Service; {@code autoPromotionSeconds} ends the pause
 *       by itself; {@code promoteFull} skips it;</li>
 *   <li>{@code status.abort}: the active Service goes back to the stable revision at once, the new revision is
 *       scaled down after {@code abortScaleDownDelaySeconds} (default 30 s), the Rollout is Degraded
 *       ({@code RolloutAborted}); {@code abort: false} (retry) carries on;</li>
 *   <li>the revision the active Service left keeps its replicas for {@code scaleDownDelaySeconds} (default 30 s,
 *       annotation {@code scale-down-deadline}), then is scaled to zero;</li>
 *   <li>{@code spec.paused}; {@code spec.restartAt}: pods created before it are deleted one at a time while the
 *       rest are available, then {@code status.restartedAt} is set;</li>
 *   <li>the status as the real controller writes it: {@code observedGeneration}, {@code currentPodHash},
 *       {@code stableRS}, {@code blueGreen.activeSelector/previewSelector}, replica counts, {@code selector},
 *       {@code pauseConditions}, {@code controllerPause}, {@code abort}/{@code abortedAt}, the {@code Progressing},
 *       {@code Available} and {@code Paused} conditions, and {@code phase}/{@code message} computed as
 *       {@code rolloututil.CalculateRolloutPhase} does.</li>
 * </ul>
 * Not simulated: canary, analysis templates (AnalysisRuns are only stored), {@code previewReplicaCount} beyond the
 * count, {@code workloadRef}, anti-affinity, {@code rollbackWindow}, {@code revisionHistoryLimit} clean-up.
 */
final class RolloutController {

    private static final String KIND = "Rollout";
    private static final long DEFAULT_SCALE_DOWN_DELAY = 30;

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<GenericKubernetesResource> rollouts;
    private final ObjectStore<ReplicaSet> replicaSets;
    private final ObjectStore<Pod> pods;
    private final ObjectStore<Service> services;
    private final Consumer<String> replicaSetWritten;
    private final SimClock clock;

    RolloutController(KubernetesClient client, ControllerLoop loop, ObjectStore<GenericKubernetesResource> rollouts,
            ObjectStore<ReplicaSet> replicaSets, ObjectStore<Pod> pods, ObjectStore<Service> services,
            Consumer<String> replicaSetWritten) {
        this.client = client;
        this.loop = loop;
        this.rollouts = rollouts;
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.services = services;
        this.replicaSetWritten = replicaSetWritten;
        this.clock = loop.clock();
    }

    void enqueue(String key) {
        loop.reconcile("rollout " + key, () -> reconcile(key));
    }

    /** Queues the Rollout owning a ReplicaSet that changed or disappeared. */
    void replicaSetChanged(ReplicaSet rs) {
        Models.controllerOf(rs)
                .filter(owner -> KIND.equals(owner.getKind()))
                .ifPresent(owner -> enqueue(ObjectStore.key(rs.getMetadata().getNamespace(), owner.getName())));
    }

    /** Queues every Rollout of the Service's namespace: one of them may route through it. */
    void serviceChanged(Service service) {
        String namespace = service.getMetadata().getNamespace();
        for (GenericKubernetesResource rollout : rollouts.inNamespace(namespace)) {
            enqueue(ObjectStore.keyOf(rollout));
        }
    }

    /**
     * Explains how a Rollout differs from what the controller would leave, for {@code awaitSettled}.
     *
     * @param rollout a Rollout as the server has it
     * @return the difference, or empty when the controller has nothing left to do
     */
    static Optional<String> unsettled(GenericKubernetesResource rollout) {
        Map<String, Object> tree = Json.tree(rollout);
        if (Json.at(tree, "spec", "strategy", "blueGreen") == null) {
            return Optional.empty();
        }
        Object observed = Json.at(tree, "status", "observedGeneration");
        Long generation = rollout.getMetadata().getGeneration();
        if (generation != null && !String.valueOf(generation).equals(String.valueOf(observed))) {
            return Optional.of("Rollout " + ObjectStore.keyOf(rollout) + " has generation " + generation
                    + " but its status observed " + observed);
        }
        return Optional.empty();
    }

    // ---- the reconciliation ----

    private void reconcile(String key) {
        GenericKubernetesResource stored = rollouts.get(key);
        if (stored == null || stored.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Map<String, Object> ro = Json.tree(stored);
        Map<String, Object> spec = Json.mapOrNull(ro, "spec");
        Map<String, Object> blueGreen = Json.mapOrNull(Json.mapOrNull(spec, "strategy"), "blueGreen");
        if (blueGreen == null || Json.mapOrNull(spec, "template") == null || Json.mapOrNull(spec, "selector") == null) {
            return;
        }
        String namespace = stored.getMetadata().getNamespace();
        String name = stored.getMetadata().getName();
        Instant now = clock.instant();
        Map<String, Object> oldStatus = Json.mapOrNull(ro, "status") == null ? new LinkedHashMap<>()
                : Json.copy(Json.mapOrNull(ro, "status"));
        Map<String, Object> status = Json.copy(oldStatus);
        status.remove("pauseConditions");
        status.put("pauseConditions", pauseConditions(oldStatus));
        status.put("observedGeneration", String.valueOf(stored.getMetadata().getGeneration()));

        Service active = services.get(ObjectStore.key(namespace, Json.string(blueGreen, "activeService")));
        String previewName = Json.string(blueGreen, "previewService");
        Service preview = previewName == null || previewName.isEmpty() ? null
                : services.get(ObjectStore.key(namespace, previewName));
        if (active == null || (previewName != null && !previewName.isEmpty() && preview == null)) {
            String missing = active == null ? Json.string(blueGreen, "activeService") : previewName;
            String field = active == null ? "activeService" : "previewService";
            setCondition(status, "InvalidSpec", "True", "InvalidSpec", "The Rollout \"" + name
                    + "\" is invalid: spec.strategy.blueGreen." + field + ": Invalid value: \"" + missing
                    + "\": service \"" + missing + "\" not found", now);
            String[] phase = phase(spec, status);
            status.put("phase", phase[0]);
            status.put("message", phase[1]);
            writeStatus(stored, ro, oldStatus, status);
            return;
        }
        removeCondition(status, "InvalidSpec");

        PodTemplateSpec template = Json.model(Json.mapOrNull(spec, "template"), PodTemplateSpec.class);
        List<ReplicaSet> owned = new ArrayList<>(replicaSets.inNamespace(namespace).stream()
                .filter(rs -> Models.isControlledBy(rs, stored.getMetadata().getUid())).toList());
        // Found by the hash of the Rollout's template, as FindNewReplicaSet does (the server defaults the
        // ReplicaSet's copy of the template, so the copies are not compared).
        String templateHash = DeploymentUtil.templateHash(template, null);
        ReplicaSet newRS = owned.stream().filter(rs -> templateHash.equals(Models.labels(rs).get(HASH_LABEL)))
                .min(DeploymentUtil.BY_CREATION).orElse(null);
        if (newRS == null) {
            // A template taken back from one of the ReplicaSets (undo) carries the server's defaults: compare
            // with the defaults applied, ignoring the hash label (PodTemplateEqualIgnoreHash).
            PodTemplateSpec defaulted = Json.model(Json.tree(template), PodTemplateSpec.class);
            Admission.defaultTemplate(defaulted);
            newRS = owned.stream().filter(rs -> Canonical.same(withoutHash(rs.getSpec().getTemplate()),
                    withoutHash(defaulted))).min(DeploymentUtil.BY_CREATION).orElse(null);
        }
        long maxRevision = owned.stream().mapToLong(RolloutController::revision).max().orElse(0);
        int replicas = spec.get("replicas") instanceof Number n ? n.intValue() : 1;
        String previousHash = Json.string(oldStatus, "currentPodHash");
        if (newRS == null) {
            newRS = createReplicaSet(stored, spec, template, maxRevision + 1);
            owned.add(newRS);
        } else if (revision(newRS) < maxRevision) {
            // A template seen before (undo): its ReplicaSet becomes the newest revision again.
            newRS = annotate(newRS, REVISION, String.valueOf(maxRevision + 1));
        }
        String newHash = Models.labels(newRS).get(HASH_LABEL);
        if (previousHash != null && !previousHash.equals(newHash)) {
            // A new pod template: what the previous update was doing no longer applies (resetRolloutStatus).
            status.remove("abort");
            status.remove("abortedAt");
            status.put("pauseConditions", new ArrayList<>());
            status.remove("controllerPause");
            status.remove("promoteFull");
        }
        status.put("currentPodHash", newHash);
        String stable = Json.string(status, "stableRS");
        boolean abort = Boolean.TRUE.equals(status.get("abort"));
        if (abort && newHash.equals(stable)) {
            status.remove("abort");
            status.remove("abortedAt");
            abort = false;
        }
        if (abort && status.get("abortedAt") == null) {
            status.put("abortedAt", Models.timestamp(now));
        }

        String activeSelector = selectorHash(active);
        boolean newAvailable = fullyAvailable(newRS, replicas);
        boolean specPaused = Boolean.TRUE.equals(spec.get("paused"));

        // Pause before promotion (reconcileBlueGreenPause).
        boolean promoteFull = Boolean.TRUE.equals(status.get("promoteFull"));
        boolean autoPromotion = !Boolean.FALSE.equals(blueGreen.get("autoPromotionEnabled"));
        List<Map<String, Object>> conditions = cast(status.get("pauseConditions"));
        Map<String, Object> pause = conditions.stream().filter(c -> "BlueGreenPause".equals(c.get("reason")))
                .findFirst().orElse(null);
        boolean waitingForPromotion = false;
        if (!abort && stable != null && !newHash.equals(activeSelector) && !newHash.equals(stable)) {
            if (promoteFull || autoPromotion) {
                conditions.removeIf(c -> "BlueGreenPause".equals(c.get("reason")));
            } else if (newAvailable && !specPaused) {
                if (pause != null) {
                    long seconds = blueGreen.get("autoPromotionSeconds") instanceof Number n ? n.longValue() : 0;
                    Instant started = Instant.parse(String.valueOf(pause.get("startTime")));
                    if (seconds > 0 && !now.isBefore(started.plusSeconds(seconds))) {
                        conditions.remove(pause);
                    } else {
                        waitingForPromotion = true;
                        if (seconds > 0) {
                            loop.wakeUpAt(started.plusSeconds(seconds), () -> enqueue(key));
                        }
                    }
                } else if (!Boolean.TRUE.equals(status.get("controllerPause"))) {
                    Map<String, Object> added = new LinkedHashMap<>();
                    added.put("reason", "BlueGreenPause");
                    added.put("startTime", Models.timestamp(now));
                    conditions.add(added);
                    status.put("controllerPause", true);
                    waitingForPromotion = true;
                }
            } else if (!newAvailable) {
                waitingForPromotion = true;
            }
        }
        boolean paused = specPaused || !conditions.isEmpty();

        // Replicas of the new revision.
        if (abort) {
            ensureScaleDown(newRS, longSetting(blueGreen, "abortScaleDownDelaySeconds"), now, key);
        } else {
            Integer previewCount = blueGreen.get("previewReplicaCount") instanceof Number n ? n.intValue() : null;
            int wanted = previewCount != null && !newHash.equals(activeSelector) && stable != null
                    && !promoteFull ? previewCount : replicas;
            newRS = scale(newRS, wanted, true);
        }

        // The active Service (reconcileActiveService).
        String activeHash = activeSelector;
        if (abort) {
            if (stable != null && !stable.equals(activeSelector)) {
                activeHash = switchSelector(active, stable, name);
            }
        } else if (newAvailable && !newHash.equals(activeSelector) && !waitingForPromotion && !paused
                && fullyAvailable(newRS, replicas)) {
            activeHash = switchSelector(active, newHash, name);
        }
        String previewHash = null;
        if (preview != null) {
            previewHash = selectorHash(preview);
            if (!newHash.equals(previewHash)) {
                previewHash = switchSelector(preview, newHash, name);
            }
        }

        // Promotion completes once the new revision is active and available (no post-promotion analysis here).
        if (!abort && newHash.equals(activeHash) && fullyAvailable(newRS, replicas)) {
            status.put("stableRS", newHash);
            stable = newHash;
            status.remove("controllerPause");
            status.remove("promoteFull");
            conditions.removeIf(c -> "BlueGreenPause".equals(c.get("reason")));
        }

        // Old revisions: the one that served keeps its pods for the scale-down delay.
        for (ReplicaSet rs : owned) {
            String hash = Models.labels(rs).get(HASH_LABEL);
            if (hash.equals(newHash) || hash.equals(activeHash) || (abort && hash.equals(stable))) {
                if (hash.equals(activeHash) || (abort && hash.equals(stable))) {
                    ReplicaSet current = replicaSets.get(ObjectStore.keyOf(rs));
                    scale(current == null ? rs : current, replicas, true);
                }
                continue;
            }
            ReplicaSet current = replicaSets.get(ObjectStore.keyOf(rs));
            ensureScaleDown(current == null ? rs : current, longSetting(blueGreen, "scaleDownDelaySeconds"), now, key);
        }

        restart(spec, status, owned, now, key);

        String activeNow = activeHash;
        ReplicaSet activeRS = owned.stream().filter(rs -> Objects.equals(Models.labels(rs).get(HASH_LABEL), activeNow))
                .map(rs -> Optional.ofNullable(replicaSets.get(ObjectStore.keyOf(rs))).orElse(rs)).findFirst().orElse(null);
        ReplicaSet latestNew = Optional.ofNullable(replicaSets.get(ObjectStore.keyOf(newRS))).orElse(newRS);
        Map<String, Object> blueGreenStatus = Json.map(status, "blueGreen");
        putOrRemove(blueGreenStatus, "activeSelector", activeHash);
        putOrRemove(blueGreenStatus, "previewSelector", previewHash);
        status.put("replicas", owned.stream().map(rs -> replicaSets.get(ObjectStore.keyOf(rs))).filter(Objects::nonNull)
                .mapToInt(rs -> rs.getStatus() == null ? 0 : Models.orZero(rs.getStatus().getReplicas())).sum());
        status.put("updatedReplicas", latestNew.getStatus() == null ? 0 : Models.orZero(latestNew.getStatus().getReplicas()));
        status.put("readyReplicas", activeRS == null || activeRS.getStatus() == null ? 0
                : Models.orZero(activeRS.getStatus().getReadyReplicas()));
        status.put("availableReplicas", activeRS == null || activeRS.getStatus() == null ? 0
                : Models.orZero(activeRS.getStatus().getAvailableReplicas()));
        status.put("HPAReplicas", activeRS == null || activeRS.getStatus() == null ? 0
                : Models.orZero(activeRS.getStatus().getReplicas()));
        status.put("selector", Tables.selector(Json.tree((activeRS != null ? activeRS : latestNew).getSpec().getSelector())));
        status.put("stableRS", stable);
        if (stable == null) {
            status.remove("stableRS");
        }
        if (status.get("restartedAt") == null) {
            status.remove("restartedAt");
        }
        status.put("pauseConditions", conditions);
        if (conditions.isEmpty()) {
            status.remove("pauseConditions");
        }
        if (!conditions.isEmpty()) {
            status.put("controllerPause", true);
        }
        conditionsFor(status, spec, newRS, latestNew, activeRS, abort, paused, replicas, now);
        writeStatus(stored, ro, oldStatus, status);
    }

    private void conditionsFor(Map<String, Object> status, Map<String, Object> spec, ReplicaSet newRS,
            ReplicaSet latestNew, ReplicaSet activeRS, boolean abort, boolean paused, int replicas, Instant now) {
        boolean available = activeRS != null && activeRS.getStatus() != null
                && Models.orZero(activeRS.getStatus().getAvailableReplicas()) >= replicas;
        setCondition(status, "Available", available ? "True" : "False", available ? "AvailableReason" : "AvailableReason",
                available ? "Rollout has minimum availability" : "Rollout does not have minimum availability", now);
        String rsName = newRS.getMetadata().getName();
        if (abort) {
            setCondition(status, "Progressing", "False", "RolloutAborted", "Rollout aborted update to revision "
                    + revision(latestNew), now);
        } else if (paused) {
            setCondition(status, "Progressing", "Unknown", "RolloutPaused", "Rollout is paused", now);
        } else if (newRS.getMetadata().getLabels().get(HASH_LABEL).equals(status.get("stableRS"))
                && fullyAvailable(latestNew, replicas)) {
            setCondition(status, "Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet \"" + rsName
                    + "\" has successfully progressed.", now);
        } else {
            setCondition(status, "Progressing", "True", "ReplicaSetUpdated", "ReplicaSet \"" + rsName
                    + "\" is progressing.", now);
        }
        if (paused) {
            setCondition(status, "Paused", "True", "RolloutPaused", "Rollout is paused", now);
        } else {
            removeCondition(status, "Paused");
        }
        String[] phase = phase(spec, status);
        status.put("phase", phase[0]);
        status.put("message", phase[1]);
    }

    /** {@code rolloututil.CalculateRolloutPhase} for blue-green, without analysis. */
    static String[] phase(Map<String, Object> spec, Map<String, Object> status) {
        for (Map<String, Object> condition : cast(status.get("conditions"))) {
            if ("InvalidSpec".equals(condition.get("type"))) {
                return new String[] {"Degraded", "InvalidSpec: " + condition.get("message")};
            }
            Object reason = condition.get("reason");
            if ("RolloutAborted".equals(reason) || "ProgressDeadlineExceeded".equals(reason)) {
                return new String[] {"Degraded", reason + ": " + condition.get("message")};
            }
        }
        if (Boolean.TRUE.equals(spec.get("paused"))) {
            return new String[] {"Paused", "manually paused"};
        }
        List<Map<String, Object>> pauses = cast(status.get("pauseConditions"));
        if (!pauses.isEmpty()) {
            return new String[] {"Paused", String.valueOf(pauses.get(0).get("reason"))};
        }
        Object restartAt = spec.get("restartAt");
        if (restartAt != null && !restartAt.equals(status.get("restartedAt"))) {
            return new String[] {"Progressing", "rollout is restarting"};
        }
        int replicas = spec.get("replicas") instanceof Number n ? n.intValue() : 1;
        if (number(status, "updatedReplicas") < replicas) {
            return new String[] {"Progressing", "more replicas need to be updated"};
        }
        if (number(status, "availableReplicas") < number(status, "updatedReplicas")) {
            return new String[] {"Progressing", "updated replicas are still becoming available"};
        }
        Object activeSelector = Json.at(status, "blueGreen", "activeSelector");
        if (activeSelector == null || !activeSelector.equals(status.get("currentPodHash"))) {
            return new String[] {"Progressing", "active service cutover pending"};
        }
        if (status.get("stableRS") == null || !status.get("stableRS").equals(status.get("currentPodHash"))) {
            return new String[] {"Progressing", "waiting for post-promotion verification to complete"};
        }
        return new String[] {"Healthy", ""};
    }

    // ---- ReplicaSets ----

    private ReplicaSet createReplicaSet(GenericKubernetesResource ro, Map<String, Object> spec, PodTemplateSpec template,
            long revision) {
        String hash = DeploymentUtil.templateHash(template, null);
        PodTemplateSpec podTemplate = Json.model(Json.tree(template), PodTemplateSpec.class);
        if (podTemplate.getMetadata() == null) {
            podTemplate.setMetadata(new ObjectMeta());
        }
        Map<String, String> labels = new LinkedHashMap<>(DeploymentUtil.orEmpty(podTemplate.getMetadata().getLabels()));
        labels.put(HASH_LABEL, hash);
        podTemplate.getMetadata().setLabels(labels);
        LabelSelector selector = Json.model(Json.mapOrNull(spec, "selector"), LabelSelector.class);
        Map<String, String> matchLabels = new LinkedHashMap<>(DeploymentUtil.orEmpty(selector.getMatchLabels()));
        matchLabels.put(HASH_LABEL, hash);
        selector.setMatchLabels(matchLabels);
        ReplicaSet rs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(ro.getMetadata().getName() + "-" + hash)
                .withNamespace(ro.getMetadata().getNamespace())
                .withLabels(labels)
                .addToAnnotations(REVISION, String.valueOf(revision))
                .addNewOwnerReference()
                .withApiVersion(ArgoRolloutsApi.API_VERSION).withKind(KIND).withName(ro.getMetadata().getName())
                .withUid(ro.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withMinReadySeconds(spec.get("minReadySeconds") instanceof Number n ? n.intValue() : null)
                .withSelector(selector)
                .withTemplate(podTemplate)
                .endSpec()
                .build();
        ReplicaSet created;
        try {
            created = client.apps().replicaSets().inNamespace(ro.getMetadata().getNamespace()).resource(rs).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            created = client.apps().replicaSets().inNamespace(ro.getMetadata().getNamespace())
                    .withName(rs.getMetadata().getName()).get();
        }
        replicaSets.observe(created);
        replicaSetWritten.accept(ObjectStore.keyOf(created));
        return created;
    }

    private ReplicaSet annotate(ReplicaSet rs, String key, String value) {
        ReplicaSet copy = Json.model(Json.tree(rs), ReplicaSet.class);
        Map<String, String> annotations = new LinkedHashMap<>(DeploymentUtil.orEmpty(copy.getMetadata().getAnnotations()));
        if (value == null) {
            annotations.remove(key);
        } else {
            annotations.put(key, value);
        }
        copy.getMetadata().setAnnotations(annotations);
        return update(copy);
    }

    /** Scales a ReplicaSet; {@code clearDeadline} drops a pending scale-down (the revision serves again). */
    private ReplicaSet scale(ReplicaSet rs, int replicas, boolean clearDeadline) {
        boolean hasDeadline = DeploymentUtil.orEmpty(rs.getMetadata().getAnnotations()).containsKey(SCALE_DOWN_DEADLINE);
        if (DeploymentUtil.specReplicas(rs) == replicas && !(clearDeadline && hasDeadline)) {
            return rs;
        }
        ReplicaSet copy = Json.model(Json.tree(rs), ReplicaSet.class);
        copy.getSpec().setReplicas(replicas);
        if (clearDeadline && copy.getMetadata().getAnnotations() != null) {
            Map<String, String> annotations = new LinkedHashMap<>(copy.getMetadata().getAnnotations());
            annotations.remove(SCALE_DOWN_DEADLINE);
            copy.getMetadata().setAnnotations(annotations);
        }
        return update(copy);
    }

    /** Scales a ReplicaSet down once its delay (from the first time it is asked) has passed. */
    private void ensureScaleDown(ReplicaSet rs, Long delaySeconds, Instant now, String key) {
        if (DeploymentUtil.specReplicas(rs) == 0) {
            return;
        }
        long delay = delaySeconds == null ? DEFAULT_SCALE_DOWN_DELAY : delaySeconds;
        String deadline = DeploymentUtil.orEmpty(rs.getMetadata().getAnnotations()).get(SCALE_DOWN_DEADLINE);
        if (deadline == null) {
            if (delay <= 0) {
                scale(rs, 0, true);
                return;
            }
            Instant due = now.plusSeconds(delay);
            annotate(rs, SCALE_DOWN_DEADLINE, Models.timestamp(due));
            loop.wakeUpAt(due, () -> enqueue(key));
            return;
        }
        Instant due = Instant.parse(deadline);
        if (!now.isBefore(due)) {
            scale(rs, 0, true);
        } else {
            loop.wakeUpAt(due, () -> enqueue(key));
        }
    }

    private ReplicaSet update(ReplicaSet rs) {
        ReplicaSet updated = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(rs).update();
        replicaSets.observe(updated);
        replicaSetWritten.accept(ObjectStore.keyOf(updated));
        return updated;
    }

    /** {@code spec.restartAt}: deletes one pod created before it at a time, while the rest are available. */
    private void restart(Map<String, Object> spec, Map<String, Object> status, List<ReplicaSet> owned, Instant now,
            String key) {
        Object restartAt = spec.get("restartAt");
        if (restartAt == null || restartAt.equals(status.get("restartedAt"))) {
            return;
        }
        Instant at = Instant.parse(String.valueOf(restartAt));
        if (now.isBefore(at)) {
            loop.wakeUpAt(at, () -> enqueue(key));
            return;
        }
        for (ReplicaSet listed : owned) {
            ReplicaSet rs = Optional.ofNullable(replicaSets.get(ObjectStore.keyOf(listed))).orElse(listed);
            List<Pod> active = ReplicaSetController.activePods(rs, pods.inNamespace(rs.getMetadata().getNamespace()));
            List<Pod> old = active.stream().filter(pod -> pod.getMetadata().getCreationTimestamp() != null
                    && Instant.parse(pod.getMetadata().getCreationTimestamp()).isBefore(at))
                    .sorted(Comparator.comparing(pod -> pod.getMetadata().getName())).toList();
            if (!old.isEmpty()) {
                if (fullyAvailable(rs, DeploymentUtil.specReplicas(rs))) {
                    Pod pod = old.get(0);
                    try {
                        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                                .delete();
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != 404) {
                            throw e;
                        }
                    }
                }
                return;
            }
        }
        status.put("restartedAt", restartAt);
    }

    // ---- Services ----

    private String switchSelector(Service service, String hash, String rollout) {
        String patch = Serialization.asJson(Map.of(
                "metadata", Map.of("annotations", Map.of(ArgoRolloutsApi.MANAGED_BY, rollout)),
                "spec", Map.of("selector", Map.of(HASH_LABEL, hash))));
        Service patched = client.services().inNamespace(service.getMetadata().getNamespace()).resource(service)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        services.observe(patched);
        return hash;
    }

    private static String selectorHash(Service service) {
        return service.getSpec() == null || service.getSpec().getSelector() == null ? null
                : service.getSpec().getSelector().get(HASH_LABEL);
    }

    // ---- status ----

    private void writeStatus(GenericKubernetesResource stored, Map<String, Object> ro, Map<String, Object> oldStatus,
            Map<String, Object> status) {
        if (Canonical.same(oldStatus, status)) {
            return;
        }
        Map<String, Object> toWrite = Json.copy(ro);
        toWrite.put("status", status);
        GenericKubernetesResource resource = Json.model(toWrite, GenericKubernetesResource.class);
        GenericKubernetesResource updated = client.genericKubernetesResources(ArgoRolloutsApi.API_VERSION, KIND)
                .inNamespace(stored.getMetadata().getNamespace()).resource(resource).updateStatus();
        rollouts.observe(updated);
    }

    private static void setCondition(Map<String, Object> status, String type, String value, String reason, String message,
            Instant now) {
        List<Object> conditions = new ArrayList<>(status.get("conditions") instanceof List<?> l ? l : List.of());
        Map<String, Object> existing = cast(conditions).stream().filter(c -> type.equals(c.get("type"))).findFirst()
                .orElse(null);
        if (existing != null && value.equals(existing.get("status")) && reason.equals(existing.get("reason"))
                && message.equals(existing.get("message"))) {
            return;
        }
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", type);
        condition.put("status", value);
        condition.put("reason", reason);
        condition.put("message", message);
        condition.put("lastUpdateTime", Models.timestamp(now));
        condition.put("lastTransitionTime", existing != null && value.equals(existing.get("status"))
                ? existing.get("lastTransitionTime") : Models.timestamp(now));
        if (existing != null) {
            conditions.set(conditions.indexOf(existing), condition);
        } else {
            conditions.add(condition);
        }
        status.put("conditions", conditions);
    }

    private static void removeCondition(Map<String, Object> status, String type) {
        if (status.get("conditions") instanceof List<?> list) {
            List<Object> kept = new ArrayList<>(list);
            kept.removeIf(c -> c instanceof Map<?, ?> m && type.equals(m.get("type")));
            status.put("conditions", kept);
        }
    }

    private static List<Map<String, Object>> pauseConditions(Map<String, Object> status) {
        List<Map<String, Object>> list = new ArrayList<>();
        if (status.get("pauseConditions") instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    list.add(new LinkedHashMap<>(Json.cast(map)));
                }
            }
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cast(Object list) {
        if (!(list instanceof List<?> items)) {
            return new ArrayList<>();
        }
        return (List<Map<String, Object>>) (List<?>) items;
    }

    private static void putOrRemove(Map<String, Object> map, String key, Object value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    private static int number(Map<String, Object> status, String key) {
        return status.get(key) instanceof Number n ? n.intValue() : 0;
    }

    private static Long longSetting(Map<String, Object> blueGreen, String key) {
        return blueGreen.get(key) instanceof Number n ? n.longValue() : null;
    }

    private static boolean fullyAvailable(ReplicaSet rs, int replicas) {
        if (rs == null || rs.getStatus() == null || DeploymentUtil.specReplicas(rs) < replicas) {
            return false;
        }
        Long observed = rs.getStatus().getObservedGeneration();
        return observed != null && observed >= rs.getMetadata().getGeneration()
                && Models.orZero(rs.getStatus().getAvailableReplicas()) >= replicas;
    }

    private static long revision(ReplicaSet rs) {
        String value = DeploymentUtil.orEmpty(rs.getMetadata().getAnnotations()).get(REVISION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, Object> withoutHash(PodTemplateSpec template) {
        return DeploymentUtil.withoutLabel(template, HASH_LABEL);
    }
}
