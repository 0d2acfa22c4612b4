package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * Small readings of model objects that several controllers share.
 */
final class Models {

    private Models() {
    }

    /**
     * Tells whether a pod's {@code Ready} condition is {@code True}.
     *
     * @param pod a pod
     * @return true if ready
     */
    static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * Returns the owner reference marked {@code controller: true}, if any.
     *
     * @param object any object
     * @return the controlling owner
     */
    static Optional<OwnerReference> controllerOf(HasMetadata object) {
        return object.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .findFirst();
    }

    /**
     * Tells whether {@code object} is controlled by the object with {@code ownerUid}.
     *
     * @param object   any object
     * @param ownerUid the owner's uid
     * @return true if controlled by that owner
     */
    static boolean isControlledBy(HasMetadata object, String ownerUid) {
        return controllerOf(object).map(o -> ownerUid.equals(o.getUid())).orElse(false);
    }

    /**
     * Returns an object's labels, never null.
     *
     * @param object any object
     * @return its labels, or an empty map
     */
    static Map<String, String> labels(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    /**
     * Formats an instant the way the API server writes timestamps (RFC 3339, whole seconds).
     *
     * @param instant the instant
     * @return e.g. {@code 2025-01-31T12:00:00Z}
     */
    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Returns the value, or zero for an absent counter (the API server omits zero counters).
     *
     * @param value a counter, may be null
     * @return the value or zero
     */
    static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    /**
     * Returns the value for a counter the API server omits when it is zero.
     *
     * @param value a counter
     * @return the value, or null for zero
     */
    static Integer omitZero(int value) {
        return value == 0 ? null : value;
    }
}
