package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.PreflightException;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.SwitchResult;
import dev.bluegreen.TrafficSwitcher;
import dev.bluegreen.TrafficVerification;
import dev.bluegreen.VerificationException;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterConfig;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Service;
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
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private PreflightException refusedSwitchLeavesClusterUnchanged(Color color) {
        Map<String, String> before = ClusterState.resourceVersions(client, ns);
        cluster.requests().clear();
        PreflightException error = assertThrows(PreflightException.class, () -> switcher.switchTo(color));
        assertEquals(before, ClusterState.resourceVersions(client, ns), "nothing was written");
        assertEquals(0, ClusterState.userWrites(cluster), "no write request was sent");
        return error;
    }

    @Test
    void readsTheLiveColorFromTheServiceSelector() {
        assertEquals(Color.BLUE, switcher.liveColor());
        assertEquals("Service " + ns + "/myapp-service", switcher.target());
    }

    @Test
    void switchesWithOneMergePatchOfOnlyTheColorKeyCarryingTheResourceVersion() {
        String before = service().getMetadata().getResourceVersion();
        cluster.requests().clear();

        SwitchResult result = switcher.switchTo(Color.GREEN);

        assertEquals(Color.BLUE, result.from());
        assertEquals(Color.GREEN, result.to());
        assertTrue(result.changed());
        assertEquals(before, result.revisionBefore());
        assertEquals(Map.of("app", "myapp", "version", "green"), service().getSpec().getSelector());
        List<String> patches = cluster.requests().fromUsers().stream().filter(r -> r.method().equals("PATCH"))
                .map(r -> r.body()).collect(Collectors.toList());
        assertEquals(List.of("{\"metadata\":{\"resourceVersion\":\"" + before + "\"},\"spec\":{\"selector\":{\"version\":\"green\"}}}"),
                patches.stream().map(ServiceSelectorSwitcherTest::canonical).collect(Collectors.toList()));
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
        cluster.requests().clear();
        SwitchResult result = switcher.switchTo(Color.BLUE);
        assertEquals(false, result.changed());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void verifiesThatEndpointsListOnlyReadyPodsOfTheNewColor() {
        switcher.switchTo(Color.GREEN);
        TrafficVerification verification = switcher.verify(Color.GREEN, Duration.ofSeconds(5));

        assertEquals(3, verification.backends().size());
        assertTrue(verification.backends().stream().allMatch(pod -> pod.startsWith("myapp-green-")), verification.toString());
        assertEquals("EndpointSlices", verification.source());
    }

    @Test
    void verificationFailsAtOnceWhenTheServiceSelectsAnotherColor() {
        VerificationException error = assertThrows(VerificationException.class,
                () -> switcher.verify(Color.GREEN, Duration.ofSeconds(5)));
        assertEquals("Service " + ns + "/myapp-service cannot reach only green pods: it selects blue", error.getMessage());
    }

    @Test
    void verificationTimesOutAndSaysWhatItSawWhenTheNewColorsPodsAreNotReady() {
        cluster.markImage("myapp:broken", PodBehavior.NEVER_READY);
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("myapp:broken");
            return d;
        });
        cluster.awaitSettled(Duration.ofSeconds(5));
        // bypass the switcher's own refusal, as someone with kubectl would
        client.services().inNamespace(ns).withName("myapp-service").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
        cluster.awaitSettled(Duration.ofSeconds(5));

        VerificationException error = assertThrows(VerificationException.class,
                () -> switcher.verify(Color.GREEN, Duration.ofMillis(300)));

        assertTrue(error.getMessage().startsWith("Service " + ns + "/myapp-service did not reach only ready green pods "
                + "within PT0.3S: EndpointSlices last listed myapp-green-"), error.getMessage());
        assertTrue(error.getMessage().contains("(green, not ready)"), error.getMessage());
    }

    @Test
    @SimulatedClusterConfig(endpointSlices = false)
    void fallsBackToEndpointsWhenTheClusterServesNoEndpointSlices() {
        switcher.switchTo(Color.GREEN);
        TrafficVerification verification = switcher.verify(Color.GREEN, Duration.ofSeconds(5));

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

        SwitchConflictException error = assertThrows(SwitchConflictException.class, () -> switcher.switchTo(Color.GREEN));

        assertTrue(error.getMessage().startsWith("Service " + ns + "/myapp-service changed after it was read at resourceVersion "),
                error.getMessage());
        assertTrue(error.getMessage().contains("nothing was written and their edit was kept"), error.getMessage());
        assertEquals("Service " + ns + "/myapp-service", error.target());
        Service now = service();
        assertEquals("alice", now.getMetadata().getLabels().get("owner"), "their edit survives");
        assertEquals("blue", now.getSpec().getSelector().get("version"), "ours was not written");
    }

    @Test
    void refusesASwitchToAColorWhosePodsTheSelectorWouldNotMatch() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            d.getSpec().getTemplate().getMetadata().getLabels().put("version", "blue-2");
            d.getSpec().getSelector().getMatchLabels().put("version", "blue-2");
            return d;
        });
        cluster.awaitSettled(Duration.ofSeconds(5));

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(List.of("the pods of Deployment " + ns + "/myapp-green are labelled {app=myapp, version=blue-2}, "
                + "which the selector {app=myapp, version=green} of Service " + ns + "/myapp-service would not match "
                + "after the switch (label 'version' is 'blue-2', expected 'green')"), error.problems());
    }

    @Test
    void refusesASwitchToAColorWithoutADeployment() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").delete();
        cluster.awaitSettled(Duration.ofSeconds(5));

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(List.of("Deployment " + ns + "/myapp-green does not exist; expected the green color's Deployment"),
                error.problems());
    }

    @Test
    void refusesASwitchWhenTheServiceDoesNotExist() {
        client.services().inNamespace(ns).withName("myapp-service").delete();
        cluster.awaitSettled(Duration.ofSeconds(5));

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(List.of("Service " + ns + "/myapp-service does not exist"), error.problems());
        assertEquals("preflight of reading the live color of Service " + ns + "/myapp-service failed, nothing was "
                + "changed: Service " + ns + "/myapp-service does not exist",
                assertThrows(PreflightException.class, switcher::liveColor).getMessage());
    }

    @Test
    void refusesASwitchWhenTheServiceDoesNotSelectByColor() {
        client.services().inNamespace(ns).withName("myapp-service").edit(s -> {
            s.getSpec().setSelector(Map.of("app", "myapp"));
            return s;
        });

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(List.of("Service " + ns + "/myapp-service does not select by label 'version' (its selector is "
                + "{app=myapp}); expected a selector with the color label 'version'"), error.problems());
    }

    @Test
    void refusesASwitchToAColorWithZeroAvailableReplicas() {
        cluster.markImage("myapp:broken", PodBehavior.NEVER_READY);
        client.apps().deployments().inNamespace(ns).withName("myapp-green").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("myapp:broken");
            return d;
        });
        cluster.awaitSettled(Duration.ofSeconds(5));

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(1, error.problems().size());
        assertTrue(error.problems().get(0).startsWith("Deployment " + ns + "/myapp-green has 0 of 3 replicas available ("),
                error.problems().get(0));
        assertTrue(error.problems().get(0).endsWith("switching Service " + ns + "/myapp-service to green now could route "
                + "traffic to pods that are not ready"), error.problems().get(0));
    }

    @Test
    void refusesASwitchToAColorScaledToZero() {
        client.apps().deployments().inNamespace(ns).withName("myapp-green").scale(0);
        cluster.awaitSettled(Duration.ofSeconds(5));

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(List.of("Deployment " + ns + "/myapp-green is scaled to 0 replicas: switching Service " + ns
                + "/myapp-service to green would leave it with no pods"), error.problems());
    }

    @Test
    void reportsEveryPreflightProblemAtOnce() {
        client.services().inNamespace(ns).withName("myapp-service").edit(s -> {
            s.getSpec().setSelector(Map.of("app", "myapp"));
            return s;
        });
        client.apps().deployments().inNamespace(ns).withName("myapp-green").scale(0);
        cluster.awaitSettled(Duration.ofSeconds(5));

        PreflightException error = refusedSwitchLeavesClusterUnchanged(Color.GREEN);

        assertEquals(2, error.problems().size(), error.getMessage());
        assertTrue(error.getMessage().startsWith("preflight of switch of Service " + ns + "/myapp-service to green failed, "
                + "nothing was changed (2 problems):"), error.getMessage());
    }
}
