package dev.bluegreen.testkit.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Applies a strategic merge patch ({@code application/strategic-merge-patch+json}) to an object, as the API
 * server does ({@code StrategicMergeMapPatch} of {@code k8s.io/apimachinery/pkg/util/strategicpatch}, with
 * {@code MergeParallelList} and {@code IgnoreUnmatchedNulls}): objects merge key by key and {@code null} removes
 * a key; lists with the {@code merge} strategy merge their elements by the merge key (or, for lists of
 * scalars, as a set), other lists are replaced; {@code $patch: replace} and {@code $patch: delete} in an object
 * or as an element of a merged list, {@code $retainKeys}, {@code $setElementOrder/<list>} and
 * {@code $deleteFromPrimitiveList/<list>} do what they do there, including the order of the merged elements.
 * The strategies and merge keys come from {@link PatchMeta}.
 */
final class StrategicMergePatch {

    private static final String DIRECTIVE = "$patch";
    private static final String DELETE = "delete";
    private static final String REPLACE = "replace";
    private static final String MERGE = "merge";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder";

    /**
     * Why a patch cannot be applied, with the HTTP status the API server answers: 400 for a malformed patch,
     * 422 for a list of lists or retained keys the patch contradicts, 500 for the rest (a missing merge key,
     * an unknown directive), as {@code interpretStrategicMergePatchError} sorts them.
     */
    static final class PatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;

        PatchException(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    private StrategicMergePatch() {
    }

    /**
     * Applies {@code patch} to a copy of {@code original}.
     *
     * @param original the object as stored, a JSON tree
     * @param patch    the patch, a JSON object
     * @param meta     the patch metadata of the object's kind
     * @return the patched copy
     * @throws PatchException if the patch cannot be applied
     */
    static Map<String, Object> apply(Map<String, Object> original, Map<String, Object> patch, PatchMeta meta) {
        return mergeMap(deepCopyMap(original), deepCopyMap(patch), meta);
    }

    // ---- maps ----

    private static Map<String, Object> mergeMap(Map<String, Object> original, Map<String, Object> patch, PatchMeta schema) {
        if (patch.containsKey(DIRECTIVE)) {
            Object directive = patch.get(DIRECTIVE);
            if (REPLACE.equals(directive)) {
                patch.remove(DIRECTIVE);
                return patch;
            }
            if (DELETE.equals(directive)) {
                return new LinkedHashMap<>();
            }
            throw new PatchException(500, "unknown patch type: " + go(directive) + " in map: " + go(patch));
        }
        if (original == null) {
            original = new LinkedHashMap<>();
        }
        applyRetainKeys(original, patch);
        mergeSetElementOrder(original, patch, schema);
        for (Map.Entry<String, Object> entry : new ArrayList<>(patch.entrySet())) {
            String key = entry.getKey();
            Object patchValue = entry.getValue();
            boolean deleteList = false;
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                key = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
                deleteList = true;
            }
            if (patchValue == null) {
                original.remove(key);
                continue;
            }
            if (!original.containsKey(key)) {
                if (!deleteList) {
                    discardNulls(patchValue);
                    Object value = removeDirectives(patchValue);
                    if (value != REMOVED) {
                        original.put(key, value);
                    }
                }
                continue;
            }
            Object originalValue = original.get(key);
            if (category(originalValue) != category(patchValue)) {
                if (!deleteList) {
                    discardNulls(patchValue);
                    Object value = removeDirectives(patchValue);
                    if (value == REMOVED) {
                        original.remove(key);
                    } else {
                        original.put(key, value);
                    }
                }
                continue;
            }
            PatchMeta.Field field = schema.lookup(key);
            String strategy = strategyWithoutRetainKeys(field.strategies());
            if (originalValue instanceof Map<?, ?> originalMap) {
                Map<String, Object> patchMap = Json.cast((Map<?, ?>) patchValue);
                original.put(key, REPLACE.equals(strategy) ? patchMap : mergeMap(Json.cast(originalMap), patchMap, field.type()));
            } else if (originalValue instanceof List<?> originalList) {
                original.put(key, mergeSliceHandler(list(originalList), list((List<?>) patchValue), field, strategy,
                        deleteList));
            } else {
                Object value = removeDirectives(patchValue);
                if (value == REMOVED) {
                    original.remove(key);
                } else {
                    original.put(key, value);
                }
            }
        }
        return original;
    }

    /** {@code applyRetainKeysDirective}: keys of the original missing from the list go. */
    private static void applyRetainKeys(Map<String, Object> original, Map<String, Object> patch) {
        if (!patch.containsKey(RETAIN_KEYS)) {
            return;
        }
        Object retain = patch.remove(RETAIN_KEYS);
        if (!(retain instanceof List<?> retainList)) {
            throw new PatchException(400, "invalid patch format of retainKeys");
        }
        Set<Object> keys = new HashSet<>(retainList);
        for (Map.Entry<String, Object> entry : patch.entrySet()) {
            String key = entry.getKey();
            if (entry.getValue() == null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            if (!keys.contains(key)) {
                throw new PatchException(400, "invalid patch format of retainKeys");
            }
        }
        original.keySet().removeIf(key -> !keys.contains(key));
    }

    /** {@code mergePatchIntoOriginal}: merges the lists that have a {@code $setElementOrder} and orders them. */
    private static void mergeSetElementOrder(Map<String, Object> original, Map<String, Object> patch, PatchMeta schema) {
        for (String key : new ArrayList<>(patch.keySet())) {
            if (!key.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            Object order = patch.remove(key);
            if (!(order instanceof List<?> orderList)) {
                throw new PatchException(500, "expected a slice, but received a " + goKind(order));
            }
            String listKey = extractKey(key, SET_ELEMENT_ORDER);
            Object originalValue = original.get(listKey);
            Object patchValue = patch.get(listKey);
            boolean foundOriginal = original.containsKey(listKey);
            boolean foundPatch = patch.containsKey(listKey);
            if (foundOriginal && !(originalValue instanceof List<?>)) {
                throw new PatchException(500, "expected a slice, but received a " + goKind(originalValue));
            }
            if (foundPatch && !(patchValue instanceof List<?>)) {
                throw new PatchException(500, "expected a slice, but received a " + goKind(patchValue));
            }
            List<Object> originalList = foundOriginal ? list((List<?>) originalValue) : List.of();
            List<Object> patchList = foundPatch ? list((List<?>) patchValue) : List.of();
            PatchMeta.Field field = schema.lookup(listKey);
            String mergeKey = field.mergeKey() == null ? "" : field.mergeKey();
            validateSetOrder(patchList, list(orderList), mergeKey);
            List<Object> merged;
            if (foundOriginal && !foundPatch) {
                merged = originalList;
            } else if (!foundOriginal && foundPatch) {
                merged = list((List<?>) removeDirectives(patchList));
            } else if (foundOriginal) {
                merged = mergeSliceHandler(originalList, patchList, field, strategyWithoutRetainKeys(field.strategies()),
                        false);
            } else {
                continue;
            }
            List<Object> patchItems = new ArrayList<>();
            List<Object> serverOnly = new ArrayList<>();
            partition(merged, list(orderList), mergeKey, patchItems, serverOnly);
            if (merged.isEmpty() && originalList.isEmpty() && patchList.isEmpty()) {
                original.put(listKey, merged);
            } else {
                boolean maps = elementsAreMaps(originalList, patchList);
                List<Object> liveOrder = maps && foundPatch && !mergeKey.isEmpty()
                        ? liveOrderAfterMerge(originalList, patchList, mergeKey) : originalList;
                original.put(listKey, normalizeElementOrder(patchItems, serverOnly, list(orderList), liveOrder, mergeKey, maps));
            }
            patch.remove(listKey);
        }
    }

    /**
     * The live order a {@code $setElementOrder} list is woven by. The Go code passes the original slice, which
     * merging the patch has changed in place: deletions shift its elements left (leaving the last one twice)
     * and appended elements land in its free capacity, which is none beyond its length for an object the API
     * server converted to a map. Reproduced here because the order of the merged elements depends on it.
     */
    private static List<Object> liveOrderAfterMerge(List<Object> original, List<Object> patch, String mergeKey) {
        List<Object> backing = new ArrayList<>(original);
        int capacity = backing.size();
        int length = capacity;
        for (Object item : patch) {
            if (item instanceof Map<?, ?> map && DELETE.equals(map.get(DIRECTIVE)) && map.containsKey(mergeKey)) {
                Object value = map.get(mergeKey);
                int at;
                while ((at = indexByKey(backing, length, mergeKey, value)) >= 0) {
                    for (int i = at; i < length - 1; i++) {
                        backing.set(i, backing.get(i + 1));
                    }
                    length--;
                }
            }
        }
        boolean replaced = patch.stream().anyMatch(item -> item instanceof Map<?, ?> map && REPLACE.equals(map.get(DIRECTIVE)));
        if (!replaced) {
            for (Object item : patch) {
                if (!(item instanceof Map<?, ?> map) || map.containsKey(DIRECTIVE) || !map.containsKey(mergeKey)) {
                    continue;
                }
                if (indexByKey(backing, length, mergeKey, map.get(mergeKey)) < 0) {
                    if (length >= capacity) {
                        // The append moved to a new array: the original sees no more changes.
                        break;
                    }
                    backing.set(length++, item);
                }
            }
        }
        return backing;
    }

    private static int indexByKey(List<Object> list, int length, String mergeKey, Object value) {
        for (int i = 0; i < length; i++) {
            if (list.get(i) instanceof Map<?, ?> m && m.containsKey(mergeKey) && same(m.get(mergeKey), value)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code validatePatchWithSetOrderList}: the patch's elements appear in the order list, in its order. */
    private static void validateSetOrder(List<Object> patchList, List<Object> orderList, String mergeKey) {
        if (orderList.isEmpty() || patchList.isEmpty()) {
            return;
        }
        List<Object> nonDelete = new ArrayList<>();
        if (!mergeKey.isEmpty()) {
            for (Object item : patchList) {
                if (!(item instanceof Map<?, ?> map)) {
                    throw new PatchException(500, "expected a map, but received a " + goKind(item));
                }
                if (!DELETE.equals(map.get(DIRECTIVE))) {
                    nonDelete.add(item);
                }
            }
        } else {
            nonDelete = patchList;
        }
        int patchIndex = 0;
        int orderIndex = 0;
        while (patchIndex < nonDelete.size() && orderIndex < orderList.size()) {
            if (nonDelete.get(patchIndex) instanceof Map<?, ?> map && map.containsKey(DIRECTIVE)) {
                patchIndex++;
                continue;
            }
            if (mergeKeyValueEqual(nonDelete.get(patchIndex), orderList.get(orderIndex), mergeKey)) {
                patchIndex++;
            }
            orderIndex++;
        }
        if (patchIndex < nonDelete.size() && orderIndex >= orderList.size()) {
            throw new PatchException(500, "The order in patch list:\n" + go(patchList) + "\n doesn't match "
                    + SET_ELEMENT_ORDER + " list:\n" + go(orderList) + "\n");
        }
    }

    private static boolean mergeKeyValueEqual(Object left, Object right, String mergeKey) {
        if (mergeKey.isEmpty()) {
            return same(left, right);
        }
        if (!(left instanceof Map<?, ?> l)) {
            throw new PatchException(500, "expected a map, but received a " + goKind(left));
        }
        if (!(right instanceof Map<?, ?> r)) {
            throw new PatchException(500, "expected a map, but received a " + goKind(right));
        }
        if (!l.containsKey(mergeKey)) {
            throw noMergeKey(l, mergeKey);
        }
        if (!r.containsKey(mergeKey)) {
            throw noMergeKey(r, mergeKey);
        }
        return same(l.get(mergeKey), r.get(mergeKey));
    }

    // ---- lists ----

    private static List<Object> mergeSliceHandler(List<Object> original, List<Object> patch, PatchMeta.Field field,
            String strategy, boolean deleteList) {
        if (MERGE.equals(strategy) || deleteList) {
            return mergeSlice(original, patch, field.type(), field.mergeKey() == null ? "" : field.mergeKey(), deleteList);
        }
        return patch;
    }

    private static List<Object> mergeSlice(List<Object> original, List<Object> patch, PatchMeta schema, String mergeKey,
            boolean deleteList) {
        if (original.isEmpty() && patch.isEmpty()) {
            return original;
        }
        boolean maps = elementsAreMaps(original, patch);
        List<Object> merged;
        // The live order the merged list is woven by: the original after deletions, without what the merge appends.
        List<Object> serverOrder = original;
        if (!maps) {
            if (deleteList) {
                List<Object> kept = new ArrayList<>();
                for (Object item : original) {
                    if (patch.stream().noneMatch(p -> same(p, item))) {
                        kept.add(item);
                    }
                }
                return kept;
            }
            List<Object> both = new ArrayList<>(original);
            both.addAll(patch);
            merged = deduplicate(both);
        } else {
            if (mergeKey.isEmpty()) {
                throw new PatchException(500, "cannot merge lists without merge key for " + schema.name());
            }
            // mergeSliceWithSpecialElements: deletions and a replacement first
            List<Object> plainPatch = new ArrayList<>();
            boolean replace = false;
            original = new ArrayList<>(original);
            for (Object item : patch) {
                Map<String, Object> map = Json.cast((Map<?, ?>) item);
                if (!map.containsKey(DIRECTIVE)) {
                    plainPatch.add(item);
                    continue;
                }
                Object directive = map.get(DIRECTIVE);
                if (DELETE.equals(directive)) {
                    if (!map.containsKey(mergeKey)) {
                        throw noMergeKey(map, mergeKey);
                    }
                    Object value = map.get(mergeKey);
                    original.removeIf(o -> o instanceof Map<?, ?> m && m.containsKey(mergeKey) && same(m.get(mergeKey), value));
                } else if (REPLACE.equals(directive)) {
                    replace = true;
                } else if (MERGE.equals(directive)) {
                    throw new PatchException(500, "merging lists cannot yet be specified in the patch");
                } else {
                    throw new PatchException(500, "unknown patch type: " + go(directive) + " in map: " + go(map));
                }
            }
            if (replace) {
                original = plainPatch;
                patch = List.of();
            } else {
                patch = plainPatch;
            }
            serverOrder = new ArrayList<>(original);
            // mergeSliceWithoutSpecialElements: merge by the merge key, append the new
            for (Object item : patch) {
                Map<String, Object> map = Json.cast((Map<?, ?>) item);
                if (!map.containsKey(mergeKey)) {
                    throw noMergeKey(map, mergeKey);
                }
                Object value = map.get(mergeKey);
                int index = -1;
                for (int i = 0; i < original.size(); i++) {
                    if (!(original.get(i) instanceof Map<?, ?> m)) {
                        throw new PatchException(500, "value for key " + i + " is not a map");
                    }
                    if (m.containsKey(mergeKey) && same(m.get(mergeKey), value)) {
                        index = i;
                        break;
                    }
                }
                if (index >= 0) {
                    original.set(index, mergeMap(Json.cast((Map<?, ?>) original.get(index)), map, schema));
                } else {
                    original.add(item);
                }
            }
            merged = original;
        }
        List<Object> patchItems = new ArrayList<>();
        List<Object> serverOnly = new ArrayList<>();
        partition(merged, patch, maps ? mergeKey : "", patchItems, serverOnly);
        return normalizeElementOrder(patchItems, serverOnly, patch, serverOrder, maps ? mergeKey : "", maps);
    }

    /** Splits {@code merged} into the items present in {@code by} and the others, keeping their order. */
    private static void partition(List<Object> merged, List<Object> by, String mergeKey, List<Object> inBy,
            List<Object> notInBy) {
        for (Object item : merged) {
            if (mergeKey.isEmpty()) {
                (by.stream().anyMatch(b -> same(b, item)) ? inBy : notInBy).add(item);
            } else {
                if (!(item instanceof Map<?, ?> map)) {
                    throw new PatchException(500, "expected a map, but received a " + goKind(item));
                }
                if (!map.containsKey(mergeKey)) {
                    throw noMergeKey(map, mergeKey);
                }
                Object value = map.get(mergeKey);
                boolean found = by.stream().anyMatch(b -> b instanceof Map<?, ?> m && m.containsKey(mergeKey)
                        && same(m.get(mergeKey), value));
                (found ? inBy : notInBy).add(item);
            }
        }
    }

    /** {@code normalizeElementOrder}: patch items in the patch's order, server-only items woven in by the live order. */
    private static List<Object> normalizeElementOrder(List<Object> patchItems, List<Object> serverOnly,
            List<Object> patchOrder, List<Object> serverOrder, String mergeKey, boolean maps) {
        List<Object> sortedPatch = normalizeSliceOrder(patchItems, patchOrder, mergeKey, maps);
        List<Object> sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, maps);
        // mergeSortedSlice
        List<Object> result = new ArrayList<>();
        int i = 0;
        int j = 0;
        int size = sortedServer.size() + sortedPatch.size();
        for (int k = 0; k < size; k++) {
            if (i >= sortedServer.size() && j < sortedPatch.size()) {
                result.add(sortedPatch.get(j++));
            } else if (j >= sortedPatch.size() && i < sortedServer.size()) {
                result.add(sortedServer.get(i++));
            } else {
                int li = index(serverOrder, sortedServer.get(i), mergeKey, maps);
                int ri = index(serverOrder, sortedPatch.get(j), mergeKey, maps);
                if (li >= 0 && ri >= 0 && li < ri) {
                    result.add(sortedServer.get(i++));
                } else {
                    result.add(sortedPatch.get(j++));
                }
            }
        }
        return result;
    }

    private static List<Object> normalizeSliceOrder(List<Object> toSort, List<Object> order, String mergeKey, boolean maps) {
        List<Object> kept = new ArrayList<>();
        List<Object> deleted = new ArrayList<>();
        for (Object item : toSort) {
            if (maps && item instanceof Map<?, ?> map && DELETE.equals(map.get(DIRECTIVE))) {
                deleted.add(item);
            } else {
                kept.add(item);
            }
        }
        // Items not in the order keep their place relative to each other and come last: a stable sort with a
        // total order (Go's comparator is only consulted where both are found).
        List<Object> sorted = new ArrayList<>(kept);
        sorted.sort(Comparator.comparingInt(item -> {
            int at = index(order, item, mergeKey, maps);
            return at < 0 ? Integer.MAX_VALUE : at;
        }));
        sorted.addAll(deleted);
        return sorted;
    }

    private static int index(List<Object> list, Object item, String mergeKey, boolean maps) {
        Object wanted = maps ? (item instanceof Map<?, ?> m ? m.get(mergeKey) : null) : item;
        for (int i = 0; i < list.size(); i++) {
            Object candidate = maps ? (list.get(i) instanceof Map<?, ?> m ? m.get(mergeKey) : null) : list.get(i);
            if (same(wanted, candidate)) {
                return i;
            }
        }
        return -1;
    }

    private static List<Object> deduplicate(List<Object> items) {
        List<Object> result = new ArrayList<>();
        for (Object item : items) {
            if (result.stream().noneMatch(r -> same(r, item))) {
                result.add(item);
            }
        }
        return result;
    }

    /** {@code sliceElementType}: whether the lists hold objects; lists of lists are refused. */
    private static boolean elementsAreMaps(List<Object> a, List<Object> b) {
        Integer category = null;
        for (List<Object> list : List.of(a, b)) {
            for (Object item : list) {
                int c = category(item);
                if (item instanceof List<?>) {
                    throw new PatchException(422, "lists of lists are not supported");
                }
                if (category == null) {
                    category = c;
                } else if (category != c) {
                    throw new PatchException(500, "list element types are not identical: " + go(List.of(a, b)));
                }
            }
        }
        return category != null && category == 1;
    }

    // ---- helpers ----

    /** A marker for "the value was a directive: drop the key". */
    private static final Object REMOVED = new Object();

    /** {@code removeDirectives}: drops objects carrying {@code $patch} from a value about to be stored as is. */
    private static Object removeDirectives(Object value) {
        if (value instanceof Map<?, ?> raw) {
            Map<String, Object> map = Json.cast(raw);
            if (map.containsKey(DIRECTIVE)) {
                return REMOVED;
            }
            for (String key : new ArrayList<>(map.keySet())) {
                Object cleaned = removeDirectives(map.get(key));
                if (cleaned == REMOVED) {
                    map.remove(key);
                } else {
                    map.put(key, cleaned);
                }
            }
            return map;
        }
        if (value instanceof List<?> list) {
            List<Object> result = new ArrayList<>();
            for (Object item : list) {
                Object cleaned = removeDirectives(item);
                if (cleaned != REMOVED) {
                    result.add(cleaned);
                }
            }
            return result;
        }
        return value;
    }

    private static void discardNulls(Object value) {
        if (value instanceof Map<?, ?> map) {
            map.values().removeIf(Objects::isNull);
            map.values().forEach(StrategicMergePatch::discardNulls);
        } else if (value instanceof List<?> list) {
            list.forEach(StrategicMergePatch::discardNulls);
        }
    }

    private static String extractKey(String key, String prefix) {
        String[] parts = key.split("/", 2);
        if (parts.length <= 1 || !parts[0].equals(prefix)) {
            throw new PatchException(400, prefix.equals(DELETE_FROM_PRIMITIVE_LIST)
                    ? "invalid patch format of primitive list" : "invalid patch format of setElementOrder list");
        }
        return parts[1];
    }

    private static String strategyWithoutRetainKeys(List<String> strategies) {
        List<String> others = strategies.stream().filter(s -> !s.equals("retainKeys")).toList();
        return others.isEmpty() ? "" : others.get(0);
    }

    /** 0: scalar or null, 1: object, 2: list. */
    private static int category(Object value) {
        return value instanceof Map<?, ?> ? 1 : value instanceof List<?> ? 2 : 0;
    }

    /** Equality of JSON values, numbers compared by value (an int and a long of 80 are the same). */
    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
        }
        return Objects.equals(a, b);
    }

    private static PatchException noMergeKey(Map<?, ?> map, String mergeKey) {
        return new PatchException(500, "map: " + go(map) + " does not contain declared merge key: " + mergeKey);
    }

    private static List<Object> list(List<?> list) {
        return new ArrayList<>(list);
    }

    private static Map<String, Object> deepCopyMap(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, deepCopy(v)));
        return copy;
    }

    private static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(deepCopy(item)));
            return copy;
        }
        return value;
    }

    /** Formats a value as Go's {@code %v} prints decoded JSON: {@code map[k:v]}, {@code [a b]}. */
    static String go(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            return sorted.entrySet().stream().map(e -> e.getKey() + ":" + go(e.getValue()))
                    .collect(Collectors.joining(" ", "map[", "]"));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(StrategicMergePatch::go).collect(Collectors.joining(" ", "[", "]"));
        }
        return value == null ? "<nil>" : String.valueOf(value);
    }

    private static String goKind(Object value) {
        return value instanceof Map<?, ?> ? "map" : value instanceof List<?> ? "slice" : value instanceof String ? "string"
                : value instanceof Number ? "float64" : value instanceof Boolean ? "bool" : "invalid";
    }
}
