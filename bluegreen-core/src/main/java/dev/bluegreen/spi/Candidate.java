package dev.bluegreen.spi;

import dev.bluegreen.Color;

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
 */
public record Candidate(Color color, String version, String identity, String object, String reachAt) {

    /**
     * @return e.g. {@code green running myapp:v2 (Deployment shop/myapp-green, generation 4)}
     */
    @Override
    public String toString() {
        return color + " running " + version + " (" + object + ", " + identity + ")";
    }
}
