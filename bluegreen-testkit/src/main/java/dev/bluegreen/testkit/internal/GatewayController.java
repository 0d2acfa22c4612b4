package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddressBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKindBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Gateway API controller's status part, written as gateway implementations write it: every Gateway is
 * {@code Accepted} and {@code Programmed} with the address {@value IngressController#ADDRESS} and a status per
 * listener ({@code supportedKinds}, {@code attachedRoutes}, conditions); every HTTPRoute gets, for each of its
 * {@code parentRefs} that names an existing Gateway, a {@code status.parents[]} entry with this controller's
 * name and the conditions {@code Accepted} ({@code False} with {@code NoMatchingParent},
 * {@code NotAllowedByListeners} or {@code NoMatchingListenerHostname} when no listener takes the route) and
 * {@code ResolvedRefs} ({@code False} with {@code BackendNotFound} when a backendRef names a Service that does
 * not exist, {@code InvalidKind} for a kind other than Service), each with the route's
 * {@code observedGeneration}. Entries of other controllers are kept.
 *
 * <p>Not looked at: GatewayClasses (every Gateway is taken, whatever its class), ReferenceGrants (cross-namespace
 * backends are allowed), TLS, route kinds other than HTTPRoute. Routing itself is the data plane's, which does not
 * look at {@code parentRefs}.
 */
final class GatewayController {

    private static final String ACCEPTED = "Accepted";
    private static final String RESOLVED_REFS = "ResolvedRefs";
    private static final String PROGRAMMED = "Programmed";

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<HTTPRoute> routes;
    private final ObjectStore<Gateway> gateways;
    private final ObjectStore<Service> services;
    private final SimClock clock;

    GatewayController(KubernetesClient client, ControllerLoop loop, ObjectStore<HTTPRoute> routes,
            ObjectStore<Gateway> gateways, ObjectStore<Service> services) {
        this.client = client;
        this.loop = loop;
        this.routes = routes;
        this.gateways = gateways;
        this.services = services;
        this.clock = loop.clock();
    }

    /** A route changed: its status, and the attached-route counts of every Gateway, are due again. */
    void routeChanged() {
        loop.reconcile("gateway-api", this::reconcileAll);
    }

    /** A Gateway or a Service changed: every route's status may change. */
    void changed() {
        loop.reconcile("gateway-api", this::reconcileAll);
    }

    /**
     * Tells whether any route or Gateway lacks the status this controller would write, for {@code awaitSettled}.
     *
     * @param allRoutes   every HTTPRoute, as the server has it
     * @param allGateways every Gateway
     * @param allServices every Service
     * @return the difference, or empty
     */
    static Optional<String> unsettled(List<HTTPRoute> allRoutes, List<Gateway> allGateways, List<Service> allServices) {
        for (HTTPRoute route : allRoutes) {
            HTTPRouteStatus expected = routeStatus(route, allGateways, allServices, Instant.EPOCH);
            if (!Canonical.same(withoutTimes(expected), withoutTimes(route.getStatus()))) {
                return Optional.of("HTTPRoute " + ObjectStore.keyOf(route) + " does not report its parents' status yet");
            }
        }
        for (Gateway gateway : allGateways) {
            GatewayStatus expected = gatewayStatus(gateway, allRoutes, allGateways, allServices, Instant.EPOCH);
            if (!Canonical.same(withoutTimes(expected), withoutTimes(gateway.getStatus()))) {
                return Optional.of("Gateway " + ObjectStore.keyOf(gateway) + " does not report its status yet");
            }
        }
        return Optional.empty();
    }

    private void reconcileAll() {
        Instant now = clock.instant();
        List<Gateway> allGateways = all(gateways);
        List<Service> allServices = all(services);
        for (HTTPRoute route : all(routes)) {
            if (route.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            HTTPRouteStatus status = routeStatus(route, allGateways, allServices, now);
            if (!Canonical.same(status, route.getStatus() == null ? new HTTPRouteStatus() : route.getStatus())) {
                try {
                    HTTPRoute updated = client.resources(HTTPRoute.class).inNamespace(route.getMetadata().getNamespace())
                            .resource(new HTTPRouteBuilder(route).withStatus(status).build()).updateStatus();
                    routes.observe(updated);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
        List<HTTPRoute> allRoutes = all(routes);
        for (Gateway gateway : allGateways) {
            if (gateway.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            GatewayStatus status = gatewayStatus(gateway, allRoutes, allGateways, allServices, now);
            if (!Canonical.same(status, gateway.getStatus() == null ? new GatewayStatus() : gateway.getStatus())) {
                try {
                    Gateway updated = client.resources(Gateway.class).inNamespace(gateway.getMetadata().getNamespace())
                            .resource(new GatewayBuilder(gateway).withStatus(status).build()).updateStatus();
                    gateways.observe(updated);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
    }

    // ---- routes ----

    static HTTPRouteStatus routeStatus(HTTPRoute route, List<Gateway> allGateways, List<Service> allServices, Instant now) {
        HTTPRouteStatus previous = route.getStatus() == null ? new HTTPRouteStatus() : route.getStatus();
        List<RouteParentStatus> parents = new ArrayList<>();
        for (RouteParentStatus other : previous.getParents()) {
            if (!GatewayApi.CONTROLLER_NAME.equals(other.getControllerName())) {
                parents.add(other);
            }
        }
        String namespace = route.getMetadata().getNamespace();
        Long generation = route.getMetadata().getGeneration();
        List<ParentReference> refs = route.getSpec() == null ? List.of() : route.getSpec().getParentRefs();
        for (ParentReference ref : refs) {
            if (!isGatewayRef(ref)) {
                continue;
            }
            Gateway gateway = find(allGateways, ref.getNamespace() == null ? namespace : ref.getNamespace(), ref.getName());
            if (gateway == null) {
                // No controller knows the parent: nobody reports on it.
                continue;
            }
            RouteParentStatus before = previous.getParents().stream()
                    .filter(p -> GatewayApi.CONTROLLER_NAME.equals(p.getControllerName()) && sameRef(p.getParentRef(), ref))
                    .findFirst().orElse(null);
            String[] accepted = acceptance(route, ref, gateway);
            String[] resolved = resolution(route, allServices);
            RouteParentStatus status = new RouteParentStatus();
            status.setParentRef(ref);
            status.setControllerName(GatewayApi.CONTROLLER_NAME);
            List<Condition> previousConditions = before == null ? List.of() : before.getConditions();
            status.setConditions(List.of(
                    condition(ACCEPTED, accepted[0], accepted[1], accepted[2], generation, previousConditions, now),
                    condition(RESOLVED_REFS, resolved[0], resolved[1], resolved[2], generation, previousConditions, now)));
            parents.add(status);
        }
        HTTPRouteStatus status = new HTTPRouteStatus();
        status.setParents(parents);
        return status;
    }

    /** {@code Accepted}: status, reason, message, for one parent Gateway. */
    private static String[] acceptance(HTTPRoute route, ParentReference ref, Gateway gateway) {
        List<Listener> listeners = gateway.getSpec() == null ? List.of() : gateway.getSpec().getListeners();
        List<Listener> candidates = listeners.stream()
                .filter(l -> ref.getSectionName() == null || ref.getSectionName().equals(l.getName()))
                .filter(l -> ref.getPort() == null || ref.getPort().equals(l.getPort()))
                .toList();
        if (candidates.isEmpty()) {
            return new String[] {"False", "NoMatchingParent", "No listeners match this parent ref"};
        }
        List<Listener> allowed = candidates.stream().filter(l -> allows(l, route, gateway)).toList();
        if (allowed.isEmpty()) {
            return new String[] {"False", "NotAllowedByListeners",
                    "No listeners included by this parent ref allowed this attachment."};
        }
        List<String> hostnames = route.getSpec() == null ? List.of() : route.getSpec().getHostnames();
        boolean intersects = allowed.stream().anyMatch(l -> intersects(l.getHostname(), hostnames));
        if (!intersects) {
            return new String[] {"False", "NoMatchingListenerHostname",
                    "There were no hostname intersections between the HTTPRoute and this parent ref's Listener(s)."};
        }
        return new String[] {"True", "Accepted", "Route is accepted"};
    }

    /** {@code ResolvedRefs}: status, reason, message, from the route's backendRefs. */
    private static String[] resolution(HTTPRoute route, List<Service> allServices) {
        List<HTTPRouteRule> rules = route.getSpec() == null ? List.of() : route.getSpec().getRules();
        for (HTTPRouteRule rule : rules) {
            for (HTTPBackendRef ref : rule.getBackendRefs()) {
                boolean service = (ref.getKind() == null || "Service".equals(ref.getKind()))
                        && (ref.getGroup() == null || ref.getGroup().isEmpty());
                if (!service) {
                    return new String[] {"False", "InvalidKind", "Unsupported backendRef kind "
                            + (ref.getGroup() == null || ref.getGroup().isEmpty() ? "" : ref.getGroup() + "/") + ref.getKind()};
                }
                String namespace = ref.getNamespace() == null ? route.getMetadata().getNamespace() : ref.getNamespace();
                if (find(allServices, namespace, ref.getName()) == null) {
                    return new String[] {"False", "BackendNotFound",
                            "Service \"" + namespace + "/" + ref.getName() + "\" not found"};
                }
            }
        }
        return new String[] {"True", "ResolvedRefs", "Resolved all the Object references for the Route"};
    }

    private static boolean allows(Listener listener, HTTPRoute route, Gateway gateway) {
        String protocol = listener.getProtocol();
        if (protocol != null && !"HTTP".equals(protocol) && !"HTTPS".equals(protocol)) {
            return false;
        }
        var allowedRoutes = listener.getAllowedRoutes();
        if (allowedRoutes != null && !allowedRoutes.getKinds().isEmpty()
                && allowedRoutes.getKinds().stream().noneMatch(k -> "HTTPRoute".equals(k.getKind()))) {
            return false;
        }
        String from = allowedRoutes == null || allowedRoutes.getNamespaces() == null
                || allowedRoutes.getNamespaces().getFrom() == null ? "Same" : allowedRoutes.getNamespaces().getFrom();
        return !"Same".equals(from) || Objects.equals(route.getMetadata().getNamespace(), gateway.getMetadata().getNamespace());
    }

    /** Whether a listener's hostname (none: any) and a route's hostnames (none: any) have a host in common. */
    private static boolean intersects(String listenerHost, List<String> routeHosts) {
        if (listenerHost == null || listenerHost.isEmpty() || routeHosts.isEmpty()) {
            return true;
        }
        return routeHosts.stream().anyMatch(host -> covers(listenerHost, host) || covers(host, listenerHost));
    }

    private static boolean covers(String pattern, String host) {
        if (pattern.equals(host)) {
            return true;
        }
        return pattern.startsWith("*.") && host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1;
    }

    // ---- gateways ----

    static GatewayStatus gatewayStatus(Gateway gateway, List<HTTPRoute> allRoutes, List<Gateway> allGateways,
            List<Service> allServices, Instant now) {
        GatewayStatus previous = gateway.getStatus() == null ? new GatewayStatus() : gateway.getStatus();
        Long generation = gateway.getMetadata().getGeneration();
        GatewayStatus status = new GatewayStatus();
        status.setAddresses(List.of(new GatewayStatusAddressBuilder().withType("IPAddress")
                .withValue(IngressController.ADDRESS).build()));
        status.setConditions(List.of(
                condition(ACCEPTED, "True", "Accepted", "Gateway is accepted", generation, previous.getConditions(), now),
                condition(PROGRAMMED, "True", "Programmed", "Gateway is programmed", generation, previous.getConditions(), now)));
        List<ListenerStatus> listeners = new ArrayList<>();
        for (Listener listener : gateway.getSpec() == null ? List.<Listener>of() : gateway.getSpec().getListeners()) {
            List<Condition> before = previous.getListeners().stream().filter(l -> Objects.equals(l.getName(), listener.getName()))
                    .findFirst().map(ListenerStatus::getConditions).orElse(List.of());
            ListenerStatus listenerStatus = new ListenerStatus();
            listenerStatus.setName(listener.getName());
            boolean http = listener.getProtocol() == null || "HTTP".equals(listener.getProtocol())
                    || "HTTPS".equals(listener.getProtocol());
            listenerStatus.setSupportedKinds(http
                    ? List.of(new RouteGroupKindBuilder().withGroup(GatewayApi.GROUP).withKind("HTTPRoute").build())
                    : List.of());
            listenerStatus.setAttachedRoutes((int) allRoutes.stream()
                    .filter(route -> attaches(route, gateway, listener)).count());
            listenerStatus.setConditions(List.of(
                    condition(ACCEPTED, "True", "Accepted", "Listener is accepted", generation, before, now),
                    condition(PROGRAMMED, "True", "Programmed", "Listener is programmed", generation, before, now),
                    condition(RESOLVED_REFS, "True", "ResolvedRefs", "Resolved all the Object references", generation, before, now),
                    condition("Conflicted", "False", "NoConflicts", "No conflicts", generation, before, now)));
            listeners.add(listenerStatus);
        }
        status.setListeners(listeners);
        return status;
    }

    private static boolean attaches(HTTPRoute route, Gateway gateway, Listener listener) {
        if (route.getSpec() == null) {
            return false;
        }
        List<String> hostnames = route.getSpec().getHostnames();
        for (ParentReference ref : route.getSpec().getParentRefs()) {
            String namespace = ref.getNamespace() == null ? route.getMetadata().getNamespace() : ref.getNamespace();
            if (isGatewayRef(ref) && gateway.getMetadata().getName().equals(ref.getName())
                    && gateway.getMetadata().getNamespace().equals(namespace)
                    && (ref.getSectionName() == null || ref.getSectionName().equals(listener.getName()))
                    && (ref.getPort() == null || ref.getPort().equals(listener.getPort()))
                    && allows(listener, route, gateway) && intersects(listener.getHostname(), hostnames)) {
                return true;
            }
        }
        return false;
    }

    // ---- shared ----

    private static boolean isGatewayRef(ParentReference ref) {
        return (ref.getKind() == null || "Gateway".equals(ref.getKind()))
                && (ref.getGroup() == null || GatewayApi.GROUP.equals(ref.getGroup()));
    }

    private static boolean sameRef(ParentReference a, ParentReference b) {
        return a != null && Objects.equals(a.getName(), b.getName()) && Objects.equals(a.getNamespace(), b.getNamespace())
                && Objects.equals(a.getSectionName(), b.getSectionName()) && Objects.equals(a.getPort(), b.getPort());
    }

    /** A condition that keeps its transition time while its status stays the same. */
    private static Condition condition(String type, String status, String reason, String message, Long generation,
            List<Condition> previous, Instant now) {
        String since = previous.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).findFirst().orElse(timestamp(now));
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(since).build();
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T find(List<T> objects, String namespace,
            String name) {
        return objects.stream().filter(o -> Objects.equals(namespace, o.getMetadata().getNamespace())
                && Objects.equals(name, o.getMetadata().getName())).findFirst().orElse(null);
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> List<T> all(ObjectStore<T> store) {
        return store.all();
    }

    /** A status tree without transition times, which the controller sets from its own clock. */
    private static Object withoutTimes(Object status) {
        if (status == null) {
            return java.util.Map.of();
        }
        java.util.Map<String, Object> tree = Json.tree(status);
        stripTimes(tree);
        tree.values().removeIf(value -> value instanceof List<?> list && list.isEmpty()
                || value instanceof java.util.Map<?, ?> map && map.isEmpty());
        return tree;
    }

    private static void stripTimes(Object node) {
        if (node instanceof java.util.Map<?, ?> map) {
            map.remove("lastTransitionTime");
            map.values().forEach(GatewayController::stripTimes);
        } else if (node instanceof List<?> list) {
            list.forEach(GatewayController::stripTimes);
        }
    }
}
