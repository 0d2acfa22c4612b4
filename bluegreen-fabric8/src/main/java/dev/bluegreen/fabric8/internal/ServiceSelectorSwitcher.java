package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
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
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
    static final String FENCE_ANNOTATION = RoutingObject.FENCE_ANNOTATION;

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final Deployments deployments;
    private final EndpointVerifier verifier;
    private final Clock clock;
    private final RoutingObject<Service> service;

    /**
     * @param deployments the app's Deployments, shared with the environments of the same plan
     * @param clock       stamps reads and writes
     */
    ServiceSelectorSwitcher(Deployments deployments, Clock clock) {
        this.client = deployments.client();
        this.conventions = deployments.conventions();
        this.deployments = deployments;
        this.clock = clock;
        this.service = new RoutingObject<>(target(), () -> client.services().inNamespace(conventions.namespace())
                .withName(conventions.serviceName()), this::service, this::route, clock);
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
        return route(service.read(deployments.calls(), deadline));
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
        Service seen = service.lastSeen();
        Map<String, String> selector = new TreeMap<>(seen == null ? Map.of() : selector(seen));
        selector.remove(conventions.colorLabel());
        return selector;
    }

    @Override
    public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
        Checks.nonNull("color", color);
        Service seen = service.lastSeen();
        if (seen == null) {
            return List.of();
        }
        Map<String, String> wanted = new TreeMap<>(selector(seen));
        wanted.put(conventions.colorLabel(), color.name());
        return deployments.podsNotMatched(color, wanted, target(), deadline).map(List::of).orElse(List.of());
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
        return service.switchWrite(from, color, decidedOn, PatchType.JSON_MERGE, patch, deployments.calls(), deadline);
    }

    @Override
    public RouteState fence(RouteState seen, Deadline deadline) {
        return service.fence(seen, deployments.calls(), deadline);
    }

    @Override
    public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
        return service.watch(from, onChange);
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
