package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The mock's CRUD storage, opened up so that the simulated API server can store an object exactly as it
 * decided it should be (defaults applied, status kept, deletion pending) without the mock's handlers
 * second-guessing it: they would, for example, delete a pod that is being terminated gracefully as soon as
 * anything writes it. Writes take the storage's own write lock, as its handlers do, so that a watch
 * replaying the stored objects never sees a write half-way; they bump the one global resourceVersion and
 * notify the watches like the mock's own writes.
 */
final class CrudStore extends KubernetesCrudDispatcher {

    private final Lock writeLock = writeLockOf(this);

    /**
     * Returns a stored object.
     *
     * @param objectPath the object's path, without subresource or query
     * @return the object as a JSON tree of maps and lists, or null when it does not exist
     */
    Map<String, Object> get(String objectPath) {
        Map.Entry<AttributeSet, String> entry = findResource(getKey(objectPath));
        return entry == null ? null : Json.parse(entry.getValue());
    }

    /**
     * Lists the objects of a collection as the mock filters them (namespace, equality label selectors).
     *
     * @param collectionPathAndQuery the collection's path with its query
     * @return the objects; never null
     */
    List<Map<String, Object>> list(String collectionPathAndQuery) {
        MockResponse response = handleGet(collectionPathAndQuery);
        if (response.code() != 200 || response.getBody() == null) {
            return List.of();
        }
        Map<String, Object> list = Json.parse(new String(response.getBody().getBytes(), StandardCharsets.UTF_8));
        List<Map<String, Object>> items = new ArrayList<>();
        for (Object item : Json.list(list, "items")) {
            if (item instanceof Map<?, ?> map) {
                items.add(Json.cast(map));
            }
        }
        return items;
    }

    /**
     * Stores a new object, or replaces the stored one, giving it the next resourceVersion and notifying the
     * watches (ADDED or MODIFIED).
     *
     * @param objectPath the object's path
     * @param object     the complete object; its {@code metadata.resourceVersion} is overwritten
     * @return the object as stored
     */
    Map<String, Object> put(String objectPath, Map<String, Object> object) {
        return locked(() -> {
            AttributeSet key = getKey(objectPath);
            Map.Entry<AttributeSet, String> existing = findResource(key);
            Json.map(object, "metadata").put("resourceVersion", String.valueOf(requestResourceVersion()));
            String json = Serialization.asJson(object);
            GenericKubernetesResource resource = existing == null
                    ? Serialization.unmarshal(json, GenericKubernetesResource.class) : null;
            processEvent(objectPath, key, existing == null ? null : existing.getKey(), resource, json);
            return object;
        });
    }

    /**
     * Removes a stored object and notifies the watches (DELETED).
     *
     * @param objectPath the object's path
     * @return true if it existed
     */
    boolean remove(String objectPath) {
        return locked(() -> {
            AttributeSet key = getKey(objectPath);
            Map.Entry<AttributeSet, String> existing = findResource(key);
            if (existing == null) {
                return false;
            }
            processEvent(objectPath, key, existing.getKey(), null, null);
            return true;
        });
    }

    private <T> T locked(Supplier<T> action) {
        writeLock.lock();
        try {
            return action.get();
        } finally {
            writeLock.unlock();
        }
    }

    /** The storage's private lock: its handlers and watch replays use it; so must writes from outside. */
    private static Lock writeLockOf(KubernetesCrudDispatcher dispatcher) {
        try {
            Field field = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            field.setAccessible(true);
            return ((ReadWriteLock) field.get(dispatcher)).writeLock();
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Another mock version: writes are still serialized by the dispatcher's own lock.
            return new ReentrantLock();
        }
    }
}
