package dev.bluegreen.testkit;

import dev.bluegreen.testkit.internal.LogStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The containers' logs of a {@link SimulatedCluster}: what {@code GET .../pods/<name>/log} (fabric8's
 * {@code getLog()}, {@code kubectl logs}) serves. Containers write the lines of their {@link PodBehavior}
 * each time they start; a test adds its own with {@link #append}. A restart moves the lines to the previous
 * instance ({@code ?previous=true}); a deleted pod's logs are gone.
 */
public final class PodLogs {

    private final LogStore store;
    private final Clock clock;

    PodLogs(LogStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Appends a line to a container's log, as if the container had written it now.
     *
     * @param namespace the pod's namespace; not null
     * @param pod       the pod's name; not null
     * @param container the container's name; not null
     * @param line      the line, without line break; not null
     */
    public void append(String namespace, String pod, String container, String line) {
        store.append(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(pod, "pod"),
                Objects.requireNonNull(container, "container"), Objects.requireNonNull(line, "line"), clock.instant());
    }

    /**
     * Returns the lines of a container's current instance.
     *
     * @param namespace the pod's namespace; not null
     * @param pod       the pod's name; not null
     * @param container the container's name; not null
     * @return the lines, oldest first; empty when there are none
     */
    public List<String> lines(String namespace, String pod, String container) {
        return store.lines(namespace, pod, container, false).stream().map(LogStore.Line::text).toList();
    }

    /**
     * Returns the lines of the instance before the container's last restart.
     *
     * @param namespace the pod's namespace; not null
     * @param pod       the pod's name; not null
     * @param container the container's name; not null
     * @return the lines, oldest first; empty when there are none
     */
    public List<String> previousLines(String namespace, String pod, String container) {
        return store.lines(namespace, pod, container, true).stream().map(LogStore.Line::text).toList();
    }
}
