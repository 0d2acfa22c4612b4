package dev.bluegreen.spi;

import dev.bluegreen.Color;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The new version as deployed: the color (or revision) it runs as, what it runs, its identity on
 * the platform and where it can be reached. Gates receive it, so a smoke test knows what to call
 * without copying the adapter's conventions.
 *
 * @param color    the color the candidate runs as; for label adapters the idle color, for Argo
 *                 Rollouts the new revision's pod-template hash; never null
 * @param version  what it runs; never null
 * @param identity the adapter's identity of the deployed candidate, e.g. a Deployment's generation
 *                 or a ReplicaSet's pod-template hash; never null
 * @param object   the object behind it, e.g. {@code Deployment shop/myapp-green}; never null
 * @param reachAt  where the candidate can be reached before it is live, as the adapter describes
 *                 it (a Service, a URL, a pod selector); never null, may be empty
 * @param attributes the adapter's description of the candidate as data, for gates of the same
 *                 adapter (e.g. the Kubernetes adapter's namespace, Deployment, Service, pod selector
 *                 and color label under keys it documents); never null, may be empty; unmodifiable
 */
public record Candidate(Color color, String version, String identity, String object, String reachAt,
                        Map<String, String> attributes) {

    /**
     * Copies the attributes, sorted by key.
     */
    public Candidate {
        attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
    }

    /**
     * A candidate without attributes.
     *
     * @param color    the color the candidate runs as; never null
     * @param version  what it runs; never null
     * @param identity the adapter's identity of the deployed candidate; never null
     * @param object   the object behind it; never null
     * @param reachAt  where the candidate can be reached before it is live; never null, may be empty
     */
    public Candidate(Color color, String version, String identity, String object, String reachAt) {
        this(color, version, identity, object, reachAt, Map.of());
    }

    /**
     * @param key an attribute's key, as the adapter documents it
     * @return its value, when the adapter set it
     */
    public Optional<String> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /**
     * @return e.g. {@code green running myapp:v2 (Deployment shop/myapp-green, generation 4)}
     */
    @Override
    public String toString() {
        return color + " running " + version + " (" + object + ", " + identity + ")";
    }
}
