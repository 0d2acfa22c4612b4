package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Deployment controller's arithmetic, after {@code pkg/controller/deployment/util/deployment_util.go}:
 * revisions and their annotations, which ReplicaSet is new, surge and unavailability (surge rounds up,
 * unavailability rounds down, never both zero), how far the new ReplicaSet may grow, conditions (a condition
 * keeps its timestamps while status and reason stay the same), and when a Deployment is complete,
 * progressing or timed out.
 */
final class DeploymentUtil {

    static final String TEMPLATE_HASH_LABEL = "pod-template-hash";
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    private static final Set<String> ANNOTATIONS_TO_SKIP = Set.of(
            "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
            MAX_REPLICAS, "deprecated.deployment.rollback.to");

    static final String AVAILABLE = "Available";
    static final String PROGRESSING = "Progressing";
    static final String REPLICA_FAILURE = "ReplicaFailure";
    static final String NEW_RS_REASON = "NewReplicaSetCreated";
    static final String FOUND_NEW_RS_REASON = "FoundNewReplicaSet";
    static final String RS_UPDATED_REASON = "ReplicaSetUpdated";
    static final String NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable";
    static final String TIMED_OUT_REASON = "ProgressDeadlineExceeded";
    static final String PAUSED_REASON = "DeploymentPaused";
    static final String RESUMED_REASON = "DeploymentResumed";
    static final String MINIMUM_AVAILABLE = "MinimumReplicasAvailable";
    static final String MINIMUM_UNAVAILABLE = "MinimumReplicasUnavailable";

    private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    /** Oldest first, then by name: {@code controller.ReplicaSetsByCreationTimestamp}. */
    static final Comparator<ReplicaSet> BY_CREATION = Comparator
            .comparing((ReplicaSet rs) -> rs.getMetadata().getCreationTimestamp(), Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(rs -> rs.getMetadata().getName());

    private DeploymentUtil() {
    }

    // ---- hashing and templates ----

    /**
     * The {@code pod-template-hash} of a template: an FNV-1a hash of its content (and the collision count),
     * written with the alphabet the API uses for generated names, as {@code controller.ComputeHash} does.
     *
     * @param template       the Deployment's template
     * @param collisionCount the Deployment's {@code status.collisionCount}, or null
     * @return e.g. {@code 5d59d67564}
     */
    static String templateHash(PodTemplateSpec template, Integer collisionCount) {
        String content = Canonical.json(template) + (collisionCount == null ? "" : "#" + collisionCount);
        int hash = 0x811c9dc5;
        for (byte b : content.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        String decimal = Long.toString(Integer.toUnsignedLong(hash));
        StringBuilder encoded = new StringBuilder(decimal.length());
        for (char c : decimal.toCharArray()) {
            encoded.append(SAFE_ALPHABET.charAt(c % SAFE_ALPHABET.length()));
        }
        return encoded.toString();
    }

    /** Two templates are equal but for the {@code pod-template-hash} label. */
    static boolean equalIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        return Canonical.same(withoutHash(a), withoutHash(b));
    }

    private static Map<String, Object> withoutHash(PodTemplateSpec template) {
        return withoutLabel(template, TEMPLATE_HASH_LABEL);
    }

    /**
     * A pod template as a tree without one of its labels (a hash label), for comparing templates.
     *
     * @param template the template; null counts as an empty one
     * @param label    the label to leave out
     * @return the tree
     */
    static Map<String, Object> withoutLabel(PodTemplateSpec template, String label) {
        Map<String, Object> tree = Json.tree(template == null ? new PodTemplateSpec() : template);
        Map<String, Object> metadata = Json.mapOrNull(tree, "metadata");
        Map<String, Object> labels = Json.mapOrNull(metadata, "labels");
        if (labels != null) {
            labels.remove(label);
            if (labels.isEmpty()) {
                metadata.remove("labels");
            }
        }
        return tree;
    }

    /** The ReplicaSet whose template is the Deployment's; the oldest one if several are. */
    static ReplicaSet findNewReplicaSet(Deployment deployment, List<ReplicaSet> replicaSets) {
        return replicaSets.stream().sorted(BY_CREATION)
                .filter(rs -> equalIgnoreHash(rs.getSpec().getTemplate(), deployment.getSpec().getTemplate()))
                .findFirst().orElse(null);
    }

    // ---- revisions and annotations ----

    static long revision(ObjectMeta metadata) {
        String value = metadata.getAnnotations() == null ? null : metadata.getAnnotations().get(REVISION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long maxRevision(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().mapToLong(rs -> revision(rs.getMetadata())).max().orElse(0);
    }

    /**
     * Copies the Deployment's annotations to its new ReplicaSet (except the controller's own) and sets the
     * revision, desired-replicas and max-replicas annotations, as {@code SetNewReplicaSetAnnotations} does;
     * when the ReplicaSet comes back to life with a newer revision (a rollback), the old revision joins
     * {@code revision-history}.
     *
     * @return whether anything changed
     */
    static boolean setNewReplicaSetAnnotations(Deployment deployment, ReplicaSet rs, String newRevision, boolean exists) {
        Map<String, String> annotations = new LinkedHashMap<>(orEmpty(rs.getMetadata().getAnnotations()));
        Map<String, String> before = new LinkedHashMap<>(annotations);
        orEmpty(deployment.getMetadata().getAnnotations()).forEach((key, value) -> {
            if (!ANNOTATIONS_TO_SKIP.contains(key)) {
                annotations.put(key, value);
            }
        });
        String oldRevision = annotations.get(REVISION);
        long oldNumber = parse(oldRevision);
        long newNumber = parse(newRevision);
        if (oldRevision == null || oldNumber < newNumber) {
            annotations.put(REVISION, newRevision);
            if (oldRevision != null && !oldRevision.isEmpty()) {
                String history = annotations.get(REVISION_HISTORY);
                annotations.put(REVISION_HISTORY, history == null || history.isEmpty() ? oldRevision : history + "," + oldRevision);
            }
        }
        if (!exists) {
            annotations.put(DESIRED_REPLICAS, String.valueOf(desired(deployment)));
            annotations.put(MAX_REPLICAS, String.valueOf(desired(deployment) + maxSurge(deployment)));
        }
        rs.getMetadata().setAnnotations(annotations);
        return !annotations.equals(before);
    }

    /** Sets desired-replicas and max-replicas; tells whether they changed. */
    static boolean setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
        Map<String, String> annotations = new LinkedHashMap<>(orEmpty(rs.getMetadata().getAnnotations()));
        String wantedDesired = String.valueOf(desired);
        String wantedMax = String.valueOf(max);
        if (wantedDesired.equals(annotations.get(DESIRED_REPLICAS)) && wantedMax.equals(annotations.get(MAX_REPLICAS))) {
            return false;
        }
        annotations.put(DESIRED_REPLICAS, wantedDesired);
        annotations.put(MAX_REPLICAS, wantedMax);
        rs.getMetadata().setAnnotations(annotations);
        return true;
    }

    /** Sets the Deployment's revision annotation; tells whether it changed. */
    static boolean setDeploymentRevision(Deployment deployment, String revision) {
        Map<String, String> annotations = new LinkedHashMap<>(orEmpty(deployment.getMetadata().getAnnotations()));
        if (revision.equals(annotations.get(REVISION))) {
            return false;
        }
        annotations.put(REVISION, revision);
        deployment.getMetadata().setAnnotations(annotations);
        return true;
    }

    static Integer desiredReplicasAnnotation(ReplicaSet rs) {
        String value = orEmpty(rs.getMetadata().getAnnotations()).get(DESIRED_REPLICAS);
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- sizes ----

    static int desired(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    static int specReplicas(ReplicaSet rs) {
        return rs == null || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
    }

    static int replicaCount(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().mapToInt(DeploymentUtil::specReplicas).sum();
    }

    static int actualReplicaCount(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().filter(rs -> rs != null && rs.getStatus() != null)
                .mapToInt(rs -> Models.orZero(rs.getStatus().getReplicas())).sum();
    }

    static int readyReplicaCount(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().filter(rs -> rs != null && rs.getStatus() != null)
                .mapToInt(rs -> Models.orZero(rs.getStatus().getReadyReplicas())).sum();
    }

    static int availableReplicaCount(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().filter(rs -> rs != null && rs.getStatus() != null)
                .mapToInt(rs -> Models.orZero(rs.getStatus().getAvailableReplicas())).sum();
    }

    static int available(ReplicaSet rs) {
        return rs == null || rs.getStatus() == null ? 0 : Models.orZero(rs.getStatus().getAvailableReplicas());
    }

    static List<ReplicaSet> active(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().filter(rs -> rs != null && specReplicas(rs) > 0).toList();
    }

    static boolean isRollingUpdate(Deployment deployment) {
        return deployment.getSpec().getStrategy() == null
                || !"Recreate".equals(deployment.getSpec().getStrategy().getType());
    }

    /** The surge in pods: the percentage of the desired replicas rounded up. Zero for Recreate. */
    static int maxSurge(Deployment deployment) {
        if (!isRollingUpdate(deployment)) {
            return 0;
        }
        return fenceposts(deployment)[0];
    }

    /** The unavailability in pods: the percentage rounded down, at most the replicas. Zero for Recreate. */
    static int maxUnavailable(Deployment deployment) {
        int desired = desired(deployment);
        if (!isRollingUpdate(deployment) || desired == 0) {
            return 0;
        }
        int unavailable = fenceposts(deployment)[1];
        return Math.min(unavailable, desired);
    }

    /** {@code ResolveFenceposts}: surge rounds up, unavailability down; both zero make unavailability one. */
    private static int[] fenceposts(Deployment deployment) {
        var rolling = deployment.getSpec().getStrategy() == null ? null : deployment.getSpec().getStrategy().getRollingUpdate();
        int desired = desired(deployment);
        int surge = scaled(rolling == null ? null : rolling.getMaxSurge(), desired, true);
        int unavailable = scaled(rolling == null ? null : rolling.getMaxUnavailable(), desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new int[] {surge, unavailable};
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent}; an absent value counts as 25%. */
    static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            value = new IntOrString("25%");
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal() == null ? "0%" : value.getStrVal().trim();
        int percent = Integer.parseInt(text.endsWith("%") ? text.substring(0, text.length() - 1) : text);
        double exact = (double) percent * total / 100.0;
        return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
    }

    /** How many replicas the new ReplicaSet may have now: {@code NewRSNewReplicas}. */
    static int newRSNewReplicas(Deployment deployment, List<ReplicaSet> allRSs, ReplicaSet newRS) {
        int desired = desired(deployment);
        if (!isRollingUpdate(deployment)) {
            return desired;
        }
        int surge = scaled(deployment.getSpec().getStrategy().getRollingUpdate() == null ? null
                : deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge(), desired, true);
        int current = replicaCount(allRSs);
        int maxTotal = desired + surge;
        if (current >= maxTotal) {
            return specReplicas(newRS);
        }
        int scaleUp = Math.min(maxTotal - current, desired - specReplicas(newRS));
        return specReplicas(newRS) + scaleUp;
    }

    /** The new ReplicaSet runs all desired replicas, all available: {@code IsSaturated}. */
    static boolean isSaturated(Deployment deployment, ReplicaSet rs) {
        if (rs == null) {
            return false;
        }
        Integer desiredAnnotation = desiredReplicasAnnotation(rs);
        int desired = desired(deployment);
        return specReplicas(rs) == desired && desiredAnnotation != null && desiredAnnotation == desired
                && available(rs) == desired;
    }

    /** {@code FindActiveOrLatest}: the only active ReplicaSet, or the newest when none is active, else null. */
    static ReplicaSet findActiveOrLatest(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        if (newRS == null && oldRSs.isEmpty()) {
            return null;
        }
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        if (newRS != null) {
            all.add(newRS);
        }
        all.sort(BY_CREATION.reversed());
        List<ReplicaSet> active = active(all);
        if (active.isEmpty()) {
            return newRS != null ? newRS : all.get(0);
        }
        return active.size() == 1 ? active.get(0) : null;
    }

    /** {@code GetProportion}: this ReplicaSet's share of the replicas to add or remove in a proportional scale. */
    static int proportion(ReplicaSet rs, Deployment deployment, int toAdd, int added) {
        if (rs == null || specReplicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = fraction(rs, deployment);
        int allowed = toAdd - added;
        if (toAdd > 0) {
            return Math.min(fraction, allowed);
        }
        return Math.max(fraction, allowed);
    }

    private static int fraction(ReplicaSet rs, Deployment deployment) {
        int desired = desired(deployment);
        if (desired == 0) {
            return -specReplicas(rs);
        }
        int deploymentReplicas = desired + maxSurge(deployment);
        String max = orEmpty(rs.getMetadata().getAnnotations()).get(MAX_REPLICAS);
        int annotated;
        try {
            annotated = max == null ? 0 : Integer.parseInt(max);
        } catch (NumberFormatException e) {
            annotated = 0;
        }
        if (annotated == 0) {
            return 0;
        }
        double newSize = (double) specReplicas(rs) * deploymentReplicas / annotated;
        return (int) Math.round(newSize) - specReplicas(rs);
    }

    // ---- status and conditions ----

    static DeploymentCondition condition(DeploymentStatus status, String type) {
        if (status == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    static DeploymentCondition newCondition(String type, String status, String reason, String message, Instant now) {
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastUpdateTime(timestamp(now)).withLastTransitionTime(timestamp(now)).build();
    }

    /**
     * {@code SetDeploymentCondition}: nothing changes when status and reason are the same; the transition time
     * survives when only the reason changes; the condition moves to the end of the list.
     */
    static void setCondition(DeploymentStatus status, DeploymentCondition condition) {
        DeploymentCondition current = condition(status, condition.getType());
        if (current != null && current.getStatus().equals(condition.getStatus()) && current.getReason().equals(condition.getReason())) {
            return;
        }
        if (current != null && current.getStatus().equals(condition.getStatus())) {
            condition.setLastTransitionTime(current.getLastTransitionTime());
        }
        List<DeploymentCondition> conditions = new ArrayList<>(status.getConditions());
        conditions.removeIf(c -> c.getType().equals(condition.getType()));
        conditions.add(condition);
        status.setConditions(conditions);
    }

    static void removeCondition(DeploymentStatus status, String type) {
        List<DeploymentCondition> conditions = new ArrayList<>(status.getConditions());
        conditions.removeIf(c -> c.getType().equals(type));
        status.setConditions(conditions);
    }

    static boolean hasProgressDeadline(Deployment deployment) {
        Integer deadline = deployment.getSpec().getProgressDeadlineSeconds();
        return deadline != null && deadline != Integer.MAX_VALUE;
    }

    /** {@code DeploymentComplete}: every desired replica updated, no other replica, all available, observed. */
    static boolean deploymentComplete(Deployment deployment, DeploymentStatus status) {
        int desired = desired(deployment);
        return Models.orZero(status.getUpdatedReplicas()) == desired
                && Models.orZero(status.getReplicas()) == desired
                && Models.orZero(status.getAvailableReplicas()) == desired
                && orZero(status.getObservedGeneration()) >= orZero(deployment.getMetadata().getGeneration());
    }

    /** {@code DeploymentProgressing}: more updated, ready or available replicas, or fewer old ones, than before. */
    static boolean deploymentProgressing(Deployment deployment, DeploymentStatus newStatus) {
        DeploymentStatus old = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        int oldOld = Models.orZero(old.getReplicas()) - Models.orZero(old.getUpdatedReplicas());
        int newOld = Models.orZero(newStatus.getReplicas()) - Models.orZero(newStatus.getUpdatedReplicas());
        return Models.orZero(newStatus.getUpdatedReplicas()) > Models.orZero(old.getUpdatedReplicas())
                || newOld < oldOld
                || Models.orZero(newStatus.getReadyReplicas()) > Models.orZero(old.getReadyReplicas())
                || Models.orZero(newStatus.getAvailableReplicas()) > Models.orZero(old.getAvailableReplicas());
    }

    /**
     * {@code DeploymentTimedOut}: the Progressing condition was last updated more than
     * {@code progressDeadlineSeconds} ago, and it does not say the rollout is complete.
     */
    static boolean deploymentTimedOut(Deployment deployment, DeploymentStatus newStatus, Instant now) {
        if (!hasProgressDeadline(deployment)) {
            return false;
        }
        DeploymentCondition condition = condition(newStatus, PROGRESSING);
        if (condition == null || NEW_RS_AVAILABLE_REASON.equals(condition.getReason())) {
            return false;
        }
        if (TIMED_OUT_REASON.equals(condition.getReason())) {
            return true;
        }
        Instant from = Instant.parse(condition.getLastUpdateTime());
        return from.plusSeconds(deployment.getSpec().getProgressDeadlineSeconds()).isBefore(now);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static long parse(String revision) {
        try {
            return revision == null || revision.isEmpty() ? 0 : Long.parseLong(revision);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? new HashMap<>() : map;
    }
}
