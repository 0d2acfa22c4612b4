package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Order-independent JSON forms of model objects. Two reads of the same object can list map keys (labels,
 * annotations) in different orders; hashes and "did it change?" checks must not see a difference there.
 */
final class Canonical {

    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private Canonical() {
    }

    /**
     * Serializes {@code value} to JSON with the keys of every object sorted.
     *
     * @param value a model object, map, list or scalar; may be null
     * @return the canonical JSON
     */
    static String json(Object value) {
        if (value == null) {
            return "null";
        }
        // Wrapped so that the JSON reads back as plain maps and lists, never as a typed model object.
        Map<?, ?> tree = Serialization.unmarshal(Serialization.asJson(Map.of("value", value)), Map.class);
        return Serialization.asJson(sorted(tree.get("value")));
    }

    /**
     * Tells whether two values serialize to the same JSON, ignoring key order.
     *
     * @param a a value; may be null
     * @param b another value; may be null
     * @return true if they carry the same content
     */
    static boolean same(Object a, Object b) {
        return Objects.equals(json(a), json(b));
    }

    /**
     * Returns a short hash of {@code value}'s canonical JSON, e.g. for the {@code pod-template-hash} label.
     *
     * @param value the value to hash; may be null
     * @return 10 lower-case hex characters
     */
    static String hash(Object value) {
        return HexFormat.of().formatHex(sha256(json(value)), 0, 5);
    }

    /**
     * Derives a stable 5-character suffix from {@code seed}, in the alphabet Kubernetes uses for generated
     * names (no vowels, so no words).
     *
     * @param seed what the suffix should be stable for, e.g. a Service's {@code namespace/name}
     * @return 5 characters of {@code [a-z0-9]}
     */
    static String stableSuffix(String seed) {
        byte[] digest = sha256(seed);
        StringBuilder suffix = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            suffix.append(NAME_ALPHABET.charAt((digest[i] & 0xff) % NAME_ALPHABET.length()));
        }
        return suffix.toString();
    }

    /**
     * Returns a random 5-character suffix for a generated name, as the ReplicaSet controller gives pods.
     *
     * @return 5 characters of {@code [a-z0-9]}
     */
    static String randomSuffix() {
        StringBuilder suffix = new StringBuilder(5);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            suffix.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
        }
        return suffix.toString();
    }

    private static Object sorted(Object tree) {
        if (tree instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((key, value) -> sorted.put(String.valueOf(key), sorted(value)));
            return sorted;
        }
        if (tree instanceof List<?> list) {
            return list.stream().map(Canonical::sorted).toList();
        }
        return tree;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
