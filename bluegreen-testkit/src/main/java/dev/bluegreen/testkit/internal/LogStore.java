package dev.bluegreen.testkit.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The containers' logs: per pod and container, the lines of the running instance and of the previous one,
 * as the kubelet keeps them for {@code kubectl logs} and {@code kubectl logs --previous}. Lines come from the
 * simulated containers and from tests. Thread-safe.
 */
public final class LogStore {

    /**
     * One line of a container's output.
     *
     * @param at   when it was written, in simulated time
     * @param text the line without line break
     */
    public record Line(Instant at, String text) {
    }

    private static final class Container {
        private final List<Line> current = new ArrayList<>();
        private final List<Line> previous = new ArrayList<>();
    }

    private final Map<String, Container> containers = new ConcurrentHashMap<>();

    /**
     * Appends a line to a container's current instance.
     *
     * @param namespace the pod's namespace
     * @param pod       the pod's name
     * @param container the container's name
     * @param line      the line, without line break
     * @param at        when, in simulated time
     */
    public void append(String namespace, String pod, String container, String line, Instant at) {
        Container logs = containers.computeIfAbsent(key(namespace, pod, container), k -> new Container());
        synchronized (logs) {
            logs.current.add(new Line(at, line));
        }
    }

    /**
     * Returns the lines of a container's current or previous instance.
     *
     * @param namespace the pod's namespace
     * @param pod       the pod's name
     * @param container the container's name
     * @param previous  true for the instance before the last restart
     * @return a copy of the lines; empty when there are none
     */
    public List<Line> lines(String namespace, String pod, String container, boolean previous) {
        Container logs = containers.get(key(namespace, pod, container));
        if (logs == null) {
            return List.of();
        }
        synchronized (logs) {
            return List.copyOf(previous ? logs.previous : logs.current);
        }
    }

    /** A container restarted: its current lines become the previous instance's. */
    void restarted(String namespace, String pod, String container) {
        Container logs = containers.computeIfAbsent(key(namespace, pod, container), k -> new Container());
        synchronized (logs) {
            logs.previous.clear();
            logs.previous.addAll(logs.current);
            logs.current.clear();
        }
    }

    /** A pod is gone, and its logs with it. */
    void forget(String namespace, String pod) {
        String prefix = namespace + "/" + pod + "/";
        containers.keySet().removeIf(key -> key.startsWith(prefix));
    }

    private static String key(String namespace, String pod, String container) {
        return namespace + "/" + pod + "/" + container;
    }
}
