package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The data plane's routing decisions, as pure functions of the objects' specs: which endpoints of a Service may
 * get a new request (kube-proxy's reading of EndpointSlices), which Ingress path and which HTTPRoute rule a
 * request matches, and how a rule's weights split requests.
 */
final class Routing {

    private Routing() {
    }

    /** An address requests can be sent to: a pod IP and the port the Service's port resolves to there. */
    record Address(String ip, int port) {
    }

    /** A request as the routing sees it. */
    record RequestInfo(String method, String path, Map<String, String> headers, Map<String, List<String>> query) {
    }

    /** A backend named by an Ingress or a route: a Service and one of its ports, by number or by name. */
    record ServiceRef(String namespace, String name, Integer portNumber, String portName) {
        String key() {
            return ObjectStore.key(namespace, name);
        }
    }

    // ---- Services ----

    /**
     * Finds the Service port a request is addressed to.
     *
     * @param service    the Service
     * @param portNumber the port number, or null
     * @param portName   the port name, or null; with neither, the first port
     * @return the port, or empty when the Service has no such port
     */
    static Optional<ServicePort> servicePort(Service service, Integer portNumber, String portName) {
        List<ServicePort> ports = service.getSpec() == null ? List.of() : service.getSpec().getPorts();
        if (portNumber != null) {
            return ports.stream().filter(p -> portNumber.equals(p.getPort())).findFirst();
        }
        if (portName != null) {
            return ports.stream().filter(p -> portName.equals(p.getName())).findFirst();
        }
        return ports.stream().findFirst();
    }

    /**
     * Lists the endpoints of a Service port that may get new requests, as kube-proxy reads EndpointSlices: every
     * endpoint whose {@code ready} condition is true or unset (the API's "unknown, read as ready"), of the
     * slices' port with the Service port's name; serving-but-terminating endpoints are left out. Sorted by
     * address, without duplicates.
     *
     * @param port   the Service port
     * @param slices the Service's slices
     * @return the addresses; empty when no endpoint is ready
     */
    static List<Address> readyAddresses(ServicePort port, Collection<EndpointSlice> slices) {
        TreeSet<Address> addresses = new TreeSet<>(Comparator.comparing(Address::ip).thenComparingInt(Address::port));
        for (EndpointSlice slice : slices) {
            Integer target = slice.getPorts().stream()
                    .filter(p -> Objects.equals(emptyToNull(p.getName()), emptyToNull(port.getName())))
                    .map(io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort::getPort)
                    .filter(Objects::nonNull)
                    .findFirst().orElse(null);
            if (target == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                Boolean ready = endpoint.getConditions() == null ? null : endpoint.getConditions().getReady();
                if (ready == null || ready) {
                    endpoint.getAddresses().forEach(ip -> addresses.add(new Address(ip, target)));
                }
            }
        }
        return List.copyOf(addresses);
    }

    /**
     * Lists the ready addresses of a Service port from its Endpoints object, for clusters without slices:
     * {@code addresses} only, never {@code notReadyAddresses}.
     *
     * @param port      the Service port
     * @param endpoints the Endpoints, or null
     * @return the addresses; empty when none is ready
     */
    static List<Address> readyAddresses(ServicePort port, Endpoints endpoints) {
        if (endpoints == null) {
            return List.of();
        }
        TreeSet<Address> addresses = new TreeSet<>(Comparator.comparing(Address::ip).thenComparingInt(Address::port));
        for (EndpointSubset subset : endpoints.getSubsets()) {
            Integer target = subset.getPorts().stream()
                    .filter(p -> Objects.equals(emptyToNull(p.getName()), emptyToNull(port.getName())))
                    .map(EndpointPort::getPort).filter(Objects::nonNull).findFirst().orElse(null);
            if (target != null) {
                for (EndpointAddress address : subset.getAddresses()) {
                    addresses.add(new Address(address.getIp(), target));
                }
            }
        }
        return List.copyOf(addresses);
    }

    // ---- Ingress ----

    /** How specifically a rule's host matches a request's host, best first. */
    private enum HostMatch { EXACT, WILDCARD, ANY, NONE }

    /**
     * Chooses the backend of an Ingress request as ingress controllers do: the rules of the most specific host
     * that has any (exact host, then a {@code *.} wildcard covering one label, then rules without host), and
     * among their paths the longest that matches ({@code Exact} before {@code Prefix} at equal length, the
     * oldest Ingress first); {@code Prefix} and {@code ImplementationSpecific} match whole path elements. When
     * no path matches, the {@code defaultBackend} of the oldest Ingress that has one.
     *
     * @param ingresses every Ingress
     * @param host      the request's host, without port
     * @param path      the request's path
     * @return the backend, or empty for a 404
     */
    static Optional<ServiceRef> ingressBackend(Collection<Ingress> ingresses, String host, String path) {
        List<Ingress> sorted = oldestFirst(ingresses);
        HostMatch best = HostMatch.NONE;
        for (Ingress ingress : sorted) {
            for (IngressRule rule : rules(ingress)) {
                HostMatch match = ingressHost(rule.getHost(), host);
                if (match.ordinal() < best.ordinal()) {
                    best = match;
                }
            }
        }
        ServiceRef chosen = null;
        int chosenLength = -1;
        boolean chosenExact = false;
        if (best != HostMatch.NONE) {
            for (Ingress ingress : sorted) {
                for (IngressRule rule : rules(ingress)) {
                    if (ingressHost(rule.getHost(), host) != best || rule.getHttp() == null) {
                        continue;
                    }
                    for (HTTPIngressPath candidate : rule.getHttp().getPaths()) {
                        String value = candidate.getPath() == null || candidate.getPath().isEmpty() ? "/" : candidate.getPath();
                        boolean exact = "Exact".equals(candidate.getPathType());
                        boolean matches = exact ? value.equals(path) : prefixMatches(value, path);
                        if (!matches) {
                            continue;
                        }
                        int length = value.length();
                        if (length > chosenLength || (length == chosenLength && exact && !chosenExact)) {
                            ServiceRef ref = ingressRef(ingress, candidate.getBackend());
                            if (ref != null) {
                                chosen = ref;
                                chosenLength = length;
                                chosenExact = exact;
                            }
                        }
                    }
                }
            }
        }
        if (chosen != null) {
            return Optional.of(chosen);
        }
        for (Ingress ingress : sorted) {
            if (ingress.getSpec() != null && ingress.getSpec().getDefaultBackend() != null) {
                ServiceRef ref = ingressRef(ingress, ingress.getSpec().getDefaultBackend());
                if (ref != null) {
                    return Optional.of(ref);
                }
            }
        }
        return Optional.empty();
    }

    private static List<IngressRule> rules(Ingress ingress) {
        return ingress.getSpec() == null || ingress.getSpec().getRules() == null ? List.of() : ingress.getSpec().getRules();
    }

    private static ServiceRef ingressRef(Ingress ingress, IngressBackend backend) {
        if (backend == null || backend.getService() == null || backend.getService().getName() == null) {
            return null;
        }
        var port = backend.getService().getPort();
        return new ServiceRef(ingress.getMetadata().getNamespace(), backend.getService().getName(),
                port == null ? null : port.getNumber(), port == null ? null : emptyToNull(port.getName()));
    }

    private static HostMatch ingressHost(String ruleHost, String host) {
        if (ruleHost == null || ruleHost.isEmpty()) {
            return HostMatch.ANY;
        }
        String rule = ruleHost.toLowerCase(Locale.ROOT);
        if (rule.equals(host)) {
            return HostMatch.EXACT;
        }
        if (rule.startsWith("*.")) {
            String suffix = rule.substring(1);
            // An Ingress wildcard covers exactly one DNS label.
            if (host.endsWith(suffix) && host.length() > suffix.length()
                    && host.substring(0, host.length() - suffix.length()).indexOf('.') < 0) {
                return HostMatch.WILDCARD;
            }
        }
        return HostMatch.NONE;
    }

    /**
     * Tells whether a {@code Prefix} path matches: its elements (split by {@code /}) are the first elements of
     * the request's path; a trailing slash does not count. {@code /} matches every path.
     *
     * @param prefix the rule's path
     * @param path   the request's path
     * @return true on a match
     */
    static boolean prefixMatches(String prefix, String path) {
        List<String> wanted = elements(prefix);
        List<String> actual = elements(path);
        return actual.size() >= wanted.size() && actual.subList(0, wanted.size()).equals(wanted);
    }

    private static List<String> elements(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    // ---- Gateway API ----

    /** A route rule a request matched. */
    record RuleMatch(HTTPRoute route, int ruleIndex, HTTPRouteRule rule) {
        String key() {
            return ObjectStore.keyOf(route) + "#" + ruleIndex;
        }
    }

    /** How a request matched one {@code HTTPRouteMatch}, for the Gateway API's precedence. */
    private record Rank(int hostRank, int pathKind, int pathLength, boolean method, int headers, int queries,
            String created, String name, int ruleIndex, int matchIndex) {
    }

    private static final Comparator<Rank> PRECEDENCE = Comparator.comparingInt(Rank::hostRank)
            .thenComparingInt(Rank::pathKind)
            .thenComparing(Comparator.comparingInt(Rank::pathLength).reversed())
            .thenComparing(r -> !r.method())
            .thenComparing(Comparator.comparingInt(Rank::headers).reversed())
            .thenComparing(Comparator.comparingInt(Rank::queries).reversed())
            .thenComparing(Rank::created)
            .thenComparing(Rank::name)
            .thenComparingInt(Rank::ruleIndex)
            .thenComparingInt(Rank::matchIndex);

    /**
     * Chooses the HTTPRoute rule of a request as the Gateway API's precedence says. Only routes of the most
     * specific matching hostname are considered (an exact hostname, then the longest {@code *.} wildcard, which
     * covers one label or more, then routes without hostnames); among their matches: {@code Exact} path before
     * {@code PathPrefix} (longest first) before {@code RegularExpression}, then a method match, then the most
     * header matches, then the most query parameter matches, then the oldest route, then by namespace and name,
     * then rule and match order. A rule without matches matches every path ({@code PathPrefix /}).
     *
     * @param routes the HTTPRoutes to consider
     * @param host   the request's host without port, or null to ignore hostnames (a route's own address)
     * @param request the request
     * @return the rule, or empty for a 404
     */
    static Optional<RuleMatch> routeRule(Collection<HTTPRoute> routes, String host, RequestInfo request) {
        int bestHost = Integer.MAX_VALUE;
        for (HTTPRoute route : routes) {
            bestHost = Math.min(bestHost, routeHostRank(route, host));
        }
        if (bestHost == Integer.MAX_VALUE) {
            return Optional.empty();
        }
        Rank best = null;
        RuleMatch chosen = null;
        for (HTTPRoute route : routes) {
            int hostRank = routeHostRank(route, host);
            if (hostRank != bestHost || route.getSpec() == null) {
                continue;
            }
            List<HTTPRouteRule> rules = route.getSpec().getRules();
            for (int r = 0; r < rules.size(); r++) {
                HTTPRouteRule rule = rules.get(r);
                List<HTTPRouteMatch> matches = rule.getMatches().isEmpty() ? List.of(new HTTPRouteMatch()) : rule.getMatches();
                for (int m = 0; m < matches.size(); m++) {
                    Rank rank = rank(route, hostRank, r, m, matches.get(m), request);
                    if (rank != null && (best == null || PRECEDENCE.compare(rank, best) < 0)) {
                        best = rank;
                        chosen = new RuleMatch(route, r, rule);
                    }
                }
            }
        }
        return Optional.ofNullable(chosen);
    }

    /** 0 for an exact hostname, 1 + (256 - length) for a wildcard, 1000 for none, MAX_VALUE for no match. */
    private static int routeHostRank(HTTPRoute route, String host) {
        List<String> hostnames = route.getSpec() == null ? List.of() : route.getSpec().getHostnames();
        if (host == null || hostnames.isEmpty()) {
            return 1000;
        }
        int best = Integer.MAX_VALUE;
        for (String hostname : hostnames) {
            String name = hostname.toLowerCase(Locale.ROOT);
            if (name.equals(host)) {
                best = 0;
            } else if (name.startsWith("*.") && host.endsWith(name.substring(1))) {
                best = Math.min(best, 1 + Math.max(0, 256 - name.length()));
            }
        }
        return best;
    }

    private static Rank rank(HTTPRoute route, int hostRank, int ruleIndex, int matchIndex, HTTPRouteMatch match,
            RequestInfo request) {
        HTTPPathMatch pathMatch = match.getPath();
        String type = pathMatch == null || pathMatch.getType() == null ? "PathPrefix" : pathMatch.getType();
        String value = pathMatch == null || pathMatch.getValue() == null ? "/" : pathMatch.getValue();
        int pathKind;
        switch (type) {
            case "Exact" -> {
                if (!value.equals(request.path())) {
                    return null;
                }
                pathKind = 0;
            }
            case "RegularExpression" -> {
                if (!regexMatches(value, request.path())) {
                    return null;
                }
                pathKind = 2;
            }
            default -> {
                if (!prefixMatches(value, request.path())) {
                    return null;
                }
                pathKind = 1;
            }
        }
        if (match.getMethod() != null && !match.getMethod().equalsIgnoreCase(request.method())) {
            return null;
        }
        for (HTTPHeaderMatch header : match.getHeaders()) {
            String actual = request.headers().get(header.getName().toLowerCase(Locale.ROOT));
            if (!valueMatches(header.getType(), header.getValue(), actual)) {
                return null;
            }
        }
        for (HTTPQueryParamMatch query : match.getQueryParams()) {
            List<String> values = request.query().getOrDefault(query.getName(), List.of());
            if (!valueMatches(query.getType(), query.getValue(), values.isEmpty() ? null : values.get(0))) {
                return null;
            }
        }
        String created = route.getMetadata().getCreationTimestamp() == null ? "" : route.getMetadata().getCreationTimestamp();
        return new Rank(hostRank, pathKind, value.length(), match.getMethod() != null, match.getHeaders().size(),
                match.getQueryParams().size(), created, ObjectStore.keyOf(route), ruleIndex, matchIndex);
    }

    private static boolean valueMatches(String type, String expected, String actual) {
        if (actual == null || expected == null) {
            return false;
        }
        return "RegularExpression".equals(type) ? regexMatches(expected, actual) : expected.equals(actual);
    }

    private static boolean regexMatches(String regex, String value) {
        try {
            return Pattern.compile(regex).matcher(value).matches();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /**
     * Reads a rule's Service backends: kind {@code Service} of the core group (the default), in the route's
     * namespace unless the reference names one; other kinds are left out.
     *
     * @param route the route
     * @param rule  one of its rules
     * @return the backends with their weights (default 1)
     */
    static List<WeightedRef> backends(HTTPRoute route, HTTPRouteRule rule) {
        List<WeightedRef> refs = new ArrayList<>();
        for (HTTPBackendRef ref : rule.getBackendRefs()) {
            boolean service = (ref.getKind() == null || "Service".equals(ref.getKind()))
                    && (ref.getGroup() == null || ref.getGroup().isEmpty());
            int weight = ref.getWeight() == null ? 1 : Math.max(0, ref.getWeight());
            ServiceRef target = service ? new ServiceRef(ref.getNamespace() == null ? route.getMetadata().getNamespace()
                    : ref.getNamespace(), ref.getName(), ref.getPort(), null) : null;
            refs.add(new WeightedRef(target, weight));
        }
        return refs;
    }

    /**
     * A backend with its weight.
     *
     * @param service the Service backend, or null for a kind the data plane does not route to
     * @param weight  zero or more
     */
    record WeightedRef(ServiceRef service, int weight) {
    }

    /**
     * Nginx's smooth weighted round robin: over every sum-of-weights picks, each backend is picked exactly its
     * weight times, spread out (weights 2 and 1 pick a, b, a). Thread-safe.
     */
    static final class SmoothWeighted {
        private final int[] weights;
        private final long[] current;

        SmoothWeighted(int[] weights) {
            this.weights = weights.clone();
            this.current = new long[weights.length];
        }

        /**
         * Picks the next backend.
         *
         * @return its index, or -1 when every weight is zero
         */
        synchronized int next() {
            long total = 0;
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                total += weights[i];
                if (weights[i] > 0 && (best < 0 || current[i] > current[best])) {
                    best = i;
                }
            }
            if (best >= 0) {
                current[best] -= total;
            }
            return best;
        }
    }

    // ---- helpers ----

    private static <T extends HasMetadata> List<T> oldestFirst(Collection<T> objects) {
        Function<T, String> created = o -> o.getMetadata().getCreationTimestamp() == null ? "" : o.getMetadata().getCreationTimestamp();
        return objects.stream().sorted(Comparator.comparing(created).thenComparing(ObjectStore::keyOf)).toList();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
