package dev.bluegreen.argo.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and copies JSON trees (maps, lists, strings, numbers, booleans) as the generic client returns them.
 * The typed models read through it, so a field the SDK does not model is kept untouched.
 */
public final class Trees {
    private Trees() {
    }

    /**
     * @param root a tree; may be null
     * @param path keys from the root
     * @return the value at the path, or null when any step is missing or not an object
     */
    public static Object at(Map<String, Object> root, String... path) {
        Object current = root;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    /**
     * @param root a tree; may be null
     * @param path keys from the root
     * @return the object at the path, or null
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Map<String, Object> root, String... path) {
        return at(root, path) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }

    /**
     * @param root a tree; may be null
     * @param path keys from the root
     * @return the objects of the list at the path; empty when there is none
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> maps(Map<String, Object> root, String... path) {
        List<Map<String, Object>> result = new ArrayList<>();
        if (at(root, path) instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    result.add((Map<String, Object>) map);
                }
            }
        }
        return result;
    }

    /**
     * @param root a tree; may be null
     * @param path keys from the root
     * @return the value at the path as text, or null when missing
     */
    public static String string(Map<String, Object> root, String... path) {
        Object value = at(root, path);
        return value == null ? null : String.valueOf(value);
    }

    /**
     * @param root     a tree; may be null
     * @param fallback the value when missing or not a number
     * @param path     keys from the root
     * @return the number at the path
     */
    public static long number(Map<String, Object> root, long fallback, String... path) {
        Object value = at(root, path);
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    /**
     * @param root a tree; may be null
     * @param path keys from the root
     * @return whether the value at the path is {@code true}
     */
    public static boolean isTrue(Map<String, Object> root, String... path) {
        return Boolean.TRUE.equals(at(root, path));
    }

    /**
     * @param tree a tree; may be null
     * @return a deep copy whose maps and lists can be changed without touching {@code tree}; null for null
     */
    @SuppressWarnings("unchecked")
    public static <T> T copy(T tree) {
        if (tree instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, value) -> copy.put(String.valueOf(key), copy(value)));
            return (T) copy;
        }
        if (tree instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(copy(item)));
            return (T) copy;
        }
        return tree;
    }
}
