package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ingresses and Gateway API objects get the status their controllers write, and invalid Ingresses are refused. */
@ExtendWith(SimulatedClusterExtension.class)
class IngressAndGatewayStatusTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void anIngressGetsItsLoadBalancerAddressFromTheIngressController(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.network().v1().ingresses().resource(new IngressBuilder()
                .withNewMetadata().withName("shop").endMetadata()
                .withNewSpec().addNewRule().withHost("shop.example.com").withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("shop").withNewPort().withNumber(80)
                .endPort().endService().endBackend().endPath().endHttp().endRule().endSpec()
                .build()).create();

        Ingress ingress = client.network().v1().ingresses().withName("shop").waitUntilCondition(
                i -> i.getStatus() != null && i.getStatus().getLoadBalancer() != null
                        && !i.getStatus().getLoadBalancer().getIngress().isEmpty(),
                TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals("127.0.0.1", ingress.getStatus().getLoadBalancer().getIngress().get(0).getIp());
        assertEquals(1L, ingress.getMetadata().getGeneration());
        // A later edit of the spec keeps the status, as the status subresource does.
        Ingress edited = client.network().v1().ingresses().withName("shop").edit(i -> {
            i.getSpec().getRules().get(0).setHost("shop.example.org");
            return i;
        });
        assertEquals(2L, edited.getMetadata().getGeneration());
        assertEquals("127.0.0.1", edited.getStatus().getLoadBalancer().getIngress().get(0).getIp());
    }

    @Test
    void anInvalidIngressIsRefusedWith422WordedAsTheApiServerWordsIt(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();

        KubernetesClientException noPathType = assertThrows(KubernetesClientException.class,
                () -> client.network().v1().ingresses().resource(new IngressBuilder()
                        .withNewMetadata().withName("shop").endMetadata()
                        .withNewSpec().addNewRule().withNewHttp().addNewPath().withPath("/")
                        .withNewBackend().withNewService().withName("shop").withNewPort().endPort().endService().endBackend()
                        .endPath().endHttp().endRule().endSpec()
                        .build()).create());
        KubernetesClientException badBackend = assertThrows(KubernetesClientException.class,
                () -> client.network().v1().ingresses().resource(new IngressBuilder()
                        .withNewMetadata().withName("shop").endMetadata()
                        .withNewSpec().addNewRule().withHost("10.0.0.1").withNewHttp().addNewPath().withPath("api")
                        .withPathType("Prefix").withNewBackend().withNewService().withName("shop").withNewPort().endPort()
                        .endService().endBackend().endPath().endHttp().endRule().endSpec()
                        .build()).create());
        KubernetesClientException empty = assertThrows(KubernetesClientException.class,
                () -> client.network().v1().ingresses().resource(new IngressBuilder()
                        .withNewMetadata().withName("shop").endMetadata().withNewSpec().endSpec().build()).create());

        assertEquals(422, noPathType.getCode());
        assertEquals("Ingress.networking.k8s.io \"shop\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: "
                + "pathType must be specified", noPathType.getStatus().getMessage());
        assertEquals("Invalid", noPathType.getStatus().getReason());
        assertEquals("Ingress.networking.k8s.io \"shop\" is invalid: [spec.rules[0].host: Invalid value: \"10.0.0.1\": "
                + "must be a DNS name, not an IP address, spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be "
                + "an absolute path, spec.rules[0].http.paths[0].backend: Required value: port name or number is required]",
                badBackend.getStatus().getMessage());
        assertEquals(3, badBackend.getStatus().getDetails().getCauses().size());
        assertEquals("Ingress.networking.k8s.io \"shop\" is invalid: spec: Invalid value: []networking.IngressRule(nil): "
                + "either `defaultBackend` or `rules` must be specified", empty.getStatus().getMessage());
        assertTrue(client.network().v1().ingresses().list().getItems().isEmpty(), "nothing stored");
    }

    @Test
    void anHttpRouteReportsAcceptedAndResolvedRefsPerParentGatewayAsAGatewayControllerWritesThem(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.resources(Gateway.class).resource(new GatewayBuilder()
                .withNewMetadata().withName("public").endMetadata()
                .withNewSpec().withGatewayClassName("sim").addNewListener().withName("http").withProtocol("HTTP")
                .withPort(80).endListener().endSpec()
                .build()).create();
        client.resources(HTTPRoute.class).resource(new HTTPRouteBuilder()
                .withNewMetadata().withName("shop").endMetadata()
                .withNewSpec()
                .addNewParentRef().withName("public").endParentRef()
                .addNewParentRef().withName("public").withSectionName("https").endParentRef()
                .addNewParentRef().withName("elsewhere").endParentRef()
                .addNewRule().addNewBackendRef().withName("shop").withPort(80).endBackendRef().endRule()
                .endSpec()
                .build()).create();

        HTTPRoute missing = awaitRoute(client, route -> route.getStatus().getParents().size() == 2);

        assertEquals(List.of("public", "public"), missing.getStatus().getParents().stream()
                .map(p -> p.getParentRef().getName()).toList(), "no controller reports on a Gateway that does not exist");
        RouteParentStatus http = missing.getStatus().getParents().get(0);
        assertEquals("bluegreen.dev/simulated-gateway-controller", http.getControllerName());
        assertEquals("gateway.networking.k8s.io", http.getParentRef().getGroup(), "the CRD's default");
        assertEquals("Gateway", http.getParentRef().getKind());
        assertCondition(http, "Accepted", "True", "Accepted");
        Condition resolved = assertCondition(http, "ResolvedRefs", "False", "BackendNotFound");
        assertEquals("Service \"default/shop\" not found", resolved.getMessage());
        assertEquals(1L, resolved.getObservedGeneration());
        assertCondition(missing.getStatus().getParents().get(1), "Accepted", "False", "NoMatchingParent");

        client.services().resource(service("shop", Map.of("app", "shop"))).create();
        HTTPRoute found = awaitRoute(client, route -> route.getStatus().getParents().stream()
                .allMatch(p -> p.getConditions().stream().anyMatch(c -> "ResolvedRefs".equals(c.getType()) && "True".equals(c.getStatus()))));
        assertCondition(found.getStatus().getParents().get(0), "ResolvedRefs", "True", "ResolvedRefs");

        Gateway gateway = client.resources(Gateway.class).withName("public").waitUntilCondition(
                g -> g.getStatus() != null && !g.getStatus().getListeners().isEmpty()
                        && g.getStatus().getListeners().get(0).getAttachedRoutes() == 1,
                TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("127.0.0.1", gateway.getStatus().getAddresses().get(0).getValue());
        assertEquals(List.of("Accepted", "Programmed"), gateway.getStatus().getConditions().stream().map(Condition::getType).toList());
    }

    @Test
    void theGatewayApiCrdsAreInstalledSoThatGenericClientsFindTheKinds(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.resources(HTTPRoute.class).resource(new HTTPRouteBuilder().withNewMetadata().withName("shop").endMetadata()
                .withNewSpec().addNewRule().addNewBackendRef().withName("shop").withPort(80).endBackendRef().endRule().endSpec()
                .build()).create();

        List<GenericKubernetesResource> routes = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                .list().getItems();

        assertEquals(List.of("shop"), routes.stream().map(r -> r.getMetadata().getName()).toList());
        assertTrue(client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .map(crd -> crd.getMetadata().getName()).toList()
                .containsAll(List.of("httproutes.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io",
                        "gatewayclasses.gateway.networking.k8s.io")));
        // The schema's defaults: the match every rule has unless it says otherwise, backend kind and weight.
        HTTPRoute stored = client.resources(HTTPRoute.class).withName("shop").get();
        assertEquals("PathPrefix", stored.getSpec().getRules().get(0).getMatches().get(0).getPath().getType());
        assertEquals("/", stored.getSpec().getRules().get(0).getMatches().get(0).getPath().getValue());
        assertEquals("Service", stored.getSpec().getRules().get(0).getBackendRefs().get(0).getKind());
        assertEquals(1, stored.getSpec().getRules().get(0).getBackendRefs().get(0).getWeight());
    }

    private static HTTPRoute awaitRoute(KubernetesClient client, java.util.function.Predicate<HTTPRoute> condition) {
        return client.resources(HTTPRoute.class).withName("shop").waitUntilCondition(
                route -> route != null && route.getStatus() != null && condition.test(route),
                TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Condition assertCondition(RouteParentStatus parent, String type, String status, String reason) {
        Condition condition = parent.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
        assertEquals(status, condition.getStatus(), type);
        assertEquals(reason, condition.getReason(), type);
        return condition;
    }
}
