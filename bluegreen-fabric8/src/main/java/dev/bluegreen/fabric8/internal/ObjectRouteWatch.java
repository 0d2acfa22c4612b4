package dev.bluegreen.fabric8.internal;

import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Follows one routing object (a Service, an Ingress, an HTTPRoute) from a read with a single watch (no list: the read it starts from is the
 * list). When the server ends the watch (a resourceVersion too old, a restart) the object is read
 * again and followed from there, on a thread of its own so the client's thread is not blocked.
 */
final class ObjectRouteWatch<T extends HasMetadata> implements RouteWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectRouteWatch.class);

    private final Resource<T> object;
    private final String description;
    private final Function<T, RouteState> route;
    private final Consumer<RouteState> onChange;
    private volatile RouteState latest;
    private volatile Watch watch;
    private volatile boolean closed;
    /** The resourceVersion of our own write, until the watch delivers it; events before it are older news. */
    private String pendingOwn;
    /** The resourceVersions the watch delivered lately, to tell whether our own write was already seen. */
    private final java.util.Deque<String> delivered = new java.util.ArrayDeque<>();
    private final Runnable onClose;

    /**
     * @param object      the object's handle (namespace and name set)
     * @param description for log messages, e.g. {@code Ingress shop/myapp-ingress}
     */
    ObjectRouteWatch(Resource<T> object, String description, RouteState from,
                     Function<T, RouteState> route, Consumer<RouteState> onChange, Runnable onClose) {
        this.onClose = onClose;
        this.object = object;
        this.description = description;
        this.route = route;
        this.onChange = onChange;
        this.latest = from;
        start(from.revision());
    }

    private synchronized void start(String revision) {
        if (closed) {
            return;
        }
        try {
            watch = object.watch(new ListOptionsBuilder().withResourceVersion(revision).build(), new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, T service) {
                            if (action == Action.ERROR || closed) {
                                return;
                            }
                            deliver(route.apply(action == Action.DELETED ? null : service), service);
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            restart(cause.getMessage());
                        }

                        @Override
                        public void onClose() {
                            restart("closed by the server");
                        }
                    });
        } catch (KubernetesClientException e) {
            LOG.warn("watching {} failed ({}); the release falls back on its reads", description, e.getMessage());
        }
    }

    private void deliver(RouteState state, T service) {
        synchronized (this) {
            if (service != null) {
                delivered.addLast(service.getMetadata().getResourceVersion());
                if (delivered.size() > 32) {
                    delivered.removeFirst();
                }
            }
            if (pendingOwn != null) {
                if (service != null && pendingOwn.equals(service.getMetadata().getResourceVersion())) {
                    pendingOwn = null;
                }
                return;
            }
            if (same(latest, state)) {
                return;
            }
            latest = state;
        }
        onChange.accept(state);
    }

    /**
     * Our own write, as the server answered it: it is the latest state at once, and events the
     * watch still delivers from before it are not news.
     */
    synchronized void ownWrite(HasMetadata written, RouteState state) {
        String revision = written.getMetadata().getResourceVersion();
        if (delivered.contains(revision)) {
            // The watch was quicker than the write's answer: what it delivered since is newer.
            return;
        }
        pendingOwn = revision;
        latest = state;
    }

    private void restart(String why) {
        if (closed) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                T service = object.get();
                synchronized (ObjectRouteWatch.this) {
                    pendingOwn = null;
                }
                deliver(route.apply(service), service);
                start(service == null ? null : service.getMetadata().getResourceVersion());
            } catch (KubernetesClientException e) {
                LOG.warn("re-reading {} after its watch ended ({}) failed: {}", description, why, e.getMessage());
            }
        }, "bluegreen-route-watch-" + description);
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean same(RouteState a, RouteState b) {
        return a != null && b != null && java.util.Objects.equals(a.live(), b.live())
                && java.util.Objects.equals(a.revision(), b.revision());
    }

    @Override
    public RouteState latest() {
        return latest;
    }

    @Override
    public synchronized void close() {
        closed = true;
        onClose.run();
        Watch current = watch;
        if (current != null) {
            current.close();
        }
    }
}
