package dev.bluegreen.testkit.internal;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulated node's containers use, as the kubelet's resource metrics report it to metrics-server:
 * per pod, the containers that run now with their CPU and memory. Written by the kubelet on the controllers'
 * thread, read by the API server when it serves {@code metrics.k8s.io}. Thread-safe.
 */
public final class ResourceUsage {

    /**
     * One running container's usage.
     *
     * @param name      the container's name
     * @param cpuMillis CPU in millicores
     * @param memoryMiB memory in MiB
     */
    public record Container(String name, int cpuMillis, int memoryMiB) {
    }

    /**
     * A pod with at least one running container.
     *
     * @param namespace  the pod's namespace
     * @param name       the pod's name
     * @param uid        the pod's uid
     * @param since      when its first running container started, simulated time
     * @param containers the running containers, in the pod's order
     */
    public record PodUsage(String namespace, String name, String uid, Instant since, List<Container> containers) {
    }

    private final Map<String, PodUsage> pods = new ConcurrentHashMap<>();

    /**
     * Records what a pod's running containers use now; a pod without running containers is dropped.
     *
     * @param usage the pod's usage
     */
    void update(PodUsage usage) {
        if (usage.containers().isEmpty()) {
            remove(usage.namespace(), usage.name(), usage.uid());
        } else {
            pods.put(usage.namespace() + "/" + usage.name(), usage);
        }
    }

    /**
     * Forgets a pod.
     *
     * @param namespace the pod's namespace
     * @param name      the pod's name
     * @param uid       the pod's uid; a newer pod of the same name is kept
     */
    void remove(String namespace, String name, String uid) {
        pods.computeIfPresent(namespace + "/" + name, (key, usage) -> usage.uid().equals(uid) ? null : usage);
    }

    /**
     * Returns a pod's usage.
     *
     * @param namespace the namespace
     * @param name      the pod's name
     * @return the usage, or null when no container of the pod runs
     */
    PodUsage get(String namespace, String name) {
        return pods.get(namespace + "/" + name);
    }

    /**
     * Returns every pod's usage.
     *
     * @return a snapshot
     */
    Collection<PodUsage> all() {
        return List.copyOf(pods.values());
    }
}
