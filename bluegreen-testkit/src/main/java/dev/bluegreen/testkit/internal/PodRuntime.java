package dev.bluegreen.testkit.internal;

/**
 * What the simulated kubelet knows about one pod's serving container at a moment, for the data plane: whether
 * it runs (so that it can answer HTTP) and whether the pod is ready. The serving container is the first
 * container that declares a port, else the first container.
 *
 * @param uid       the pod's uid
 * @param namespace the pod's namespace
 * @param name      the pod's name
 * @param ip        the pod's IP, as the kubelet reports it in {@code status.podIP}
 * @param image     the serving container's image
 * @param running   true while the serving container runs; false once it stopped or never started
 * @param ready     true while the pod is ready (every container ready)
 */
public record PodRuntime(String uid, String namespace, String name, String ip, String image, boolean running,
        boolean ready) {
}
