package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Objects as JSON trees of maps, lists and scalars: how the simulated API server handles objects of any kind
 * without losing fields a model class does not know. Includes RFC 7386 (merge patch) and RFC 6902 (JSON
 * patch).
 */
final class Json {

    private Json() {
    }

    /** Parses a JSON object. */
    static Map<String, Object> parse(String json) {
        return cast(Serialization.unmarshal(json, Map.class));
    }

    /** Converts a model object (or any value) into a tree. */
    static Map<String, Object> tree(Object model) {
        return parse(Serialization.asJson(model));
    }

    /** Converts a tree into a model object. */
    static <T> T model(Map<String, Object> tree, Class<T> type) {
        return Serialization.unmarshal(Serialization.asJson(tree), type);
    }

    /** A deep copy of a tree. */
    static Map<String, Object> copy(Map<String, Object> tree) {
        return parse(Serialization.asJson(tree));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** The child object under {@code key}, created (and stored) when absent. */
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object child = parent.get(key);
        if (child instanceof Map<?, ?> map) {
            return cast(map);
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }

    /** The child object under {@code key}, or null. */
    static Map<String, Object> mapOrNull(Map<String, Object> parent, String key) {
        return parent != null && parent.get(key) instanceof Map<?, ?> map ? cast(map) : null;
    }

    /** The list under {@code key}, or an empty list. */
    static List<Object> list(Map<String, Object> parent, String key) {
        if (parent != null && parent.get(key) instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> objects = (List<Object>) list;
            return objects;
        }
        return List.of();
    }

    /** The string under {@code key}, or null. */
    static String string(Map<String, Object> parent, String key) {
        Object value = parent == null ? null : parent.get(key);
        return value == null ? null : String.valueOf(value);
    }

    /** The value at a path of keys, or null. */
    static Object at(Map<String, Object> root, String... keys) {
        Object current = root;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    /** RFC 7386: objects merge key by key, null removes a key, anything else replaces the target. */
    static Map<String, Object> mergePatch(Map<String, Object> target, Map<?, ?> patch) {
        Map<String, Object> result = new LinkedHashMap<>(target);
        patch.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (value == null) {
                result.remove(name);
            } else if (value instanceof Map<?, ?> patchValue) {
                result.put(name, mergePatch(result.get(name) instanceof Map<?, ?> targetValue ? cast(targetValue)
                        : new LinkedHashMap<>(), patchValue));
            } else {
                result.put(name, value);
            }
        });
        return result;
    }

    /**
     * RFC 6902: applies the operations in order to a copy of {@code target}.
     *
     * @param target     the document
     * @param operations the patch, a list of operation objects
     * @return the patched copy
     * @throws IllegalArgumentException naming the operation that cannot be applied (a path that does not
     *                                  exist, a failed {@code test})
     */
    static Map<String, Object> jsonPatch(Map<String, Object> target, List<?> operations) {
        Map<String, Object> document = copy(target);
        for (Object entry : operations) {
            if (!(entry instanceof Map<?, ?> op)) {
                throw new IllegalArgumentException("a JSON patch operation must be an object, but was " + entry);
            }
            String kind = String.valueOf(op.get("op"));
            String path = String.valueOf(op.get("path"));
            switch (kind) {
                case "add" -> add(document, path, op.get("value"));
                case "remove" -> remove(document, path);
                case "replace" -> {
                    remove(document, path);
                    add(document, path, op.get("value"));
                }
                case "move" -> {
                    Object value = get(document, String.valueOf(op.get("from")));
                    remove(document, String.valueOf(op.get("from")));
                    add(document, path, value);
                }
                case "copy" -> add(document, path, copyValue(get(document, String.valueOf(op.get("from")))));
                case "test" -> {
                    Object actual = get(document, path);
                    if (!Canonical.same(actual, op.get("value"))) {
                        throw new IllegalArgumentException("the test operation at " + path + " failed: the value is "
                                + Serialization.asJson(actual) + ", not " + Serialization.asJson(op.get("value")));
                    }
                }
                default -> throw new IllegalArgumentException("unknown JSON patch operation \"" + kind + "\"");
            }
        }
        return document;
    }

    private static Object copyValue(Object value) {
        if (value == null) {
            return null;
        }
        return Serialization.unmarshal(Serialization.asJson(value), Object.class);
    }

    private static List<String> pointer(String path) {
        if (path.isEmpty()) {
            return List.of();
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("the path \"" + path + "\" is no JSON pointer");
        }
        List<String> tokens = new ArrayList<>();
        for (String token : path.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static Object get(Map<String, Object> document, String path) {
        Object current = document;
        for (String token : pointer(path)) {
            current = child(current, token, path);
        }
        return current;
    }

    private static Object child(Object parent, String token, String path) {
        if (parent instanceof Map<?, ?> map) {
            if (!map.containsKey(token)) {
                throw new IllegalArgumentException("the path \"" + path + "\" does not exist");
            }
            return map.get(token);
        }
        if (parent instanceof List<?> list) {
            int index = index(token, list.size() - 1, path);
            return list.get(index);
        }
        throw new IllegalArgumentException("the path \"" + path + "\" does not exist");
    }

    private static Object parentOf(Map<String, Object> document, List<String> tokens, String path) {
        Object current = document;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            current = child(current, token, path);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> document, String path, Object value) {
        List<String> tokens = pointer(path);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("a JSON patch may not replace the whole object");
        }
        Object parent = parentOf(document, tokens, path);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).put(last, value);
        } else if (parent instanceof List<?> list) {
            List<Object> objects = (List<Object>) list;
            objects.add(last.equals("-") ? objects.size() : index(last, objects.size(), path), value);
        } else {
            throw new IllegalArgumentException("the path \"" + path + "\" does not exist");
        }
    }

    private static void remove(Map<String, Object> document, String path) {
        List<String> tokens = pointer(path);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("a JSON patch may not remove the whole object");
        }
        Object parent = parentOf(document, tokens, path);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof Map<?, ?> map) {
            if (!map.containsKey(last)) {
                throw new IllegalArgumentException("the path \"" + path + "\" does not exist");
            }
            map.remove(last);
        } else if (parent instanceof List<?> list) {
            list.remove(index(last, list.size() - 1, path));
        } else {
            throw new IllegalArgumentException("the path \"" + path + "\" does not exist");
        }
    }

    private static int index(String token, int max, String path) {
        try {
            int index = Integer.parseInt(token);
            if (index >= 0 && index <= max) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("the path \"" + path + "\" does not exist");
    }
}
