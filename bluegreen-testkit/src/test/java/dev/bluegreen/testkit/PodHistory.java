package dev.bluegreen.testkit;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The pods of an app as a watch sees them, one snapshot after every event: the API server's states in the
 * order they happened, so that a test can assert what held at every moment of a rollout.
 */
final class PodHistory implements AutoCloseable {

    /** The pods at one moment. */
    record Snapshot(List<Pod> pods) {

        /** Pods that serve: ready and not terminating. */
        long serving() {
            return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null && ready(p)).count();
        }

        /** Pods that count as replicas: not terminating, not finished. */
        long active() {
            return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
                    && !"Succeeded".equals(phase(p)) && !"Failed".equals(phase(p))).count();
        }

        /** Pods of one template, terminating ones included. */
        long ofTemplate(String hash) {
            return pods.stream().filter(p -> hash.equals(p.getMetadata().getLabels().get("pod-template-hash"))).count();
        }

        /** Serving pods of one template. */
        long servingOfTemplate(String hash) {
            return pods.stream().filter(p -> hash.equals(p.getMetadata().getLabels().get("pod-template-hash"))
                    && p.getMetadata().getDeletionTimestamp() == null && ready(p)).count();
        }

        private static boolean ready(Pod pod) {
            return pod.getStatus() != null && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }

        private static String phase(Pod pod) {
            return pod.getStatus() == null ? null : pod.getStatus().getPhase();
        }
    }

    private final Map<String, Pod> current = new LinkedHashMap<>();
    private final List<Snapshot> snapshots = new ArrayList<>();
    private final CountDownLatch replayed;
    private final Watch watch;

    /**
     * Starts watching and returns once the watch has replayed the pods that exist now, so that the first
     * snapshot is the complete present state.
     */
    PodHistory(KubernetesClient client, String app) {
        Set<String> existing = client.pods().withLabel("app", app).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        replayed = new CountDownLatch(existing.isEmpty() ? 0 : 1);
        watch = client.pods().withLabel("app", app).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                synchronized (current) {
                    if (action == Action.DELETED) {
                        current.remove(pod.getMetadata().getName());
                    } else {
                        current.put(pod.getMetadata().getName(), pod);
                    }
                    if (replayed.getCount() > 0 && current.keySet().containsAll(existing)) {
                        replayed.countDown();
                    }
                    if (replayed.getCount() == 0) {
                        snapshots.add(new Snapshot(List.copyOf(current.values())));
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            if (!replayed.await(Fixtures.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the watch did not replay the existing pods " + existing);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The snapshots so far. */
    List<Snapshot> snapshots() {
        synchronized (current) {
            return List.copyOf(snapshots);
        }
    }

    @Override
    public void close() {
        watch.close();
    }
}
