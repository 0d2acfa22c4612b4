package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerifier;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Blue-green by a Service's label selector (the guide's method 1): the live color is the value of
 * the color label in the Service's selector; a switch is one JSON merge patch of only that key,
 * carrying the resourceVersion the decision was based on, so a concurrent edit makes it fail
 * instead of being overwritten. Verification follows the Service's EndpointSlices (or Endpoints).
 */
public final class ServiceSelectorSwitcher implements TrafficSwitcher {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSelectorSwitcher.class);
    /** The annotation a fence writes: the SDK's own marker on the Service, nothing else changes. */
    static final String FENCE_ANNOTATION = "bluegreen.dev/fence";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final Deployments deployments;
    private final EndpointVerifier verifier;
    private final Clock clock;
    private final AtomicReference<Service> lastSeen = new AtomicReference<>();
    private final java.util.Set<ServiceRouteWatch> watches = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param deployments the app's Deployments, shared with the environments of the same plan
     * @param clock       stamps reads and writes
     */
    ServiceSelectorSwitcher(Deployments deployments, Clock clock) {
        this.client = deployments.client();
        this.conventions = deployments.conventions();
        this.deployments = deployments;
        this.clock = clock;
        this.verifier = new EndpointVerifier(client, conventions.namespace(), conventions.serviceName(),
                conventions.colorLabel(), this::podSelector);
    }

    @Override
    public String target() {
        return "Service " + conventions.namespace() + "/" + conventions.serviceName();
    }

    private Resource<Service> service() {
        Service reference = new ServiceBuilder().withNewMetadata().withName(conventions.serviceName())
                .withNamespace(conventions.namespace()).endMetadata().build();
        return client.services().resource(reference);
    }

    @Override
    public RouteState read(Deadline deadline) {
        Service service = deployments.calls().read("read of " + target(), deadline, () -> client.services()
                .inNamespace(conventions.namespace()).withName(conventions.serviceName()).get());
        lastSeen.set(service);
        return route(service);
    }

    /** @return what a Service says about routing */
    RouteState route(Service service) {
        if (service == null) {
            return RouteState.unrouted(target(), null, target() + " does not exist", clock.instant());
        }
        String revision = service.getMetadata().getResourceVersion();
        Map<String, String> selector = selector(service);
        String value = selector.get(conventions.colorLabel());
        if (value == null) {
            return RouteState.unrouted(target(), revision, target() + " does not select by label '"
                    + conventions.colorLabel() + "' (its selector is " + new TreeMap<>(selector)
                    + "); expected a selector with the color label '" + conventions.colorLabel() + "'", clock.instant());
        }
        try {
            return RouteState.routed(target(), Color.of(value), revision, clock.instant());
        } catch (ConfigurationException e) {
            return RouteState.unrouted(target(), revision, target() + " selects label " + conventions.colorLabel()
                    + "='" + value + "', which is not a color: " + e.getMessage(), clock.instant());
        }
    }

    private static Map<String, String> selector(Service service) {
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector == null ? Map.of() : selector;
    }

    /** @return the Service's selector without the color label: the pods that may back it */
    private Map<String, String> podSelector() {
        Service service = lastSeen.get();
        Map<String, String> selector = new TreeMap<>(service == null ? Map.of() : selector(service));
        selector.remove(conventions.colorLabel());
        return selector;
    }

    @Override
    public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
        Checks.nonNull("color", color);
        Service service = lastSeen.get();
        if (service == null) {
            return List.of();
        }
        Deployment deployment = deployments.lastSeen(color).orElseGet(() -> deployments.get(color, deadline));
        if (deployment == null) {
            return List.of();
        }
        Map<String, String> wanted = new TreeMap<>(selector(service));
        wanted.put(conventions.colorLabel(), color.name());
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : deployment.getSpec().getTemplate().getMetadata().getLabels();
        labels = labels == null ? Map.of() : labels;
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String> entry : wanted.entrySet()) {
            String actual = labels.get(entry.getKey());
            if (!entry.getValue().equals(actual)) {
                mismatches.add("label '" + entry.getKey() + "' is " + (actual == null ? "missing" : "'" + actual + "'")
                        + ", expected '" + entry.getValue() + "'");
            }
        }
        if (mismatches.isEmpty()) {
            return List.of();
        }
        return List.of("the pods of " + deployments.describe(color) + " are labelled " + new TreeMap<>(labels)
                + ", which the selector " + wanted + " of " + target() + " would not match after the switch ("
                + String.join("; ", mismatches) + ")");
    }

    @Override
    public SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
        Checks.nonNull("color", color);
        Checks.nonNull("route decided on", decidedOn);
        if (decidedOn.routesTo(color)) {
            return new SwitchResult(target(), color, color, false, decidedOn.revision(), decidedOn.revision(),
                    clock.instant());
        }
        if (decidedOn.revision() == null) {
            throw new ClusterApiException(target() + " does not exist; nothing to switch", target(), KubeCalls.NOT_FOUND, null);
        }
        Color from = decidedOn.live();
        String patch = Serialization.asJson(Map.of(
                "metadata", Map.of("resourceVersion", decidedOn.revision()),
                "spec", Map.of("selector", Map.of(conventions.colorLabel(), color.name()))));
        String what = "switch of " + target() + " from " + (from == null ? "no single color" : from) + " to " + color;
        while (true) {
            try {
                Service patched = service().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                written(patched);
                SwitchResult result = new SwitchResult(target(), from, color, true, decidedOn.revision(),
                        patched.getMetadata().getResourceVersion(), clock.instant());
                LOG.info("switched {}", result);
                return result;
            } catch (KubernetesClientException e) {
                if (e.getCode() == KubeCalls.CONFLICT) {
                    throw conflict(color, decidedOn, e);
                }
                ClusterApiException error = KubeCalls.apiError(what, target(), e);
                if (!KubeCalls.outcomeUnknown(e)) {
                    throw error;
                }
                // The answer was lost: read again to learn whether the write was applied.
                deadline.noteFailure(error);
                RouteState now = read(deadline);
                if (now.routesTo(color) && !decidedOn.revision().equals(now.revision())) {
                    LOG.info("{}: the answer was lost, but the switch was applied (revision {})", what, now.revision());
                    return new SwitchResult(target(), from, color, true, decidedOn.revision(), now.revision(),
                            clock.instant());
                }
                if (!decidedOn.revision().equals(now.revision())) {
                    throw conflict(color, decidedOn, e);
                }
                // Not applied (yet): the same conditioned write again; a late arrival of the first can then only fail.
                if (!deadline.pause(java.time.Duration.ofMillis(50))) {
                    throw error;
                }
            }
        }
    }

    private SwitchConflictException conflict(Color color, RouteState decidedOn, Throwable cause) {
        return new SwitchConflictException(target(), decidedOn.revision(), target() + " changed after it was read at "
                + "resourceVersion " + decidedOn.revision() + " (someone else edited it); nothing was written and their "
                + "edit was kept. Re-read it and switch to " + color + " again if that is still wanted.", cause);
    }

    @Override
    public RouteState fence(RouteState seen, Deadline deadline) {
        if (seen.revision() == null) {
            return read(deadline);
        }
        byte[] nonce = new byte[4];
        RANDOM.nextBytes(nonce);
        String marker = HexFormat.of().formatHex(nonce);
        String patch = Serialization.asJson(Map.of("metadata", Map.of("resourceVersion", seen.revision(),
                "annotations", Map.of(FENCE_ANNOTATION, marker))));
        try {
            Service patched = service().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            written(patched);
            return route(patched);
        } catch (KubernetesClientException e) {
            if (e.getCode() == KubeCalls.CONFLICT) {
                throw new SwitchConflictException(target(), seen.revision(), target() + " changed since revision "
                        + seen.revision() + " while fencing a switch whose answer was lost", e);
            }
            throw KubeCalls.apiError("fence of " + target(), target(), e);
        }
    }

    /** Our own write: remembered, and the latest state of every watch of this switcher. */
    private void written(Service patched) {
        lastSeen.set(patched);
        RouteState state = route(patched);
        watches.forEach(watch -> watch.ownWrite(patched, state));
    }

    @Override
    public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
        ServiceRouteWatch[] created = new ServiceRouteWatch[1];
        created[0] = new ServiceRouteWatch(client, conventions.namespace(), conventions.serviceName(), from, service -> {
            if (service != null) {
                lastSeen.set(service);
            }
            return route(service);
        }, onChange, () -> watches.remove(created[0]));
        watches.add(created[0]);
        return created[0];
    }

    @Override
    public Optional<TrafficVerifier> verifier() {
        return Optional.of(verifier);
    }

    @Override
    public String toString() {
        return "ServiceSelectorSwitcher[" + target() + ", color label " + conventions.colorLabel() + "]";
    }
}
