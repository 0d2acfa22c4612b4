package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The routing object a switcher writes (a Service, an Ingress, an HTTPRoute), with what every switcher does
 * the same way: remember the last state read or written (so a write carries the read it was decided on),
 * the conditioned switch write that settles a lost answer by reading again (never by writing blindly), the
 * fence (a conditioned write of the SDK's own annotation) and the route watches, which count the switcher's
 * own writes as their latest state at once.
 *
 * @param <T> the object's type
 */
final class RoutingObject<T extends HasMetadata> {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingObject.class);
    /** The annotation a fence writes: the SDK's own marker, nothing else changes. */
    static final String FENCE_ANNOTATION = "bluegreen.dev/fence";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String target;
    private final Supplier<Resource<T>> readable;
    private final Supplier<Resource<T>> writable;
    private final Function<T, RouteState> route;
    private final Clock clock;
    private final AtomicReference<T> lastSeen = new AtomicReference<>();
    private final Set<ObjectRouteWatch<T>> watches = ConcurrentHashMap.newKeySet();

    /**
     * @param target   e.g. {@code Ingress shop/myapp-ingress}
     * @param readable a handle for reads and watches
     * @param writable a handle for writes that sends no read first
     * @param route    what the object says about routing (null: it does not exist)
     */
    RoutingObject(String target, Supplier<Resource<T>> readable, Supplier<Resource<T>> writable,
                  Function<T, RouteState> route, Clock clock) {
        this.target = target;
        this.readable = readable;
        this.writable = writable;
        this.route = route;
        this.clock = clock;
    }

    /** @return the object as last read or written, or null */
    T lastSeen() {
        return lastSeen.get();
    }

    /** Reads the object (retrying as {@link KubeCalls#read} does) and remembers it. */
    T read(KubeCalls calls, Deadline deadline) {
        T object = calls.read("read of " + target, deadline, () -> readable.get().get());
        lastSeen.set(object);
        return object;
    }

    /**
     * Sends a switch conditioned on {@code decidedOn} (the body carries its resourceVersion). A 409 is a
     * conflict; a lost answer or a 5xx is settled by reading again: applied (the route shows {@code to} at a
     * new revision), someone else's change (a conflict), or not applied (the same write again, which a late
     * arrival of the first can then only make fail).
     */
    SwitchResult switchWrite(Color from, Color to, RouteState decidedOn, PatchType type, String body,
                             KubeCalls calls, Deadline deadline) {
        String what = "switch of " + target + " from " + (from == null ? "no single color" : from) + " to " + to;
        while (true) {
            try {
                T patched = writable.get().patch(PatchContext.of(type), body);
                written(patched);
                SwitchResult result = new SwitchResult(target, from, to, true, decidedOn.revision(),
                        patched.getMetadata().getResourceVersion(), clock.instant());
                LOG.info("switched {}", result);
                return result;
            } catch (KubernetesClientException e) {
                if (e.getCode() == KubeCalls.CONFLICT) {
                    throw conflict(to, decidedOn, e);
                }
                ClusterApiException error = KubeCalls.apiError(what, target, e);
                if (!KubeCalls.outcomeUnknown(e)) {
                    throw error;
                }
                deadline.noteFailure(error);
                RouteState now = route.apply(read(calls, deadline));
                if (now.routesTo(to) && !decidedOn.revision().equals(now.revision())) {
                    LOG.info("{}: the answer was lost, but the switch was applied (revision {})", what, now.revision());
                    return new SwitchResult(target, from, to, true, decidedOn.revision(), now.revision(), clock.instant());
                }
                if (!decidedOn.revision().equals(now.revision())) {
                    throw conflict(to, decidedOn, e);
                }
                if (!deadline.pause(Duration.ofMillis(50))) {
                    throw error;
                }
            }
        }
    }

    /** @return the conflict of a switch to {@code color} decided on a revision that is no longer current */
    SwitchConflictException conflict(Color color, RouteState decidedOn, Throwable cause) {
        return new SwitchConflictException(target, decidedOn.revision(), target + " changed after it was read at "
                + "resourceVersion " + decidedOn.revision() + " (someone else edited it); nothing was written and their "
                + "edit was kept. Re-read it and switch to " + color + " again if that is still wanted.", cause);
    }

    /** The fence: a merge patch of only the SDK's annotation, conditioned on {@code seen}. */
    RouteState fence(RouteState seen, KubeCalls calls, Deadline deadline) {
        if (seen.revision() == null) {
            return route.apply(read(calls, deadline));
        }
        byte[] nonce = new byte[4];
        RANDOM.nextBytes(nonce);
        String patch = Serialization.asJson(Map.of("metadata", Map.of("resourceVersion", seen.revision(),
                "annotations", Map.of(FENCE_ANNOTATION, HexFormat.of().formatHex(nonce)))));
        try {
            T patched = writable.get().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            written(patched);
            return route.apply(patched);
        } catch (KubernetesClientException e) {
            if (e.getCode() == KubeCalls.CONFLICT) {
                throw new SwitchConflictException(target, seen.revision(), target + " changed since revision "
                        + seen.revision() + " while fencing a switch whose answer was lost", e);
            }
            throw KubeCalls.apiError("fence of " + target, target, e);
        }
    }

    /** Our own write: remembered, and the latest state of every watch. */
    private void written(T patched) {
        lastSeen.set(patched);
        RouteState state = route.apply(patched);
        watches.forEach(watch -> watch.ownWrite(patched, state));
    }

    /** @return a watch following the object from {@code from}; what it sees is remembered too */
    RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
        @SuppressWarnings("unchecked")
        ObjectRouteWatch<T>[] created = new ObjectRouteWatch[1];
        created[0] = new ObjectRouteWatch<>(readable.get(), target, from, object -> {
            if (object != null) {
                lastSeen.set(object);
            }
            return route.apply(object);
        }, onChange, () -> watches.remove(created[0]));
        watches.add(created[0]);
        return created[0];
    }
}
