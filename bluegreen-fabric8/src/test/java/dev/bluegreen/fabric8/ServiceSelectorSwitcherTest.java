package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.VerificationException;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.VerificationWatch;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterConfig;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SimulatedClusterExtension.class)
class ServiceSelectorSwitcherTest {
    private SimulatedCluster cluster;
    private KubernetesClient client;
    private String ns;
    private TrafficSwitcher switcher;

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        ns = cluster.namespace();
        BlueGreenApp.named("myapp").replicas(3).idleReplicas(3).create(cluster);
        cluster.awaitDeployment(ns, "myapp-green", d -> d.getStatus() != null
                && Integer.valueOf(3).equals(d.getStatus().getAvailableReplicas()), Duration.ofSeconds(5));
        switcher = KubernetesBlueGreen.serviceSelectorSwitcher(client,
                BlueGreenConventions.forApp("myapp").namespace(ns).build());
    }

    private Service service() {
        return client.services().inNamespace(ns).withName("myapp-service").get();
    }

    private static Deadline seconds(int n) {
        return Deadline.after(Duration.ofSeconds(n));
    }

    private RouteState read() {
        return switcher.read(seconds(5));
    }

    private SwitchResult switchTo(Color color) {
        return switcher.switchTo(color, read(), seconds(5));
    }

    private TrafficVerification verify(Color color, Duration timeout) {
        try (VerificationWatch watch = switcher.verifier().orElseThrow().expect(color)) {
            return watch.await(Deadline.after(timeout));
        }
    }

    @Test
    void readsTheLiveColorAndTheRevisionFromTheServiceSelector() {
        RouteState route = read();
        assertEquals(Color.BLUE, route.live());
        assertEquals(service().getMetadata().getResourceVersion(), route.revision());
        assertEquals("Service " + ns + "/myapp-service", switcher.target());
    }

    @Test
    void switchesWithOneMergePatchOfOnlyTheColorKeyCarryingTheResourceVersion() {
        RouteState decided = read();
        String before = decided.revision();
        cluster.requests().clear();

        SwitchResult result = switcher.switchTo(Color.GREEN, decided, seconds(5));
        int sent = cluster.requests().fromUsers().size();

        assertEquals(Color.BLUE, result.from());
        assertEquals(Color.GREEN, result.to());
        assertTrue(result.changed());
        assertEquals(before, result.revisionBefore());
        assertEquals(Map.of("app", "myapp", "version", "green"), service().getSpec().getSelector());
        List<String> patches = cluster.requests().fromUsers().stream().filter(r -> r.method().equals("PATCH"))
                .map(r -> r.body()).collect(Collectors.toList());
        assertEquals(List.of("{\"metadata\":{\"resourceVersion\":\"" + before + "\"},\"spec\":{\"selector\":{\"version\":\"green\"}}}"),
                patches.stream().map(ServiceSelectorSwitcherTest::canonical).collect(Collectors.toList()));
        assertEquals(1, sent, "the write carries the read: no GET before the PATCH");
    }

    /** The patch as JSON with keys in a fixed order, so the assertion does not depend on map ordering. */
    private static String canonical(String json) {
        Map<?, ?> parsed = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(json, TreeMap.class);
        return io.fabric8.kubernetes.client.utils.Serialization.asJson(sorted(parsed));
    }

    private static Object sorted(Object value) {
        if (value instanceof Map) {
            TreeMap<String, Object> copy = new TreeMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> copy.put(String.valueOf(k), sorted(v)));
            return copy;
        }
        return value;
    }

    @Test
    void switchingToTheLiveColorWritesNothing() {
        RouteState route = read();
        cluster.requests().clear();
        SwitchResult result = switcher.switchTo(Color.BLUE, route, seconds(5));
        assertEquals(false, result.changed());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void verifiesThatEndpointsListOnlyReadyPodsOfTheNewColor() {
        RouteState route = read();
        try (VerificationWatch watch = switcher.verifier().orElseThrow().expect(Color.GREEN)) {
            switcher.switchTo(Color.GREEN, route, seconds(5));
            TrafficVerification verification = watch.await(seconds(5));

            assertEquals(3, verification.backends().size());
            assertTrue(verification.backends().stream().allMatch(pod -> pod.startsWith("myapp-green-")), verification.toString());
            assertEquals("EndpointSlices", verification.source());
        }
    }

    @Test
    void verificationOfAColorTheServiceDoesNotSelectTimesOutNamingWhatTheEndpointsList() {
        VerificationException error = assertThrows(VerificationException.class,
                () -> verify(Color.GREEN, Duration.ofMillis(200)));
        assertTrue(error.getMessage().startsWith("Service " + ns + "/myapp-service did not reach only ready green pods "
                + "within PT0.2S: EndpointSlices last listed myapp-blue-"), error.getMessage());
        assertTrue(error.getMessage().contains("(blue, ready)"), error.getMessage());
    }

    @Test
    void verificationTimesOutAndSaysWhatItSawWhenTheNewColorsPodsAreNotReady() {
        cluster.markImage("myapp:broken", PodBehavior.NEVER_READY);
        // Recreate, so that no pod of the old template keeps serving (a rolling update would keep them).
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("myapp:broken");
            d.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("Recreate").build());
            return d;
        });
        cluster.awaitSettled(Duration.ofSeconds(5));
        // bypass the switcher's own refusal, as someone with kubectl would
        client.services().inNamespace(ns).withName("myapp-service").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
        cluster.awaitSettled(Duration.ofSeconds(5));

        VerificationException error = assertThrows(VerificationException.class,
                () -> verify(Color.GREEN, Duration.ofMillis(300)));

        assertTrue(error.getMessage().startsWith("Service " + ns + "/myapp-service did not reach only ready green pods "
                + "within PT0.3S: EndpointSlices last listed myapp-green-"), error.getMessage());
        assertTrue(error.getMessage().contains("(green, not ready)"), error.getMessage());
    }

    @Test
    @SimulatedClusterConfig(endpointSlices = false)
    void fallsBackToEndpointsWhenTheClusterServesNoEndpointSlices() {
        switchTo(Color.GREEN);
        TrafficVerification verification = verify(Color.GREEN, Duration.ofSeconds(5));

        assertEquals("Endpoints", verification.source());
        assertEquals(3, verification.backends().size());
        assertTrue(verification.backends().stream().allMatch(pod -> pod.startsWith("myapp-green-")), verification.toString());
    }

    @Test
    void aConcurrentEditBetweenReadAndSwitchIsAConflictAndTheirEditSurvives() {
        KubernetesClient someoneElse = cluster.newClient();
        cluster.beforeNextRequest(r -> r.method().equals("PATCH") && r.pathWithoutQuery().endsWith("/services/myapp-service"),
                () -> someoneElse.services().inNamespace(ns).withName("myapp-service").edit(s -> {
                    s.getMetadata().getLabels().put("owner", "alice");
                    return s;
                }));

        RouteState decided = read();
        SwitchConflictException error = assertThrows(SwitchConflictException.class,
                () -> switcher.switchTo(Color.GREEN, decided, seconds(5)));

        assertTrue(error.getMessage().startsWith("Service " + ns + "/myapp-service changed after it was read at resourceVersion "),
                error.getMessage());
        assertTrue(error.getMessage().contains("nothing was written and their edit was kept"), error.getMessage());
        assertEquals("Service " + ns + "/myapp-service", error.target());
        Service now = service();
        assertEquals("alice", now.getMetadata().getLabels().get("owner"), "their edit survives");
        assertEquals("blue", now.getSpec().getSelector().get("version"), "ours was not written");
    }

    @Test
    void findsPodsTheSelectorWouldNotMatchAfterTheSwitch() {
        // A Deployment's selector is immutable: someone replaced green by a Deployment with other labels.
        ClusterState.recreateWithLabel(cluster, ns, "myapp-green", "version", "blue-2");

        assertEquals(List.of("the pods of Deployment " + ns + "/myapp-green are labelled {app=myapp, version=blue-2}, "
                + "which the selector {app=myapp, version=green} of Service " + ns + "/myapp-service would not match "
                + "after the switch (label 'version' is 'blue-2', expected 'green')"),
                switcher.checkRoutable(Color.GREEN, read(), seconds(5)));
        assertEquals(List.of(), switcher.checkRoutable(Color.BLUE, read(), seconds(5)));
    }

    @Test
    void aMissingServiceOrOneThatDoesNotSelectByColorRoutesToNoSingleColor() {
        client.services().inNamespace(ns).withName("myapp-service").edit(s -> {
            s.getSpec().setSelector(Map.of("app", "myapp"));
            return s;
        });
        RouteState unrouted = read();
        assertNull(unrouted.live());
        assertEquals("Service " + ns + "/myapp-service does not select by label 'version' (its selector is "
                + "{app=myapp}); expected a selector with the color label 'version'", unrouted.problem());

        client.services().inNamespace(ns).withName("myapp-service").delete();
        RouteState missing = read();
        assertNull(missing.live());
        assertNull(missing.revision());
        assertEquals("Service " + ns + "/myapp-service does not exist", missing.problem());
    }

    @Test
    void aFenceMakesASwitchConditionedOnAnOlderRevisionFailAndChangesOnlyTheSdksMarker() {
        RouteState decided = read();
        RouteState fenced = switcher.fence(decided, seconds(5));

        assertEquals(Color.BLUE, fenced.live());
        assertTrue(Integer.parseInt(fenced.revision()) > Integer.parseInt(decided.revision()));
        assertEquals(Map.of("app", "myapp", "version", "blue"), service().getSpec().getSelector());
        assertThrows(SwitchConflictException.class, () -> switcher.switchTo(Color.GREEN, decided, seconds(5)),
                "a switch decided before the fence can no longer land");
    }

    @Test
    void aRouteWatchSeesASwitchSomeoneElseMakes() throws Exception {
        List<RouteState> seen = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch switched = new java.util.concurrent.CountDownLatch(1);
        try (RouteWatch watch = switcher.watch(read(), state -> {
            seen.add(state);
            if (state.routesTo(Color.GREEN)) {
                switched.countDown();
            }
        })) {
            client.services().inNamespace(ns).withName("myapp-service").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
            assertTrue(switched.await(5, java.util.concurrent.TimeUnit.SECONDS), seen.toString());
            assertEquals(Color.GREEN, watch.latest().live());
        }
    }
}
