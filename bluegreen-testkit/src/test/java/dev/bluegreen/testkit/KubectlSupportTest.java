package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the simulated API server serves for kubectl, checked over plain HTTP so that it is tested where kubectl
 * is not installed: version, discovery in both formats, server-side printing, the scale subresource, strategic
 * merge patches of kinds the mock stores as they come, and watches that start after their resourceVersion.
 */
class KubectlSupportTest {

    private static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
            + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    private static final String SCALE = "/apis/apps/v1/namespaces/default/deployments/myapp-blue/scale";

    private final HttpClient http = HttpClient.newHttpClient();
    private SimulatedCluster cluster;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        BlueGreenApp.named("myapp").image("registry.example.com/myapp:v1").replicas(2).create(cluster);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void versionNamesARealKubernetesVersion() throws Exception {
        Map<String, Object> version = json(get("/version", null));

        assertEquals("1", version.get("major"));
        assertEquals("32", version.get("minor"));
        assertTrue(String.valueOf(version.get("gitVersion")).startsWith("v1.32."), version.toString());
    }

    @Test
    void discoveryIsAggregatedWhenAskedForElseLegacy() throws Exception {
        HttpResponse<String> aggregated = get("/apis", AGGREGATED);
        assertEquals("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                aggregated.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> apps = group(json(aggregated), "apps");
        Map<?, ?> deployments = resource(apps, "deployments");
        assertEquals(List.of("deploy"), deployments.get("shortNames"));
        assertEquals(List.of("all"), deployments.get("categories"));
        assertEquals("Namespaced", deployments.get("scope"));
        assertTrue(String.valueOf(deployments.get("subresources")).contains("subresource=scale, responseKind={group=autoscaling, "
                + "version=v1, kind=Scale}"), String.valueOf(deployments.get("subresources")));

        Map<String, Object> legacy = json(get("/apis/apps/v1", "application/json"));
        assertEquals("APIResourceList", legacy.get("kind"));
        List<?> resources = (List<?>) legacy.get("resources");
        assertTrue(resources.contains(Map.of("name", "deployments/scale", "singularName", "", "namespaced", true,
                "group", "autoscaling", "version", "v1", "kind", "Scale", "verbs", List.of("get", "patch", "update"))),
                resources.toString());
        assertEquals(List.of("v1"), json(get("/api", "application/json")).get("versions"));
        Map<String, Object> core = json(get("/api/v1", null));
        assertTrue(String.valueOf(core.get("resources")).contains("name=services, singularName=service, namespaced=true, kind=Service"),
                String.valueOf(core.get("resources")));
    }

    @Test
    void readsAskedForAsTablesGetTheServersColumnsAndListsAreSortedByName() throws Exception {
        Map<String, Object> table = json(get("/apis/apps/v1/namespaces/default/deployments", TABLE));

        assertEquals("Table", table.get("kind"));
        assertEquals(List.of("Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"),
                ((List<?>) table.get("columnDefinitions")).stream().map(c -> ((Map<?, ?>) c).get("name")).toList());
        List<?> rows = (List<?>) table.get("rows");
        List<?> blue = (List<?>) ((Map<?, ?>) rows.get(0)).get("cells");
        assertEquals(List.of("myapp-blue", "2/2", 2, 2), blue.subList(0, 4));
        assertEquals("app=myapp,version=blue", blue.get(7));
        assertEquals("PartialObjectMetadata", ((Map<?, ?>) ((Map<?, ?>) rows.get(0)).get("object")).get("kind"));
        assertEquals("myapp-green", ((List<?>) ((Map<?, ?>) rows.get(1)).get("cells")).get(0));
    }

    @Test
    void theScaleSubresourceReadsAndWritesAnAutoscalingV1Scale() throws Exception {
        Map<String, Object> scale = json(get(SCALE, null));
        assertEquals("Scale", scale.get("kind"));
        assertEquals("autoscaling/v1", scale.get("apiVersion"));
        assertEquals(Map.of("replicas", 2), scale.get("spec"));
        assertEquals(Map.of("replicas", 2, "selector", "app=myapp,version=blue"), scale.get("status"));

        HttpResponse<String> patched = send("PATCH", SCALE, "application/merge-patch+json", "{\"spec\":{\"replicas\":4}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(Map.of("replicas", 4), json(patched).get("spec"));
        assertEquals(4, cluster.client().apps().deployments().withName("myapp-blue").get().getSpec().getReplicas());

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) scale.get("metadata");
        HttpResponse<String> stale = send("PUT", SCALE, "application/json", Serialization.asJson(Map.of("apiVersion",
                "autoscaling/v1", "kind", "Scale", "metadata", metadata, "spec", Map.of("replicas", 1))));
        assertEquals(409, stale.statusCode(), stale.body());

        HttpResponse<String> negative = send("PATCH", SCALE, "application/merge-patch+json", "{\"spec\":{\"replicas\":-1}}");
        assertEquals(422, negative.statusCode());
        assertEquals("Scale.autoscaling \"myapp-blue\" is invalid: spec.replicas: Invalid value: -1: must be greater than or "
                + "equal to 0", json(negative).get("message"));
        cluster.awaitDeployment("default", "myapp-blue", d -> d.getStatus() != null && Integer.valueOf(4)
                .equals(d.getStatus().getReadyReplicas()), Duration.ofSeconds(20));
    }

    @Test
    void strategicMergePatchesApplyToBuiltInKindsTheMockStoresAndAreRefusedForCustomResources() throws Exception {
        Ingress ingress = new IngressBuilder().withNewMetadata().withName("myapp").withNamespace("default")
                .addToAnnotations("a", "1").endMetadata()
                .withNewSpec().withIngressClassName("nginx").addNewRule().withHost("myapp.example.com").withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("myapp-blue-svc")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
        cluster.client().network().v1().ingresses().resource(ingress).create();

        HttpResponse<String> patched = send("PATCH", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/myapp",
                "application/strategic-merge-patch+json", "{\"metadata\":{\"annotations\":{\"b\":\"2\"}},\"spec\":{\"rules\":"
                        + "[{\"host\":\"myapp.example.com\",\"http\":{\"paths\":[{\"path\":\"/\",\"pathType\":\"Prefix\","
                        + "\"backend\":{\"service\":{\"name\":\"myapp-green-svc\",\"port\":{\"number\":80}}}}]}}]}}");

        assertEquals(200, patched.statusCode(), patched.body());
        Ingress stored = cluster.client().network().v1().ingresses().withName("myapp").get();
        assertEquals(Map.of("a", "1", "b", "2"), stored.getMetadata().getAnnotations());
        assertEquals("myapp-green-svc", stored.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName());
        assertEquals("nginx", stored.getSpec().getIngressClassName());

        HttpResponse<String> custom = send("PATCH", "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/myapp",
                "application/strategic-merge-patch+json", "{\"spec\":{\"replicas\":3}}");
        assertEquals(415, custom.statusCode(), custom.body());
    }

    @Test
    void aPlainHttpWatchFromAListStartsAfterTheListsResourceVersion() throws Exception {
        Map<String, Object> list = json(get("/apis/apps/v1/namespaces/default/deployments", null));
        String version = String.valueOf(((Map<?, ?>) list.get("metadata")).get("resourceVersion"));
        HttpRequest watch = HttpRequest.newBuilder(URI.create(base() + "apis/apps/v1/namespaces/default/deployments?watch=true"
                + "&resourceVersion=" + version)).build();
        HttpResponse<InputStream> stream = http.send(watch, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return events.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            cluster.client().apps().deployments().withName("myapp-green").scale(1);

            Map<?, ?> event = Serialization.unmarshal(first.get(10, TimeUnit.SECONDS), Map.class);
            assertEquals("MODIFIED", event.get("type"), "no replay of the listed objects as ADDED: " + event);
            assertEquals("myapp-green", ((Map<?, ?>) ((Map<?, ?>) event.get("object")).get("metadata")).get("name"));
        }
    }

    private String base() {
        return cluster.masterUrl();
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path.substring(1)));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path.substring(1))).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> response) {
        assertTrue(response.statusCode() < 500, response.body());
        return Serialization.unmarshal(response.body(), Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> group(Map<String, Object> list, String name) {
        return (Map<String, Object>) ((List<?>) list.get("items")).stream()
                .filter(item -> name.equals(((Map<?, ?>) ((Map<?, ?>) item).get("metadata")).get("name")))
                .findFirst().orElseThrow();
    }

    private static Map<?, ?> resource(Map<String, Object> group, String plural) {
        Map<?, ?> version = (Map<?, ?>) ((List<?>) group.get("versions")).get(0);
        return (Map<?, ?>) ((List<?>) version.get("resources")).stream()
                .filter(r -> plural.equals(((Map<?, ?>) r).get("resource"))).findFirst().orElseThrow();
    }
}
