package dev.bluegreen.examples;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every version of one namespace's Services, Deployments and Leases, as watches deliver them, in
 * resourceVersion order (the simulated API server counts one global resourceVersion, so the versions
 * of different objects are ordered too). The chaos checks read "what did the Service select when
 * this Deployment was scaled down" from it.
 */
final class ChaosTimeline implements AutoCloseable {

    /** One version of one object. */
    record Entry(long rv, String kind, String name, String color, int replicas, String image, int available,
                 long generation, Map<String, String> annotations, String holder) {

        String describe() {
            return switch (kind) {
                case "Service" -> "Service " + name + " -> " + color + " (rv " + rv + ")";
                case "Deployment" -> "Deployment " + name + " " + image + " x" + replicas + ", " + available
                        + " available (rv " + rv + ")";
                default -> "Lease " + name + " held by '" + holder + "' (rv " + rv + ")";
            };
        }
    }

    private final String colorLabel;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();

    ChaosTimeline(KubernetesClient observer, String namespace, String colorLabel) {
        this.colorLabel = colorLabel;
        watches.add(observer.services().inNamespace(namespace).watch(watcher()));
        watches.add(observer.apps().deployments().inNamespace(namespace).watch(watcher()));
        watches.add(observer.leases().inNamespace(namespace).watch(watcher()));
    }

    private <T extends HasMetadata> Watcher<T> watcher() {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T object) {
                if (action != Action.ERROR && action != Action.DELETED && object != null) {
                    add(entry(object));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the run's checks wait for the versions they need and name what is missing
            }
        };
    }

    private Entry entry(HasMetadata object) {
        long rv = Long.parseLong(object.getMetadata().getResourceVersion());
        Map<String, String> annotations = object.getMetadata().getAnnotations() == null ? Map.of()
                : Map.copyOf(object.getMetadata().getAnnotations());
        String name = object.getMetadata().getName();
        if (object instanceof Service service) {
            Map<String, String> selector = service.getSpec().getSelector();
            return new Entry(rv, "Service", name, selector == null ? null : selector.get(colorLabel), 0, null, 0, 0,
                    annotations, null);
        }
        if (object instanceof Deployment deployment) {
            Integer replicas = deployment.getSpec().getReplicas();
            Integer available = deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
            Long generation = deployment.getMetadata().getGeneration();
            return new Entry(rv, "Deployment", name, deployment.getSpec().getTemplate().getMetadata().getLabels()
                    .get(colorLabel), replicas == null ? 1 : replicas,
                    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
                    available == null ? 0 : available, generation == null ? 0 : generation, annotations, null);
        }
        Lease lease = (Lease) object;
        String holder = lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null ? ""
                : lease.getSpec().getHolderIdentity();
        return new Entry(rv, "Lease", name, null, 0, null, 0, 0, annotations, holder);
    }

    private synchronized void add(Entry entry) {
        entries.add(entry);
        notifyAll();
    }

    /**
     * Waits until the watches delivered a version of an object at least as new as {@code rv}.
     *
     * @return false when it did not arrive in time
     */
    synchronized boolean awaitVersion(String kind, String name, long rv, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (entries.stream().noneMatch(e -> e.kind.equals(kind) && e.name.equals(name) && e.rv >= rv)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** @return every version seen so far, oldest first */
    synchronized List<Entry> entries() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::rv));
        // A watch that restarted may deliver a version twice.
        List<Entry> unique = new ArrayList<>();
        for (Entry entry : sorted) {
            if (unique.isEmpty() || unique.get(unique.size() - 1).rv != entry.rv
                    || !unique.get(unique.size() - 1).kind.equals(entry.kind)) {
                unique.add(entry);
            }
        }
        return unique;
    }

    /** @return the versions of one kind, oldest first */
    List<Entry> of(String kind) {
        return entries().stream().filter(e -> e.kind.equals(kind)).toList();
    }

    /** @return the newest version of an object no newer than {@code rv} */
    Optional<Entry> at(String kind, String name, long rv) {
        Entry found = null;
        for (Entry entry : entries()) {
            if (entry.kind.equals(kind) && entry.name.equals(name) && entry.rv <= rv) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    /** @return the newest resourceVersion seen of any watched object */
    synchronized long latestRv() {
        return entries.stream().mapToLong(Entry::rv).max().orElse(0);
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }
}
