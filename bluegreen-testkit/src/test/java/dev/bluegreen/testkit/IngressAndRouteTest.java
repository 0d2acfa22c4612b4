package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ingress hosts and Gateway API HTTPRoutes get local addresses that route by the objects' specs as they change. */
@ExtendWith(SimulatedClusterExtension.class)
class IngressAndRouteTest {

    /** Roomy: the machine may be shared with other builds. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    private SimulatedCluster cluster;
    private KubernetesClient client;
    private DataPlane dataPlane;

    /** Two Services, {@code a} (pods of {@code a:v1}) and {@code b} (pods of {@code b:v1}), port 80 named http. */
    @BeforeEach
    void twoServices(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        for (String app : List.of("a", "b")) {
            client.apps().deployments().resource(deployment(app, app + ":v1", 2)).create();
            client.services().resource(service(app, Map.of("app", app))).create();
        }
        cluster.awaitSettled(TIMEOUT);
        dataPlane = cluster.dataPlane();
    }

    @Test
    void anIngressHostRoutesByHostAndPathAndFollowsEditsOfItsRulesAsTheyHappen() throws Exception {
        client.network().v1().ingresses().resource(new IngressBuilder()
                .withNewMetadata().withName("shop").endMetadata()
                .withNewSpec()
                .addNewRule().withHost("shop.example.com").withNewHttp()
                .withPaths(path("/", "Prefix", "a", 80), path("/api", "Prefix", "b", null), path("/exact", "Exact", "b", 80))
                .endHttp().endRule()
                .addNewRule().withHost("*.example.com").withNewHttp().withPaths(path("/", "Prefix", "b", 80)).endHttp().endRule()
                .endSpec()
                .build()).create();
        URI shop = dataPlane.ingressUrl("shop.example.com");
        URI other = dataPlane.ingressUrl("other.example.com");
        URI unknown = dataPlane.ingressUrl("shop.example.org");
        dataPlane.awaitSynced(TIMEOUT);

        assertEquals("a:v1", Http.version(Http.get(shop, "/")));
        assertEquals("b:v1", Http.version(Http.get(shop, "/api/orders")));
        assertEquals("a:v1", Http.version(Http.get(shop, "/apix")), "Prefix matches whole path elements");
        assertEquals("b:v1", Http.version(Http.get(shop, "/exact")));
        assertEquals("a:v1", Http.version(Http.get(shop, "/exact/more")), "Exact is no prefix");
        assertEquals("b:v1", Http.version(Http.get(other, "/")), "a wildcard host covers one label");
        HttpResponse<String> notFound = Http.get(unknown, "/");
        assertEquals(404, notFound.statusCode());
        assertEquals("no Ingress rule for host shop.example.org and path /",
                notFound.headers().firstValue(DataPlane.REASON_HEADER).orElseThrow());

        try (LoadGenerator load = LoadGenerator.to(shop).concurrency(4).maxRequests(20_000).start()) {
            load.whenResponses(s -> "a:v1".equals(s.version()), 20).get(30, TimeUnit.SECONDS);
            var firstB = load.whenResponses(s -> "b:v1".equals(s.version()), 1);
            Instant edited = Instant.now();
            client.network().v1().ingresses().withName("shop").edit(ingress -> {
                ingress.getSpec().getRules().get(0).getHttp().getPaths().set(0, path("/", "Prefix", "b", 80));
                return ingress;
            });
            cluster.awaitSettled(TIMEOUT);
            dataPlane.awaitSynced(TIMEOUT);
            Instant synced = Instant.now();
            long millis = Duration.between(edited, firstB.get(10, TimeUnit.SECONDS).startedAt()).toMillis();
            load.whenResponses(s -> "b:v1".equals(s.version()), 20).get(30, TimeUnit.SECONDS);
            LoadReport report = load.stop();

            System.out.printf("Ingress edit: first request to the new backend sent %d ms after the edit was sent; %s%n",
                    millis, report.summary());
            assertEquals(0, report.failed(), report::summary);
            assertEquals(List.of("a:v1", "b:v1"), report.versionSequence().subList(0, 2));
            assertEquals("b:v1", report.versionSequence().get(report.versionSequence().size() - 1));
            assertEquals(0, report.count(s -> "a:v1".equals(s.version()) && s.startedAt().isAfter(synced)),
                    "no answer from the old backend for a request sent after the data plane saw the edit");
        }

        client.network().v1().ingresses().withName("shop").delete();
        dataPlane.awaitSynced(TIMEOUT);
        assertEquals(404, Http.get(shop, "/").statusCode());
    }

    @Test
    void anIngressWithoutMatchingPathUsesItsDefaultBackend() {
        client.network().v1().ingresses().resource(new IngressBuilder()
                .withNewMetadata().withName("fallback").endMetadata()
                .withNewSpec()
                .withNewDefaultBackend().withNewService().withName("b").withNewPort().withNumber(80).endPort().endService()
                .endDefaultBackend()
                .addNewRule().withHost("shop.example.com").withNewHttp().withPaths(path("/api", "Prefix", "a", 80)).endHttp()
                .endRule()
                .endSpec()
                .build()).create();
        URI shop = dataPlane.ingressUrl("shop.example.com");
        dataPlane.awaitSynced(TIMEOUT);

        assertEquals("a:v1", Http.version(Http.get(shop, "/api")));
        assertEquals("b:v1", Http.version(Http.get(shop, "/elsewhere")));
    }

    @Test
    void anHttpRouteSplitsTrafficExactlyByWeightAndFollowsEditsOfItsRulesAndHostnames() {
        client.resources(HTTPRoute.class).resource(new HTTPRouteBuilder()
                .withNewMetadata().withName("shop").endMetadata()
                .withNewSpec()
                .withHostnames("shop.example.com")
                .addNewRule()
                .addNewMatch().withNewPath().withType("PathPrefix").withValue("/api").endPath().endMatch()
                .withBackendRefs(backend("b", 1))
                .endRule()
                .addNewRule().withBackendRefs(backend("a", 9), backend("b", 1)).endRule()
                .endSpec()
                .build()).create();
        URI gateway = dataPlane.gatewayUrl("shop.example.com");
        URI otherHost = dataPlane.gatewayUrl("other.example.com");
        URI route = dataPlane.httpRouteUrl("default", "shop");
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport split = LoadGenerator.to(gateway).concurrency(4).maxRequests(100).start().awaitEnd(LOAD_TIMEOUT);
        assertEquals(0, split.failed(), split::summary);
        assertEquals(Map.of("a:v1", 90L, "b:v1", 10L), split.byVersion(), "weights 9 and 1 over 100 requests");
        assertEquals("b:v1", Http.version(Http.get(gateway, "/api/orders")));
        assertEquals(404, Http.get(otherHost, "/").statusCode());
        LoadReport direct = LoadGenerator.to(route).maxRequests(10).start().awaitEnd(LOAD_TIMEOUT);
        assertEquals(Map.of("a:v1", 9L, "b:v1", 1L), direct.byVersion(), "the route's own address, whatever its hostnames");

        client.resources(HTTPRoute.class).withName("shop").edit(edited -> {
            edited.getSpec().getHostnames().add("other.example.com");
            edited.getSpec().getRules().get(1).setBackendRefs(List.of(backend("a", 0), backend("b", 1)));
            return edited;
        });
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport moved = LoadGenerator.to(gateway).maxRequests(20).start().awaitEnd(LOAD_TIMEOUT);
        assertEquals(Map.of("b:v1", 20L), moved.byVersion());
        assertEquals("b:v1", Http.version(Http.get(otherHost, "/")));
    }

    @Test
    void anHttpRouteMatchesByMethodHeaderAndQueryAndAnswers500ForABackendThatDoesNotExist() {
        client.resources(HTTPRoute.class).resource(new HTTPRouteBuilder()
                .withNewMetadata().withName("shop").endMetadata()
                .withNewSpec()
                .addNewRule()
                .addNewMatch().withNewPath().withType("Exact").withValue("/canary").endPath()
                .addNewHeader().withName("X-Canary").withValue("yes").endHeader().endMatch()
                .withBackendRefs(backend("b", 1))
                .endRule()
                .addNewRule()
                .addNewMatch().withNewPath().withType("PathPrefix").withValue("/canary").endPath()
                .addNewQueryParam().withName("beta").withValue("1").endQueryParam().endMatch()
                .withBackendRefs(backend("b", 1))
                .endRule()
                .addNewRule()
                .addNewMatch().withNewPath().withType("PathPrefix").withValue("/gone").endPath().endMatch()
                .withBackendRefs(backend("missing", 1))
                .endRule()
                .addNewRule().withBackendRefs(backend("a", 1)).endRule()
                .endSpec()
                .build()).create();
        URI gateway = dataPlane.gatewayUrl("any.example.com");
        dataPlane.awaitSynced(TIMEOUT);

        assertEquals("a:v1", Http.version(Http.get(gateway, "/canary")));
        assertEquals("b:v1", Http.version(Http.get(gateway, "/canary?beta=1")));
        LoadReport withHeader = LoadGenerator.to(gateway.resolve("/canary")).header("X-Canary", "yes").maxRequests(5).start()
                .awaitEnd(LOAD_TIMEOUT);
        assertEquals(Map.of("b:v1", 5L), withHeader.byVersion());
        assertEquals(500, Http.get(gateway, "/gone").statusCode());
    }

    private static HTTPIngressPath path(String path, String type, String service, Integer port) {
        HTTPIngressPathBuilder builder = new HTTPIngressPathBuilder().withPath(path).withPathType(type);
        return port == null
                ? builder.withNewBackend().withNewService().withName(service).withNewPort().withName("http").endPort()
                .endService().endBackend().build()
                : builder.withNewBackend().withNewService().withName(service).withNewPort().withNumber(port).endPort()
                .endService().endBackend().build();
    }

    private static HTTPBackendRef backend(String service, int weight) {
        return new HTTPBackendRefBuilder().withName(service).withPort(80).withWeight(weight).build();
    }

}
