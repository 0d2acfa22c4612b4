package dev.bluegreen.fabric8;

import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.Map;

/**
 * The guide's method 2 objects on top of {@code BlueGreenApp}'s Deployments: the Services {@code myapp-blue-svc}
 * and {@code myapp-green-svc} (port 80 named http to 8080), an Ingress {@code myapp-ingress} as the guide writes it
 * (nginx class, rewrite annotation) with a TLS block, a second host, a default backend and a path to a Service that
 * is not the app's; and an HTTPRoute {@code myapp-route} with a rule to one color, a rule listing both with weights
 * 100/0, and a rule to another Service.
 */
final class RouteFixtures {
    static final String HOST = "myapp.example.com";
    static final String API_HOST = "api.example.com";

    private RouteFixtures() {
    }

    static void colorServices(SimulatedCluster cluster, String ns) {
        colorService(cluster, ns, "blue", 80);
        colorService(cluster, ns, "green", 80);
        cluster.client().services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("docs-svc")
                .endMetadata().withNewSpec().withSelector(Map.of("app", "docs")).addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();
    }

    static void colorService(SimulatedCluster cluster, String ns, String color, int port) {
        cluster.client().services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withName("myapp-" + color + "-svc").withLabels(Map.of("app", "myapp")).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "myapp", "version", color))
                .addNewPort().withName("http").withPort(port).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build()).create();
    }

    static Ingress ingress(SimulatedCluster cluster, String ns, String color) {
        String service = "myapp-" + color + "-svc";
        Ingress created = cluster.client().network().v1().ingresses().inNamespace(ns).resource(new IngressBuilder()
                .withNewMetadata().withName("myapp-ingress")
                .withAnnotations(Map.of("nginx.ingress.kubernetes.io/rewrite-target", "/")).endMetadata()
                .withNewSpec()
                .withIngressClassName("nginx")
                .addNewTl().withHosts(HOST, API_HOST).withSecretName("myapp-tls").endTl()
                .withNewDefaultBackend().withNewService().withName(service).withNewPort().withNumber(80).endPort()
                .endService().endDefaultBackend()
                .addNewRule().withHost(HOST).withNewHttp()
                .withPaths(path("/", service, 80), path("/docs", "docs-svc", 80)).endHttp().endRule()
                .addNewRule().withHost(API_HOST).withNewHttp().withPaths(path("/v1", service, null)).endHttp().endRule()
                .endSpec().build()).create();
        cluster.awaitSettled(Duration.ofSeconds(10));
        return created;
    }

    static HTTPIngressPath path(String path, String service, Integer port) {
        HTTPIngressPathBuilder builder = new HTTPIngressPathBuilder().withPath(path).withPathType("Prefix");
        return port == null
                ? builder.withNewBackend().withNewService().withName(service).withNewPort().withName("http").endPort()
                .endService().endBackend().build()
                : builder.withNewBackend().withNewService().withName(service).withNewPort().withNumber(port).endPort()
                .endService().endBackend().build();
    }

    static HTTPRoute httpRoute(SimulatedCluster cluster, String ns, String color) {
        String other = "blue".equals(color) ? "green" : "blue";
        HTTPRoute created = cluster.client().resources(HTTPRoute.class).inNamespace(ns).resource(new HTTPRouteBuilder()
                .withNewMetadata().withName("myapp-route").withAnnotations(Map.of("team", "shop")).endMetadata()
                .withNewSpec()
                .withHostnames(HOST)
                .addNewParentRef().withName("public-gateway").endParentRef()
                .addNewRule().withName("docs")
                .addNewMatch().withNewPath().withType("PathPrefix").withValue("/docs").endPath().endMatch()
                .withBackendRefs(backend("docs-svc", 1)).endRule()
                .addNewRule().withName("api")
                .addNewMatch().withNewPath().withType("PathPrefix").withValue("/api").endPath().endMatch()
                .withBackendRefs(backend("myapp-" + color + "-svc", 100), backend("myapp-" + other + "-svc", 0)).endRule()
                .addNewRule().withName("main").withBackendRefs(backend("myapp-" + color + "-svc", 1)).endRule()
                .endSpec().build()).create();
        cluster.awaitSettled(Duration.ofSeconds(10));
        return created;
    }

    static HTTPBackendRef backend(String service, int weight) {
        return new HTTPBackendRefBuilder().withName(service).withPort(80).withWeight(weight).build();
    }

    static Ingress ingress(KubernetesClient client, String ns) {
        return client.network().v1().ingresses().inNamespace(ns).withName("myapp-ingress").get();
    }

    static HTTPRoute route(KubernetesClient client, String ns) {
        return client.resources(HTTPRoute.class).inNamespace(ns).withName("myapp-route").get();
    }
}
