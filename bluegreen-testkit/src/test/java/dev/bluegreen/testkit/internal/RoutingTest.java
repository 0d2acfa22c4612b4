package dev.bluegreen.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing rules on their own: slices as kube-proxy reads them, Ingress and Gateway API precedence, weights. */
class RoutingTest {

    @Test
    void onlyReadyEndpointsOfTheServicePortsNameGetNewRequests() {
        ServicePort http = new ServicePortBuilder().withName("http").withPort(80).build();
        EndpointSlice slice = new EndpointSliceBuilder()
                .addNewPort().withName("http").withPort(8080).endPort()
                .addNewEndpoint().withAddresses("10.244.0.2").withNewConditions().withReady(true).withServing(true)
                .withTerminating(false).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.244.0.1").withNewConditions().withReady(false).withServing(true)
                .withTerminating(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.244.0.3").withNewConditions().withReady(false).withServing(false)
                .withTerminating(false).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.244.0.4").endEndpoint()
                .build();
        EndpointSlice otherPort = new EndpointSliceBuilder().addNewPort().withName("metrics").withPort(9090).endPort()
                .addNewEndpoint().withAddresses("10.244.0.9").withNewConditions().withReady(true).endConditions().endEndpoint()
                .build();

        assertEquals(List.of(new Routing.Address("10.244.0.2", 8080), new Routing.Address("10.244.0.4", 8080)),
                Routing.readyAddresses(http, List.of(slice, otherPort)), "unset ready reads as ready; terminating never");
    }

    @Test
    void prefixPathsMatchWholeElements() {
        assertTrue(Routing.prefixMatches("/", "/anything"));
        assertTrue(Routing.prefixMatches("/api", "/api"));
        assertTrue(Routing.prefixMatches("/api", "/api/"));
        assertTrue(Routing.prefixMatches("/api/", "/api"));
        assertTrue(Routing.prefixMatches("/api", "/api/v1"));
        assertFalse(Routing.prefixMatches("/api", "/apiv1"));
        assertFalse(Routing.prefixMatches("/api/v1", "/api"));
    }

    @Test
    void ingressPrefersTheExactHostThenTheWildcardThenRulesWithoutHostAndTheLongestPath() {
        Ingress ingress = new IngressBuilder().withNewMetadata().withName("i").withNamespace("ns").endMetadata()
                .withNewSpec()
                .addNewRule().withNewHttp().addNewPath().withPath("/").withPathType("Prefix").withNewBackend()
                .withNewService().withName("any").withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
                .endHttp().endRule()
                .addNewRule().withHost("*.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName("wild").withNewPort().withNumber(80).endPort().endService()
                .endBackend().endPath().endHttp().endRule()
                .addNewRule().withHost("shop.example.com").withNewHttp()
                .addNewPath().withPath("/a").withPathType("Prefix").withNewBackend().withNewService().withName("prefix")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
                .addNewPath().withPath("/a/b").withPathType("Prefix").withNewBackend().withNewService().withName("longer")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
                .addNewPath().withPath("/a").withPathType("Exact").withNewBackend().withNewService().withName("exact")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
                .endHttp().endRule()
                .endSpec().build();
        List<Ingress> ingresses = List.of(ingress);

        assertEquals("exact", Routing.ingressBackend(ingresses, "shop.example.com", "/a").orElseThrow().name());
        assertEquals("prefix", Routing.ingressBackend(ingresses, "shop.example.com", "/a/c").orElseThrow().name());
        assertEquals("longer", Routing.ingressBackend(ingresses, "shop.example.com", "/a/b/c").orElseThrow().name());
        assertTrue(Routing.ingressBackend(ingresses, "shop.example.com", "/z").isEmpty(), "the host's rules only");
        assertEquals("wild", Routing.ingressBackend(ingresses, "cart.example.com", "/").orElseThrow().name());
        assertEquals("any", Routing.ingressBackend(ingresses, "a.cart.example.com", "/").orElseThrow().name(),
                "an Ingress wildcard covers one label");
        assertEquals("ns", Routing.ingressBackend(ingresses, "other.org", "/").orElseThrow().namespace());
    }

    @Test
    void gatewayPrecedenceIsExactPathThenLongestPrefixThenMethodThenHeadersThenAge() {
        HTTPRoute older = route("older", "2026-01-01T00:00:00Z", List.of("*.example.com"));
        HTTPRoute newer = route("newer", "2026-01-02T00:00:00Z", List.of("*.example.com"));
        List<HTTPRoute> routes = List.of(newer, older);

        assertEquals("exact", backendOf(routes, "GET", "/a", Map.of()));
        assertEquals("longest", backendOf(routes, "GET", "/a/b/c", Map.of()));
        assertEquals("post", backendOf(routes, "POST", "/a/x", Map.of()));
        assertEquals("header", backendOf(routes, "GET", "/a/x", Map.of("x-beta", "1")));
        assertEquals("prefix", backendOf(routes, "GET", "/a/x", Map.of()));
        assertEquals("older", Routing.routeRule(routes, "shop.example.com",
                request("GET", "/a/x", Map.of())).orElseThrow().route().getMetadata().getName(), "the oldest route wins a tie");
        assertTrue(Routing.routeRule(routes, "example.com", request("GET", "/", Map.of())).isEmpty(),
                "a wildcard needs a label");
        HTTPRoute exactHost = route("exact-host", "2026-01-03T00:00:00Z", List.of("shop.example.com"));
        List<HTTPRoute> withExact = new ArrayList<>(routes);
        withExact.add(exactHost);
        assertEquals("exact-host", Routing.routeRule(withExact, "shop.example.com", request("GET", "/a", Map.of()))
                .orElseThrow().route().getMetadata().getName(), "an exact hostname before any wildcard");
    }

    @Test
    void smoothWeightedRoundRobinPicksEachBackendItsWeightSpreadOut() {
        Routing.SmoothWeighted weights = new Routing.SmoothWeighted(new int[] {2, 1});
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(weights.next());
        }
        assertEquals(List.of(0, 1, 0, 0, 1, 0), picks);
        assertEquals(-1, new Routing.SmoothWeighted(new int[] {0, 0}).next());
        assertEquals(1, new Routing.SmoothWeighted(new int[] {0, 3}).next());
    }

    private static String backendOf(List<HTTPRoute> routes, String method, String path, Map<String, String> headers) {
        Routing.RuleMatch match = Routing.routeRule(routes, "shop.example.com", request(method, path, headers)).orElseThrow();
        return match.rule().getBackendRefs().get(0).getName();
    }

    private static Routing.RequestInfo request(String method, String path, Map<String, String> headers) {
        return new Routing.RequestInfo(method, path, headers, Map.of());
    }

    private static HTTPRoute route(String name, String created, List<String> hostnames) {
        return new HTTPRouteBuilder()
                .withNewMetadata().withName(name).withNamespace("ns").withCreationTimestamp(created).endMetadata()
                .withNewSpec().withHostnames(hostnames)
                .addNewRule().addNewMatch().withNewPath().withType("PathPrefix").withValue("/a").endPath().endMatch()
                .addNewBackendRef().withName("prefix").withPort(80).endBackendRef().endRule()
                .addNewRule().addNewMatch().withNewPath().withType("PathPrefix").withValue("/a/b").endPath().endMatch()
                .addNewBackendRef().withName("longest").withPort(80).endBackendRef().endRule()
                .addNewRule().addNewMatch().withNewPath().withType("Exact").withValue("/a").endPath().endMatch()
                .addNewBackendRef().withName("exact").withPort(80).endBackendRef().endRule()
                .addNewRule().addNewMatch().withNewPath().withType("PathPrefix").withValue("/a").endPath().withMethod("POST")
                .endMatch().addNewBackendRef().withName("post").withPort(80).endBackendRef().endRule()
                .addNewRule().addNewMatch().withNewPath().withType("PathPrefix").withValue("/a").endPath()
                .addNewHeader().withName("X-Beta").withValue("1").endHeader().endMatch()
                .addNewBackendRef().withName("header").withPort(80).endBackendRef().endRule()
                .endSpec().build();
    }
}
