package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection as a fabric8 client sees it. One cluster serves the whole class (each test uses its own
 * objects and starts with no rules armed); {@code noRetry} is a user client without fabric8's own retries,
 * which would otherwise absorb a 5xx, 429 or dropped connection that fires once.
 */
@ExtendWith(SimulatedClusterExtension.class)
class FaultsTest {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
    private static final AtomicInteger RETRIED = new AtomicInteger();
    private static final AtomicInteger WATCHED = new AtomicInteger();

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static KubernetesClient noRetry;

    @BeforeAll
    static void shareOneCluster(SimulatedCluster shared) {
        cluster = shared;
        client = shared.client();
        noRetry = shared.newClient(config -> config.withRequestRetryBackoffLimit(0));
    }

    @BeforeEach
    void disarmEveryRule() {
        cluster.faults().clear();
    }

    @Test
    void aStatusFaultAnswersOnceWithAKubernetesStatusAndLeavesTheObjectUnchanged() {
        ConfigMap settings = createConfigMap("status-500");
        FaultRule rule = cluster.faults().when(patchOf("status-500")).inject(Fault.status(500));

        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> patchColor(noRetry, settings, "green"));

        assertEquals(500, error.getCode());
        assertEquals("InternalError", error.getStatus().getReason());
        assertEquals("configmaps", error.getStatus().getDetails().getKind());
        assertEquals("status-500", error.getStatus().getDetails().getName());
        assertEquals("blue", storedColor("status-500"));
        assertEquals(1, rule.timesFired());
        assertFalse(rule.isPending());
        assertEquals("green", patchColor(noRetry, settings, "green").getData().get("color"), "the rule fired only once");
    }

    static Stream<Fault> faultsFabric8Retries() {
        return Stream.of(Fault.status(500), Fault.status(503), Fault.tooManyRequests(Duration.ZERO),
                Fault.connectionReset());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsFabric8Retries")
    void fabric8RetriesItselfSoSuchAFaultFiringOnceIsAbsorbed(Fault fault) {
        String name = "retried-" + RETRIED.incrementAndGet();
        ConfigMap settings = createConfigMap(name);
        RequestLog.Mark mark = cluster.requests().mark();
        cluster.faults().when(patchOf(name)).inject(fault);

        assertEquals("green", patchColor(client, settings, "green").getData().get("color"));

        assertEquals(1, cluster.faults().injected().size());
        assertEquals(2, cluster.requests().fromUsersSince(mark).stream().filter(r -> r.method().equals("PATCH")).count(),
                "the faulted PATCH and fabric8's retry: " + cluster.requests());
    }

    @Test
    void aTooManyRequestsFaultCarriesRetryAfterInTheHeaderAndTheStatus() throws Exception {
        createConfigMap("throttled");
        cluster.faults().when(RequestMatchers.method("GET").and(RequestMatchers.pathEndingWith("/configmaps/throttled")))
                .inject(Fault.tooManyRequests(Duration.ofMillis(1500)));

        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(cluster.masterUrl() + "api/v1/namespaces/default/configmaps/throttled")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(429, response.statusCode());
        assertEquals("2", response.headers().firstValue("Retry-After").orElseThrow(), "seconds, rounded up");
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        Status status = Serialization.unmarshal(response.body(), Status.class);
        assertEquals("Status", status.getKind());
        assertEquals("Failure", status.getStatus());
        assertEquals(429, status.getCode());
        assertEquals("TooManyRequests", status.getReason());
        assertEquals(2, status.getDetails().getRetryAfterSeconds());
    }

    @Test
    void aConflictFaultFailsAtOnceWith409AndChangesNothing() {
        ConfigMap settings = createConfigMap("conflict");
        RequestLog.Mark mark = cluster.requests().mark();
        cluster.faults().when(patchOf("conflict")).inject(Fault.conflict());

        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> patchColor(client, settings, "green"));

        assertEquals(409, error.getCode());
        assertEquals("Conflict", error.getStatus().getReason());
        assertTrue(error.getStatus().getMessage().startsWith("Operation cannot be fulfilled on configmaps \"conflict\": "
                + "the object has been modified"), error.getStatus().getMessage());
        assertEquals(1, cluster.requests().fromUsersSince(mark).size(), "fabric8 does not retry a 409");
        assertEquals("blue", storedColor("conflict"));
    }

    @Test
    void aConnectionResetIsATransportErrorWithoutResponseAndLeavesTheObjectUnchanged() {
        ConfigMap settings = createConfigMap("reset");
        cluster.faults().when(patchOf("reset")).inject(Fault.connectionReset());

        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> patchColor(noRetry, settings, "green"));

        assertNull(error.getStatus(), "no response, so no Status");
        assertEquals(-1, error.getCode());
        assertEquals("Connection was closed", cause(error, IOException.class).getMessage());
        assertEquals("blue", storedColor("reset"));
        assertEquals("green", patchColor(noRetry, settings, "green").getData().get("color"), "the client recovers");
    }

    @Test
    void applyThenLoseResponseChangesTheObjectAndWatchesSeeItButTheClientGetsATransportError() throws Exception {
        ConfigMap settings = createConfigMap("lost");
        CompletableFuture<Void> watching = new CompletableFuture<>();
        CompletableFuture<String> modified = new CompletableFuture<>();
        try (Watch ignored = client.configMaps().withName("lost").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                watching.complete(null);
                if (action == Action.MODIFIED) {
                    modified.complete(resource.getData().get("color"));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            watching.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            FaultRule rule = cluster.faults().when(patchOf("lost")).inject(Fault.applyThenLoseResponse());

            KubernetesClientException error = assertThrows(KubernetesClientException.class,
                    () -> patchColor(noRetry, settings, "green"));

            assertNull(error.getStatus());
            assertEquals("Connection was closed", cause(error, IOException.class).getMessage());
            assertEquals(1, rule.timesFired());
            assertEquals("green", storedColor("lost"), "the write was applied");
            assertEquals("green", modified.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "and watches saw it");
        }
    }

    @Test
    void fabric8RetriesACreateWhoseResponseWasLostAndFailsWithAlreadyExistsAlthoughTheCreateSucceeded() {
        RequestLog.Mark mark = cluster.requests().mark();
        cluster.faults().when(RequestMatchers.method("POST").and(RequestMatchers.pathEndingWith("/configmaps")))
                .inject(Fault.applyThenLoseResponse());

        KubernetesClientException error = assertThrows(KubernetesClientException.class, () -> createConfigMap("created-twice"));

        assertEquals(409, error.getCode());
        assertEquals("blue", storedColor("created-twice"));
        assertEquals(List.of("POST", "POST"), cluster.requests().fromUsersSince(mark).stream().map(ClientRequest::method).toList());
    }

    @Test
    void aDelayHoldsTheRequestWhileOtherRequestsAreServed() throws Exception {
        ConfigMap settings = createConfigMap("delayed");
        CompletableFuture<Void> received = new CompletableFuture<>();
        Duration delay = Duration.ofMillis(500);
        cluster.faults().when(patchOf("delayed").and(r -> received.complete(null) || true)).inject(Fault.delay(delay));
        long started = System.nanoTime();

        CompletableFuture<ConfigMap> patch = CompletableFuture.supplyAsync(() -> patchColor(client, settings, "green"));
        received.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals("blue", client.configMaps().withName("delayed").get().getData().get("color"),
                "a GET is served while the PATCH is held, and the PATCH is not applied yet");
        assertEquals("green", patch.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getData().get("color"));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(delay) >= 0);
    }

    @Test
    void aDelayedWriteStillLandsAfterTheClientTimedOut() {
        ConfigMap settings = createConfigMap("late");
        KubernetesClient impatient = cluster.newClient(config -> config.withRequestTimeout(50).withRequestRetryBackoffLimit(0));
        cluster.faults().when(patchOf("late")).inject(Fault.delay(Duration.ofMillis(300)));

        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> patchColor(impatient, settings, "green"));

        assertTrue(error.getMessage().contains("The timeout period of 50ms has been exceeded"), error.getMessage());
        cluster.controllerClient().configMaps().withName("late")
                .waitUntilCondition(c -> c != null && "green".equals(c.getData().get("color")), TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void atUserRequestCountsOnlyTheRequestsOfTheCodeUnderTest() {
        RequestLog.Mark mark = cluster.requests().mark();
        FaultRule rule = cluster.faults().atUserRequest(2).inject(Fault.conflict());

        client.apps().deployments().resource(deployment("counted", "counted:v1", 2)).create();
        cluster.awaitDeployment("default", "counted", DeploymentConditions.rolloutComplete(), TIMEOUT);
        client.apps().deployments().withName("counted").get();
        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> client.pods().withLabel("app", "counted").list());
        client.pods().withLabel("app", "counted").list();

        assertEquals(409, error.getCode());
        assertEquals(1, rule.timesFired());
        ClientRequest faulted = cluster.faults().injected().get(0).request();
        assertSame(cluster.requests().fromUsersSince(mark).get(2), faulted);
        long clusterRequestsBefore = cluster.requests().since(mark).stream()
                .takeWhile(r -> r != faulted).filter(ClientRequest::fromController).count();
        assertTrue(clusterRequestsBefore > 0, "the cluster's own requests came in between but did not count");
    }

    @Test
    void theClustersOwnRequestsAreNeverFaultedByDefault() {
        client.apps().deployments().resource(deployment("undisturbed", "undisturbed:v1", 2)).create();
        RequestLog.Mark mark = cluster.requests().mark();
        cluster.faults().when(RequestMatchers.anyRequest()).always().inject(Fault.status(500));

        cluster.awaitDeployment("default", "undisturbed", DeploymentConditions.rolloutComplete(), TIMEOUT);
        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> noRetry.apps().deployments().withName("undisturbed").get());

        assertEquals(500, error.getCode());
        assertTrue(cluster.requests().since(mark).stream().anyMatch(r -> r.fromController() && r.method().equals("POST")),
                "the controllers created pods meanwhile");
        List<InjectedFault> injected = cluster.faults().injected();
        assertEquals(1, injected.size(), injected.toString());
        assertFalse(injected.get(0).request().fromController());
    }

    @Test
    void includingControllerRequestsAlsoFaultsTheClustersOwnRequests() {
        FaultRule rule = cluster.faults().when(RequestMatchers.pathEndingWith("/deployments/own-status/status"))
                .includingControllerRequests().inject(Fault.status(500));

        client.apps().deployments().resource(deployment("own-status", "own-status:v1", 1)).create();

        cluster.awaitDeployment("default", "own-status", DeploymentConditions.rolloutComplete(), TIMEOUT);
        assertEquals(1, rule.timesFired());
        assertTrue(cluster.faults().injected().get(0).request().fromController());
    }

    @Test
    void injectedListsEveryFaultInOrderAndARuleFiresAsOftenAsAsked() {
        createConfigMap("twice");
        FaultRule rule = cluster.faults().when(getOf("twice")).times(2).inject(Fault.status(403));

        assertEquals(403, assertThrows(KubernetesClientException.class, () -> getColor("twice")).getCode());
        assertEquals(403, assertThrows(KubernetesClientException.class, () -> getColor("twice")).getCode());
        assertEquals("blue", getColor("twice"));

        List<InjectedFault> injected = cluster.faults().injected();
        assertEquals(2, injected.size());
        for (InjectedFault fault : injected) {
            assertEquals(Fault.status(403), fault.fault());
            assertSame(rule, fault.rule());
            assertEquals("/api/v1/namespaces/default/configmaps/twice", fault.request().path());
        }
        assertEquals(2, rule.timesFired());
        assertEquals(List.of(), cluster.faults().pending());
    }

    @Test
    void pendingListsARuleThatNeverFiredUntilCleared() {
        FaultRule never = cluster.faults().when(RequestMatchers.method("DELETE")).inject(Fault.status(500));

        client.configMaps().list();

        assertEquals(List.of(never), cluster.faults().pending());
        assertEquals(0, never.timesFired());
        assertEquals(List.of(), cluster.faults().injected());
        cluster.faults().clear();
        assertEquals(List.of(), cluster.faults().pending());
        assertFalse(never.isPending());
    }

    @Test
    void skipLetsTheFirstMatchingRequestsPass() {
        createConfigMap("skipped");
        cluster.faults().when(getOf("skipped")).skip(1).inject(Fault.status(403));

        assertEquals("blue", getColor("skipped"));
        assertEquals(403, assertThrows(KubernetesClientException.class, () -> getColor("skipped")).getCode());
        assertEquals("blue", getColor("skipped"));
    }

    @Test
    void whenTwoRulesMatchTheEarlierArmedFiresAndTheOtherWaitsForTheNextRequest() {
        createConfigMap("contested");
        FaultRule first = cluster.faults().when(getOf("contested")).inject(Fault.status(403));
        FaultRule second = cluster.faults().when(getOf("contested")).inject(Fault.status(422));

        assertEquals(403, assertThrows(KubernetesClientException.class, () -> getColor("contested")).getCode());
        assertEquals(422, assertThrows(KubernetesClientException.class, () -> getColor("contested")).getCode());
        assertEquals("blue", getColor("contested"));
        assertEquals(1, first.timesFired());
        assertEquals(1, second.timesFired());
    }

    @Test
    void aStatusFaultOnAWatchFailsTheUpgradeWithThatCode() {
        cluster.faults().when(RequestMatchers.watches()).inject(Fault.status(403));

        KubernetesClientException error = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().withName("anything").watch(ignoringWatcher()));

        assertEquals(403, error.getCode());
    }

    static Stream<Fault> watchFaultsFabric8FallsBackFrom() {
        return Stream.of(Fault.connectionReset(), Fault.status(503));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("watchFaultsFabric8FallsBackFrom")
    void aWatchUpgradeFailingThisWayFallsBackToAnHttpWatchThatDeliversEvents(Fault fault) throws Exception {
        String name = "watched-" + WATCHED.incrementAndGet();
        ConfigMap settings = createConfigMap(name);
        RequestLog.Mark mark = cluster.requests().mark();
        cluster.faults().when(RequestMatchers.watches()).inject(fault);
        CompletableFuture<Void> watching = new CompletableFuture<>();
        CompletableFuture<String> modified = new CompletableFuture<>();

        try (Watch ignored = noRetry.configMaps().withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                watching.complete(null);
                if (action == Action.MODIFIED) {
                    modified.complete(resource.getData().get("color"));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            watching.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            patchColor(cluster.controllerClient(), settings, "green");
            assertEquals("green", modified.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertEquals(1, cluster.faults().injected().size());
        assertEquals(2, cluster.requests().fromUsersSince(mark).stream().filter(ClientRequest::isWatch).count(),
                "the failed upgrade, then fabric8's HTTP watch: " + cluster.requests());
    }

    @Test
    void aConnectionFaultOnTheMockServersOwnPortIsAnswered500SayingSo() throws Exception {
        cluster.faults().when(RequestMatchers.pathEndingWith("/configmaps/via-mock-port")).inject(Fault.connectionReset());

        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.server().getPort()
                        + "/api/v1/namespaces/default/configmaps/via-mock-port")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("can only be applied to requests sent to the cluster's masterUrl()"), response.body());
        assertEquals(1, cluster.faults().injected().size());
    }

    private static ConfigMap createConfigMap(String name) {
        return client.configMaps().resource(new ConfigMapBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .addToData("color", "blue")
                .build()).create();
    }

    /** The client's own PATCH, without the GET that {@code withName(name).patch(...)} sends first. */
    private static ConfigMap patchColor(KubernetesClient sender, ConfigMap configMap, String color) {
        return sender.configMaps().resource(configMap).patch(MERGE, "{\"data\":{\"color\":\"" + color + "\"}}");
    }

    private static String getColor(String name) {
        return client.configMaps().withName(name).get().getData().get("color");
    }

    /** Reads through the cluster's own client, which no rule here faults and whose reads are no user requests. */
    private static String storedColor(String name) {
        return cluster.controllerClient().configMaps().withName(name).get().getData().get("color");
    }

    private static Predicate<ClientRequest> patchOf(String name) {
        return RequestMatchers.method("PATCH").and(RequestMatchers.pathEndingWith("/configmaps/" + name));
    }

    private static Predicate<ClientRequest> getOf(String name) {
        return RequestMatchers.method("GET").and(RequestMatchers.pathEndingWith("/configmaps/" + name));
    }

    private static <T extends Throwable> T cause(Throwable error, Class<T> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " among the causes of " + error, error);
    }

    private static Watcher<ConfigMap> ignoringWatcher() {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }
}
