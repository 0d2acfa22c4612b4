package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.PreflightException;
import dev.bluegreen.VerificationException;
import dev.bluegreen.fabric8.BackendSelection;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Blue-green by moving the backends of a routing object (an Ingress, an HTTPRoute) between the two color
 * Services {@code <app>-blue-svc} / {@code <app>-green-svc}. The live color is the color Service the selected
 * backends point at; backends that point at other Services are not the SDK's and are never written. A switch
 * is one JSON patch that replaces {@code metadata.resourceVersion} (so the server refuses it with 409 when the
 * object changed since the read it was decided on) and then only the backends' Service names (and, for an
 * HTTPRoute rule that lists both colors, their weights): other rules, annotations, TLS and the ports stay as
 * they are. Before the write the target color's Service must list ready pods of that color; after it, the
 * verification re-reads the object and waits until the target Service's endpoints are ready pods of the color.
 *
 * @param <T> the routing object's type
 */
abstract class BackendRouteSwitcher<T extends HasMetadata> implements TrafficSwitcher {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRouteSwitcher.class);
    /** The status a refusal before any write carries: the switch's precondition (ready backends) did not hold. */
    static final int PRECONDITION_FAILED = 412;

    /**
     * One backend of the routing object.
     *
     * @param group    the unit traffic is decided for, e.g. {@code host shop.example.com path /} or {@code rule 0}
     * @param where    the backend, for messages
     * @param pointer  JSON pointer of the object holding the Service {@code name} (and {@code weight})
     * @param service  the Service it points at; for something else than a Service of the namespace a name
     *                 that is no Service name (so never a color)
     * @param port     the port it uses: a number or a port name, or null when it names none
     * @param weight   its weight, or null where backends have no weight
     * @param selected whether the caller's selection includes it
     */
    record Backend(String group, String where, String pointer, String service, String port, Integer weight,
                   boolean selected) {
        boolean carriesTraffic() {
            return weight == null || weight > 0;
        }
    }

    final KubernetesClient client;
    final BlueGreenConventions conventions;
    final Deployments deployments;
    final BackendSelection selection;
    private final Clock clock;
    private final RoutingObject<T> routing;
    private final Map<Color, Service> colorServices = new ConcurrentHashMap<>();
    private final Map<Color, EndpointVerifier> endpointVerifiers = new ConcurrentHashMap<>();

    BackendRouteSwitcher(Deployments deployments, BackendSelection selection, Clock clock) {
        this.client = deployments.client();
        this.conventions = deployments.conventions();
        this.deployments = deployments;
        this.selection = Checks.nonNull("backend selection", selection);
        this.clock = clock;
        for (Color color : conventions.colors()) {
            ServiceNames.require("color Service", conventions.colorServiceName(color), color);
        }
        this.routing = new RoutingObject<>(kind() + " " + conventions.namespace() + "/" + name(), this::object,
                this::writable, this::route, clock);
    }

    /** @return e.g. {@code Ingress} */
    abstract String kind();

    /** @return the object's name */
    abstract String name();

    /** @return a handle for reads and watches */
    abstract Resource<T> object();

    /** @return a handle for writes that sends no read first */
    abstract Resource<T> writable();

    /** @return every backend of the object, in document order */
    abstract List<Backend> backends(T object);

    /** @return the parts of the caller's selection that the object does not have, each naming what it has */
    abstract List<String> selectionProblems(T object);

    /**
     * @return the JSON patch operations (after the resourceVersion's) that move every selected backend
     *         carrying traffic to a color other than {@code to} over to {@code to}'s Service
     */
    List<Map<String, Object>> switchOperations(T object, Color to) {
        List<Map<String, Object>> operations = new ArrayList<>();
        for (Backend backend : backends(object)) {
            Color color = colorOf(backend.service());
            if (backend.selected() && color != null && !color.equals(to) && backend.carriesTraffic()) {
                operations.add(operation("replace", backend.pointer() + "/name", conventions.colorServiceName(to)));
            }
        }
        return operations;
    }

    static Map<String, Object> operation(String op, String path, Object value) {
        Map<String, Object> operation = new LinkedHashMap<>();
        operation.put("op", op);
        operation.put("path", path);
        operation.put("value", value);
        return operation;
    }

    @Override
    public String target() {
        return kind() + " " + conventions.namespace() + "/" + name();
    }

    /** @return the color whose Service this is, or null */
    Color colorOf(String service) {
        for (Color color : conventions.colors()) {
            if (conventions.colorServiceName(color).equals(service)) {
                return color;
            }
        }
        return null;
    }

    private String describeService(Color color) {
        return "Service " + conventions.namespace() + "/" + conventions.colorServiceName(color);
    }

    @Override
    public RouteState read(Deadline deadline) {
        return route(routing.read(deployments.calls(), deadline));
    }

    /** @return what the object says about routing */
    RouteState route(T object) {
        if (object == null) {
            return RouteState.unrouted(target(), null, target() + " does not exist", clock.instant());
        }
        String revision = object.getMetadata().getResourceVersion();
        Map<String, Set<Color>> byGroup = new LinkedHashMap<>();
        List<String> described = new ArrayList<>();
        Color first = null;
        for (Backend backend : backends(object)) {
            Color color = colorOf(backend.service());
            if (!backend.selected() || color == null || !backend.carriesTraffic()) {
                continue;
            }
            first = first == null ? color : first;
            byGroup.computeIfAbsent(backend.group(), g -> new LinkedHashSet<>()).add(color);
            described.add(backend.where() + " -> " + backend.service() + (backend.weight() == null ? ""
                    : " (weight " + backend.weight() + ")"));
        }
        Set<Color> colors = new LinkedHashSet<>();
        byGroup.values().forEach(colors::addAll);
        if (colors.isEmpty()) {
            return RouteState.unrouted(target(), revision, target() + " has no " + (selection.selectsAll() ? ""
                    : "selected (" + selection + ") ") + "backend carrying traffic to a color Service (its backends: "
                    + backends(object).stream().map(b -> b.where() + " -> " + b.service()).collect(Collectors.toList())
                    + "); expected backends pointing at " + conventions.colors().stream()
                    .map(conventions::colorServiceName).collect(Collectors.toList()), clock.instant());
        }
        if (colors.size() == 1) {
            return RouteState.routed(target(), first, revision, clock.instant());
        }
        String problem = target() + " is half-switched: its backends send traffic to both colors (" + String.join(", ",
                described) + ")";
        if (selection.convergesHalfSwitched()) {
            return new RouteState(target(), first, revision, problem + "; converging it: " + first
                    + " (its first backend's color) counts as live", clock.instant());
        }
        return RouteState.unrouted(target(), revision, problem + "; a release would not know which color to keep. "
                + "Point every backend at one color's Service by hand, or select BackendSelection.builder()"
                + ".convergeHalfSwitched() to let the switch write all of them", clock.instant());
    }

    /** @return whether every selected backend that carries traffic points at {@code color}'s Service */
    private boolean onlyOn(T object, Color color) {
        boolean any = false;
        for (Backend backend : backends(object)) {
            Color of = colorOf(backend.service());
            if (backend.selected() && of != null && backend.carriesTraffic()) {
                if (!of.equals(color)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    @Override
    public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
        Checks.nonNull("color", color);
        T object = routing.lastSeen();
        if (object == null) {
            return List.of();
        }
        List<String> problems = new ArrayList<>(selectionProblems(object));
        Service service = readColorService(color, deadline);
        if (service == null) {
            problems.add(describeService(color) + " does not exist, and " + target() + " would route to it after the "
                    + "switch; expected the " + color + " color's Service selecting its pods (create it, or set "
                    + "BlueGreenConventions.colorServiceNamePattern)");
            return problems;
        }
        Map<String, List<String>> missingPorts = new TreeMap<>();
        for (Backend backend : backends(object)) {
            if (backend.selected() && colorOf(backend.service()) != null && backend.port() != null
                    && !exposes(service, backend.port())) {
                missingPorts.computeIfAbsent(backend.port(), p -> new ArrayList<>()).add(backend.where());
            }
        }
        missingPorts.forEach((port, where) -> problems.add(describeService(color) + " does not expose port " + port
                + ", which " + target() + " uses (" + String.join(", ", where) + "); its ports: " + ports(service)
                + ". Expected the color Services to expose the same ports"));
        Map<String, String> selector = service.getSpec() == null || service.getSpec().getSelector() == null ? Map.of()
                : service.getSpec().getSelector();
        String selected = selector.get(conventions.colorLabel());
        if (!color.name().equals(selected)) {
            problems.add(describeService(color) + " selects " + new TreeMap<>(selector) + ", expected label '"
                    + conventions.colorLabel() + "' = '" + color + "' so that it reaches only the " + color + " pods");
        } else {
            deployments.podsNotMatched(color, selector, describeService(color), deadline).ifPresent(problems::add);
        }
        return problems;
    }

    private static boolean exposes(Service service, String port) {
        List<ServicePort> ports = service.getSpec() == null ? List.of() : service.getSpec().getPorts();
        return ports.stream().anyMatch(p -> port.equals(String.valueOf(p.getPort())) || port.equals(p.getName()));
    }

    private static List<String> ports(Service service) {
        List<ServicePort> ports = service.getSpec() == null ? List.of() : service.getSpec().getPorts();
        return ports.stream().map(p -> p.getPort() + (p.getName() == null ? "" : " (" + p.getName() + ")"))
                .collect(Collectors.toList());
    }

    private Service readColorService(Color color, Deadline deadline) {
        Service service = deployments.calls().read("read of " + describeService(color), deadline, () -> client.services()
                .inNamespace(conventions.namespace()).withName(conventions.colorServiceName(color)).get());
        if (service == null) {
            colorServices.remove(color);
        } else {
            colorServices.put(color, service);
        }
        return service;
    }

    @Override
    public SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
        Checks.nonNull("color", color);
        Checks.nonNull("route decided on", decidedOn);
        if (decidedOn.revision() == null) {
            throw new ClusterApiException(target() + " does not exist; nothing to switch", target(), KubeCalls.NOT_FOUND, null);
        }
        T object = routing.lastSeen();
        if (object == null || !decidedOn.revision().equals(object.getMetadata().getResourceVersion())) {
            object = routing.read(deployments.calls(), deadline);
            if (object == null || !decidedOn.revision().equals(object.getMetadata().getResourceVersion())) {
                throw routing.conflict(color, decidedOn, null);
            }
        }
        if (onlyOn(object, color)) {
            return new SwitchResult(target(), color, color, false, decidedOn.revision(), decidedOn.revision(),
                    clock.instant());
        }
        Color from = decidedOn.live();
        if (from == null) {
            throw new PreflightException("switch of " + target() + " to " + color, List.of(decidedOn.problem()));
        }
        requireServing(color, deadline);
        List<Map<String, Object>> patch = new ArrayList<>();
        patch.add(operation("replace", "/metadata/resourceVersion", decidedOn.revision()));
        patch.addAll(switchOperations(object, color));
        LOG.info("switch of {} to {}: {} backends to write", target(), color, patch.size() - 1);
        return routing.switchWrite(from, color, decidedOn, PatchType.JSON, Serialization.asJson(patch),
                deployments.calls(), deadline);
    }

    /**
     * The switch's precondition: the target color's Service lists ready pods of that color and none of
     * another. Normally true at once (the engine switches only to a color with every replica available);
     * waits for the endpoints controller when it lags behind the Deployment.
     */
    private void requireServing(Color color, Deadline deadline) {
        try (VerificationWatch watch = endpoints(color).expect(color)) {
            watch.await(deadline);
        } catch (VerificationException e) {
            throw new ClusterApiException("switch of " + target() + " to " + color + " refused before any write: "
                    + e.getMessage() + "; nothing was written", target(), PRECONDITION_FAILED, e);
        }
    }

    private EndpointVerifier endpoints(Color color) {
        return endpointVerifiers.computeIfAbsent(color, c -> new EndpointVerifier(client, conventions.namespace(),
                conventions.colorServiceName(c), conventions.colorLabel(), () -> podSelector(c)));
    }

    /** @return the color Service's selector without the color label: the pods that may back it */
    private Map<String, String> podSelector(Color color) {
        Service service = colorServices.get(color);
        if (service == null) {
            service = readColorService(color, Deadline.after(Duration.ofSeconds(10)));
        }
        Map<String, String> selector = new TreeMap<>(service == null || service.getSpec() == null
                || service.getSpec().getSelector() == null ? Map.of() : service.getSpec().getSelector());
        selector.remove(conventions.colorLabel());
        return selector;
    }

    @Override
    public RouteState fence(RouteState seen, Deadline deadline) {
        return routing.fence(seen, deployments.calls(), deadline);
    }

    @Override
    public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
        return routing.watch(from, onChange);
    }

    @Override
    public Optional<TrafficVerifier> verifier() {
        return Optional.of(color -> new RouteVerification(color, endpoints(color).expect(color)));
    }

    /** The target color's Service endpoints (opened before the write), then the routing object read again. */
    private final class RouteVerification implements VerificationWatch {
        private final Color color;
        private final VerificationWatch endpoints;

        RouteVerification(Color color, VerificationWatch endpoints) {
            this.color = color;
            this.endpoints = endpoints;
        }

        @Override
        public TrafficVerification await(Deadline deadline) {
            TrafficVerification reached = endpoints.await(deadline);
            RouteState now = read(deadline);
            if (!now.routesTo(color) || now.problem() != null) {
                throw new VerificationException(target() + " does not route only to " + color + " after the switch: " + now);
            }
            return new TrafficVerification(target(), color, reached.backends(), target() + " (revision "
                    + now.revision() + ") -> " + reached.target() + " " + reached.source(), reached.waited());
        }

        @Override
        public void close() {
            endpoints.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + target() + ", color Services " + conventions.colors().stream()
                .map(conventions::colorServiceName).collect(Collectors.toList()) + ", " + selection + "]";
    }
}
