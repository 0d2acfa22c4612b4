package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.podsOf;
import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The loopback data plane: pods that answer HTTP, and Service addresses that route only to ready pods. */
@ExtendWith(SimulatedClusterExtension.class)
class DataPlaneTest {

    /** Roomy: the machine may be shared with other builds. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void everyRunningPodAnswersHealthReadyVersionMetricsAndItsImagesPathsOnItsOwnPort(SimulatedCluster cluster) {
        cluster.markImage("web:v2", HttpBehavior.DEFAULT.withVersion("2.0.0")
                .withResponse("/api/flags", 200, "{\"beta\":true}"));
        cluster.client().apps().deployments().resource(deployment("web", "web:v2", 1)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        String pod = podsOf(cluster.client(), "web").get(0).getMetadata().getName();

        // Started after the pod: the data plane serves the pods that already run.
        URI url = cluster.dataPlane().podUrl("default", pod).orElseThrow();

        assertEquals("127.0.0.1", url.getHost());
        assertEquals("ok\n", Http.get(url, "/health").body());
        assertEquals(200, Http.get(url, "/ready").statusCode());
        assertEquals("2.0.0\n", Http.get(url, "/version").body());
        HttpResponse<String> any = Http.get(url, "/any/path?x=1");
        assertEquals(200, any.statusCode());
        assertEquals("2.0.0", Http.version(any));
        assertEquals(pod, Http.pod(any));
        assertEquals("Hello from " + pod + " (2.0.0)\n", any.body());
        assertEquals("{\"beta\":true}", Http.get(url, "/api/flags").body());
        String metrics = Http.get(url, "/metrics").body();
        assertEquals(1, Http.metric(metrics, "http_requests_total", Map.of("status", "200", "method", "GET", "path", "/any/path")));
        assertEquals(1, Http.metric(metrics, "http_requests_total", Map.of("status", "200", "method", "GET", "path", "/health")));
        assertEquals(0, Http.metric(metrics, "http_requests_total", Map.of("status", "200", "method", "GET", "path", "/metrics")),
                "scrapes are not counted");
        assertTrue(cluster.dataPlane().podUrl("default", "no-such-pod").isEmpty());
    }

    @Test
    void aServiceSendsRequestsOnlyToItsReadyPodsWhileNotReadyPodsStillAnswerHealth(SimulatedCluster cluster) {
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);
        DataPlane dataPlane = cluster.dataPlane();
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(withTier(deployment("web", "web:v1", 2))).create();
        client.apps().deployments().resource(withTier(deployment("web-broken", "web:broken", 1))).create();
        client.services().resource(service("front", Map.of("tier", "front"))).create();
        cluster.awaitSettled(TIMEOUT);
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport report = LoadGenerator.to(dataPlane.serviceUrl("default", "front").resolve("/shop"))
                .concurrency(4).maxRequests(300).start().awaitEnd(LOAD_TIMEOUT);

        System.out.println("ready/not-ready routing: " + report.summary());
        assertEquals(300, report.requests());
        assertEquals(0, report.failed(), report::summary);
        Set<String> ready = names(podsOf(client, "web"));
        // Round robin over the two ready pods: exactly half each; the unready pod gets nothing.
        assertEquals(ready.stream().collect(Collectors.toMap(p -> p, p -> 150L)), report.byPod());
        String broken = podsOf(client, "web-broken").get(0).getMetadata().getName();
        URI brokenUrl = dataPlane.podUrl("default", broken).orElseThrow();
        assertEquals(200, Http.get(brokenUrl, "/health").statusCode(), "liveness is answered");
        assertEquals(503, Http.get(brokenUrl, "/ready").statusCode());
        assertEquals(0, Http.metric(Http.get(brokenUrl, "/metrics").body(), "http_requests_total",
                Map.of("status", "200", "method", "GET", "path", "/shop")));
    }

    @Test
    void aServiceWithoutReadyEndpointsAnswers503WhichTheLoadGeneratorCountsAsFailures(SimulatedCluster cluster) {
        cluster.markImage("web:broken", PodBehavior.NEVER_READY);
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:broken", 2)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);
        DataPlane dataPlane = cluster.dataPlane();
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport report = LoadGenerator.to(dataPlane.serviceUrl("default", "web")).concurrency(2).maxRequests(50).start()
                .awaitEnd(LOAD_TIMEOUT);

        assertEquals(50, report.failed(), report::summary);
        assertEquals(Map.of(503, 50L), report.byStatus());
        HttpResponse<String> answer = Http.get(dataPlane.serviceUrl("default", "web"), "/");
        assertEquals("no ready endpoints for Service default/web", answer.headers().firstValue(DataPlane.REASON_HEADER).orElseThrow());
        assertEquals(503, Http.get(dataPlane.serviceUrl("default", "missing"), "/").statusCode());
    }

    @Test
    void aTerminatingPodCompletesTheRequestItHasButGetsNoNewOnes(SimulatedCluster cluster) throws Exception {
        CompletableFuture<String> arrived = new CompletableFuture<>();
        CompletableFuture<HttpBehavior.Response> release = new CompletableFuture<>();
        cluster.markImage("web:v1", HttpBehavior.DEFAULT.withHandler("/slow", request -> {
            arrived.complete(request.pod());
            return release;
        }));
        KubernetesClient client = cluster.client();
        Deployment web = deployment("web", "web:v1", 2);
        // Long enough that the pod is still terminating, and serving, when the test ends.
        web.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(3600L);
        client.apps().deployments().resource(web).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);
        DataPlane dataPlane = cluster.dataPlane();
        URI service = dataPlane.serviceUrl("default", "web");
        dataPlane.awaitSynced(TIMEOUT);

        CompletableFuture<HttpResponse<String>> inFlight = Http.getAsync(service, "/slow");
        String draining = arrived.get(5, TimeUnit.SECONDS);
        String ip = client.pods().withName(draining).get().getStatus().getPodIP();
        client.pods().withName(draining).delete();
        awaitTerminatingInSlice(client, "web", ip);
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport report = LoadGenerator.to(service).concurrency(2).maxRequests(40).start().awaitEnd(LOAD_TIMEOUT);
        assertEquals(0, report.failed(), report::summary);
        assertFalse(report.byPod().containsKey(draining), "no new request for the terminating pod: " + report.byPod());
        assertFalse(inFlight.isDone());

        release.complete(HttpBehavior.Response.ok("done"));
        HttpResponse<String> completed = inFlight.get(5, TimeUnit.SECONDS);

        assertEquals(200, completed.statusCode());
        assertEquals("done", completed.body());
        assertEquals(draining, Http.pod(completed));
        String metrics = Http.get(dataPlane.podUrl("default", draining).orElseThrow(), "/metrics").body();
        assertEquals(1, Http.metric(metrics, "http_requests_total", Map.of("status", "200", "method", "GET", "path", "/slow")));
        assertEquals(0, Http.metric(metrics, "http_requests_total", Map.of("status", "200", "method", "GET", "path", "/")));
    }

    @Test
    void aRequestStillInFlightWhenTheGracePeriodEndsIsCutAndAnswered502(SimulatedCluster cluster) throws Exception {
        CompletableFuture<String> arrived = new CompletableFuture<>();
        cluster.markImage("web:v1", HttpBehavior.DEFAULT.withHandler("/hang", request -> {
            arrived.complete(request.pod());
            return new CompletableFuture<>();
        }));
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);
        DataPlane dataPlane = cluster.dataPlane();
        dataPlane.awaitSynced(TIMEOUT);

        CompletableFuture<HttpResponse<String>> inFlight = Http.getAsync(dataPlane.serviceUrl("default", "web"), "/hang");
        String pod = arrived.get(5, TimeUnit.SECONDS);
        client.pods().withName(pod).delete();
        HttpResponse<String> cut = inFlight.get(10, TimeUnit.SECONDS);

        assertEquals(502, cut.statusCode(), cut.body());
        assertTrue(cut.headers().firstValue(DataPlane.REASON_HEADER).orElseThrow().contains(pod), cut.body());
    }

    @Test
    void aSelectorSwitchIsFollowedOnceTheDataPlaneSeesItWithoutAFailedRequest(SimulatedCluster cluster) throws Exception {
        KubernetesClient client = cluster.client();
        BlueGreenApp shop = BlueGreenApp.named("shop").image("shop:v1").replicas(2).idleReplicas(2).create(cluster);
        Fixtures.setImage(client, shop.deploymentName("green"), "shop:v2");
        cluster.awaitDeployment("default", shop.deploymentName("green"), Fixtures.completeAt(2), TIMEOUT);
        cluster.awaitSettled(TIMEOUT);
        DataPlane dataPlane = cluster.dataPlane();
        URI service = dataPlane.serviceUrl("default", shop.serviceName());
        dataPlane.awaitSynced(TIMEOUT);

        try (LoadGenerator load = LoadGenerator.to(service).concurrency(4).maxRequests(20_000).start()) {
            load.whenResponses(s -> "shop:v1".equals(s.version()), 50).get(30, TimeUnit.SECONDS);
            CompletableFuture<LoadReport.Sample> firstV2 = load.whenResponses(s -> "shop:v2".equals(s.version()), 1);
            Instant switched = Instant.now();
            client.services().withName(shop.serviceName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
            cluster.awaitSettled(TIMEOUT);
            dataPlane.awaitSynced(TIMEOUT);
            Instant synced = Instant.now();
            firstV2.get(10, TimeUnit.SECONDS);
            load.whenResponses(s -> "shop:v2".equals(s.version()), 50).get(30, TimeUnit.SECONDS);
            LoadReport report = load.stop();

            Instant lastV1 = report.samples().stream().filter(s -> "shop:v1".equals(s.version()))
                    .map(LoadReport.Sample::startedAt).max(Instant::compareTo).orElseThrow();
            Instant firstV2Sent = report.samples().stream().filter(s -> "shop:v2".equals(s.version()))
                    .map(LoadReport.Sample::startedAt).min(Instant::compareTo).orElseThrow();
            long firstV2Millis = Duration.between(switched, firstV2Sent).toMillis();
            long lastV1Millis = Duration.between(switched, lastV1).toMillis();
            System.out.printf("selector switch: first v2 request sent %d ms after the patch was sent, last v1 request"
                    + " sent %d ms after it; %s%n", firstV2Millis, lastV1Millis, report.summary());
            assertEquals(0, report.failed(), report::summary);
            List<String> sequence = report.versionSequence();
            assertEquals("shop:v1", sequence.get(0));
            assertEquals("shop:v2", sequence.get(sequence.size() - 1));
            assertEquals(0, report.count(s -> "shop:v1".equals(s.version()) && s.startedAt().isAfter(synced)),
                    "no v1 answer for a request sent after the data plane saw the switch");
        }
    }

    @Test
    @SimulatedClusterConfig(endpointSlices = false)
    void withoutEndpointSlicesAServiceRoutesByItsEndpoints(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 2)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);
        DataPlane dataPlane = cluster.dataPlane();
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport report = LoadGenerator.to(dataPlane.serviceUrl("default", "web", "http")).maxRequests(20).start()
                .awaitEnd(LOAD_TIMEOUT);

        assertEquals(0, report.failed(), report::summary);
        assertEquals(names(podsOf(client, "web")), report.byPod().keySet());
    }

    @Test
    void metricsCountEveryRequestEachPodServedWithItsStatusAndDuration(SimulatedCluster cluster) {
        cluster.markImage("web:v1", HttpBehavior.DEFAULT.withErrorRatio(0.2));
        KubernetesClient client = cluster.client();
        client.apps().deployments().resource(deployment("web", "web:v1", 3)).create();
        client.services().resource(service("web", Map.of("app", "web"))).create();
        cluster.awaitSettled(TIMEOUT);
        DataPlane dataPlane = cluster.dataPlane();
        dataPlane.awaitSynced(TIMEOUT);

        LoadReport report = LoadGenerator.to(dataPlane.serviceUrl("default", "web").resolve("/work")).concurrency(6)
                .maxRequests(300).start().awaitEnd(LOAD_TIMEOUT);

        System.out.println("metrics: " + report.summary());
        // 100 requests per pod; each pod fails every 5th: 20 each.
        assertEquals(Map.of(200, 240L, 500, 60L), report.byStatus());
        assertEquals(60, report.failed());
        for (Pod pod : podsOf(client, "web")) {
            String name = pod.getMetadata().getName();
            String metrics = Http.get(dataPlane.podUrl("default", name).orElseThrow(), "/metrics").body();
            Map<String, String> work = Map.of("method", "GET", "path", "/work");
            assertEquals(100, report.byPod().get(name));
            assertEquals(80, Http.metric(metrics, "http_requests_total", Map.of("status", "200", "method", "GET", "path", "/work")));
            assertEquals(20, Http.metric(metrics, "http_requests_total", Map.of("status", "500", "method", "GET", "path", "/work")));
            assertEquals(100, Http.metric(metrics, "http_request_duration_seconds_count", work));
            assertEquals(100, Http.metric(metrics, "http_request_duration_seconds_bucket",
                    Map.of("method", "GET", "path", "/work", "le", "+Inf")));
            double fast = Http.metric(metrics, "http_request_duration_seconds_bucket",
                    Map.of("method", "GET", "path", "/work", "le", "0.005"));
            assertTrue(fast >= 0 && fast <= 100, metrics);
            assertTrue(Http.metric(metrics, "http_request_duration_seconds_sum", work) > 0, metrics);
            assertEquals(0, Http.metric(metrics, "http_requests_in_flight", Map.of()));
        }
    }

    @Test
    void closingTheClusterReleasesEveryPortOfTheDataPlane() {
        URI service;
        URI pod;
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            cluster.client().apps().deployments().resource(deployment("web", "web:v1", 1)).create();
            cluster.client().services().resource(service("web", Map.of("app", "web"))).create();
            cluster.awaitSettled(TIMEOUT);
            DataPlane dataPlane = cluster.dataPlane();
            dataPlane.awaitSynced(TIMEOUT);
            service = dataPlane.serviceUrl("default", "web");
            pod = dataPlane.podUrl("default", podsOf(cluster.client(), "web").get(0).getMetadata().getName()).orElseThrow();
            assertEquals(200, Http.get(service, "/").statusCode());
            assertEquals(200, Http.get(pod, "/").statusCode());
        }
        assertThrows(ConnectException.class, () -> connect(service));
        assertThrows(ConnectException.class, () -> connect(pod));
    }

    private static void connect(URI url) throws IOException {
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            assertNotEquals(0, socket.getLocalPort());
        }
    }

    private static Deployment withTier(Deployment deployment) {
        deployment.getSpec().getTemplate().getMetadata().getLabels().put("tier", "front");
        return deployment;
    }

    private static Set<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** Waits, with a watch, until the Service's slice lists the pod with this IP as terminating. */
    static void awaitTerminatingInSlice(KubernetesClient client, String service, String ip) {
        String slice = client.discovery().v1().endpointSlices().withLabel("kubernetes.io/service-name", service).list()
                .getItems().get(0).getMetadata().getName();
        client.discovery().v1().endpointSlices().withName(slice).waitUntilCondition(s -> terminating(s, ip),
                30, TimeUnit.SECONDS);
    }

    private static boolean terminating(EndpointSlice slice, String ip) {
        return slice != null && slice.getEndpoints().stream().anyMatch(e -> e.getAddresses().contains(ip)
                && Boolean.TRUE.equals(e.getConditions().getTerminating()) && !Boolean.TRUE.equals(e.getConditions().getReady()));
    }
}
