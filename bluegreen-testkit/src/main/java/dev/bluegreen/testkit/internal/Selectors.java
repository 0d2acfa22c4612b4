package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Map;

/**
 * Label selector matching as {@code metav1.LabelSelectorAsSelector} does it: every {@code matchLabels} pair
 * and every {@code matchExpressions} requirement ({@code In}, {@code NotIn}, {@code Exists},
 * {@code DoesNotExist}) must hold. Done in memory because the mock API server ignores set-based selectors.
 */
final class Selectors {

    private Selectors() {
    }

    /**
     * Tells whether labels satisfy a selector. A null selector matches nothing; an empty one everything.
     *
     * @param selector the selector, may be null
     * @param labels   the labels, never null
     * @return true if they match
     */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> pair : selector.getMatchLabels().entrySet()) {
                if (!pair.getValue().equals(labels.get(pair.getKey()))) {
                    return false;
                }
            }
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
            String value = labels.get(requirement.getKey());
            boolean holds = switch (requirement.getOperator()) {
                case "In" -> value != null && requirement.getValues().contains(value);
                case "NotIn" -> value == null || !requirement.getValues().contains(value);
                case "Exists" -> labels.containsKey(requirement.getKey());
                case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
                default -> false;
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tells whether labels contain every pair of a map selector (a Service's or a ReplicaSet's
     * {@code matchLabels}). An empty map matches everything.
     *
     * @param selector the pairs
     * @param labels   the labels
     * @return true if every pair is present
     */
    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return labels.entrySet().containsAll(selector.entrySet());
    }
}
