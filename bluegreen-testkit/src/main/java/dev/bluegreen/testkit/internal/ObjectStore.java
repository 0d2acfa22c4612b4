package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A controller's view of one kind of object, fed by two sources: its informer's events and the responses
 * to the controller's own writes. The informer alone lags behind those writes; acting on its cache, a
 * controller would, for example, create a Deployment's pods twice. Every update is therefore kept only
 * if it is newer than what the store holds (the mock API server's resource versions are one global
 * counter), and deleted objects are remembered so that a late event cannot bring them back.
 *
 * <p>Not thread-safe: used only on the {@link ControllerLoop} thread.
 *
 * @param <T> the kind of object
 */
final class ObjectStore<T extends HasMetadata> {

    private final Map<String, T> objects = new HashMap<>();
    private final Set<String> deletedUids = new HashSet<>();

    /**
     * Returns the {@code namespace/name} key of an object.
     *
     * @param object an object with namespace and name
     * @return its key
     */
    static String keyOf(HasMetadata object) {
        return key(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /**
     * Builds a {@code namespace/name} key.
     *
     * @param namespace the namespace
     * @param name      the name
     * @return the key
     */
    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /**
     * Takes {@code object} in unless the store already holds the same or a newer version of it, or the
     * object was deleted.
     *
     * @param object an object from an informer event or a write response
     */
    void observe(T object) {
        if (deletedUids.contains(object.getMetadata().getUid())) {
            return;
        }
        String key = keyOf(object);
        T current = objects.get(key);
        if (current == null || resourceVersion(object) > resourceVersion(current)) {
            objects.put(key, object);
        }
    }

    /**
     * Drops {@code object} and remembers it as deleted.
     *
     * @param object the deleted object, or the object the controller just deleted
     * @param confirmed true when the informer reported the deletion: no event about the object can follow,
     *                  so it need not be remembered any longer
     */
    void remove(T object, boolean confirmed) {
        String uid = object.getMetadata().getUid();
        objects.computeIfPresent(keyOf(object), (key, current) -> uid.equals(current.getMetadata().getUid()) ? null : current);
        if (confirmed) {
            deletedUids.remove(uid);
        } else {
            deletedUids.add(uid);
        }
    }

    /**
     * Returns the object stored under a key.
     *
     * @param key a {@code namespace/name} key
     * @return the object, or null
     */
    T get(String key) {
        return objects.get(key);
    }

    /**
     * Returns the objects of one namespace.
     *
     * @param namespace the namespace
     * @return a snapshot, in no particular order
     */
    List<T> inNamespace(String namespace) {
        return objects.values().stream().filter(o -> namespace.equals(o.getMetadata().getNamespace())).toList();
    }

    /**
     * Returns every object.
     *
     * @return a snapshot, in no particular order
     */
    List<T> all() {
        return List.copyOf(objects.values());
    }

    private static long resourceVersion(HasMetadata object) {
        String version = object.getMetadata().getResourceVersion();
        return version == null ? 0 : Long.parseLong(version);
    }
}
