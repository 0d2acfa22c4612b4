package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.TIMEOUT;
import static dev.bluegreen.testkit.Fixtures.deployment;
import static dev.bluegreen.testkit.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Where the simulated API server behaves like a real one where the fabric8 mock does not. */
@ExtendWith(SimulatedClusterExtension.class)
class ApiServerFidelityTest {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private SimulatedCluster cluster;
    private KubernetesClient client;

    @BeforeEach
    void useCluster(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
    }

    @Test
    void aMergePatchReplacesArraysInsteadOfAppendingToThem() {
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();

        Deployment patched = client.apps().deployments().withName("web").patch(MERGE,
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"web:v2\"}]}}}}");

        assertEquals(1, patched.getSpec().getTemplate().getSpec().getContainers().size());
        assertEquals("web:v2", patched.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(2L, patched.getMetadata().getGeneration(), "a spec change bumps the generation");
    }

    @Test
    void aMergePatchWithNullRemovesTheKey() {
        client.configMaps().resource(settings()).create();

        ConfigMap patched = client.configMaps().withName("settings").patch(MERGE,
                "{\"metadata\":{\"labels\":{\"tier\":null}},\"data\":{\"color\":\"green\"}}");

        assertFalse(patched.getMetadata().getLabels().containsKey("tier"));
        assertEquals("web", patched.getMetadata().getLabels().get("app"));
        assertEquals("green", patched.getData().get("color"));
        assertEquals("10", patched.getData().get("size"));
    }

    @Test
    void aMergePatchWithAStaleResourceVersionConflicts() {
        ConfigMap created = client.configMaps().resource(settings()).create();
        client.configMaps().withName("settings").patch(MERGE, "{\"data\":{\"color\":\"green\"}}");

        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().withName("settings").patch(MERGE, "{\"metadata\":{\"resourceVersion\":\""
                        + created.getMetadata().getResourceVersion() + "\"},\"data\":{\"color\":\"red\"}}"));

        assertEquals(409, conflict.getCode());
        assertEquals("green", client.configMaps().withName("settings").get().getData().get("color"));
    }

    @Test
    void closingWatchesWhileObjectsChangeNeitherHangsTheServerNorFailsTheWrites() throws Exception {
        client.configMaps().resource(settings()).create();
        KubernetesClient writerClient = cluster.newClient();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> writes = writer.submit(() -> {
                for (int write = 0; write < 60; write++) {
                    writerClient.configMaps().withName("settings").patch(MERGE, "{\"data\":{\"write\":\"" + write + "\"}}");
                }
            });
            KubernetesClient watcherClient = cluster.newClient();
            while (!writes.isDone()) {
                CountDownLatch firstEvent = new CountDownLatch(1);
                Watch watch = watcherClient.configMaps().watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap resource) {
                        firstEvent.countDown();
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
                assertTrue(firstEvent.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                watch.close();
            }
            writes.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            writer.shutdownNow();
        }

        // A hang detector, not a timing claim: closing normally takes milliseconds.
        assertTimeoutPreemptively(Duration.ofSeconds(30), cluster::close, "closing the cluster hung");
    }

    @Test
    void aDeploymentWhoseSelectorDoesNotMatchItsTemplateIsInvalid() {
        Deployment mismatched = deployment("web", "web:v1", 1);
        mismatched.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "other"));

        KubernetesClientException invalid = assertThrows(KubernetesClientException.class,
                () -> client.apps().deployments().resource(mismatched).create());

        assertEquals(422, invalid.getCode());
        Status status = invalid.getStatus();
        assertEquals("Failure", status.getStatus());
        assertEquals("Invalid", status.getReason());
        assertEquals("Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: "
                + "map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`", status.getMessage());
        assertEquals("web", status.getDetails().getName());
        assertEquals("apps", status.getDetails().getGroup());
        assertEquals("Deployment", status.getDetails().getKind());
        StatusCause cause = status.getDetails().getCauses().get(0);
        assertEquals("FieldValueInvalid", cause.getReason());
        assertEquals("spec.template.metadata.labels", cause.getField());
        assertNull(client.apps().deployments().withName("web").get(), "nothing was stored");
    }

    @Test
    void invalidNamesAreRefusedAsTheApiServerWordsIt() {
        Deployment upperCase = deployment("web", "web:v1", 1);
        upperCase.getMetadata().setName("Web_1");
        Service startsWithDigit = service("1web", Map.of("app", "web"));

        KubernetesClientException deployment = assertThrows(KubernetesClientException.class,
                () -> client.apps().deployments().resource(upperCase).create());
        KubernetesClientException service = assertThrows(KubernetesClientException.class,
                () -> client.services().resource(startsWithDigit).create());

        assertEquals(422, deployment.getCode());
        assertEquals("Deployment.apps \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 "
                + "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
                + "an alphanumeric character (e.g. 'example.com', regex used for validation is "
                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')", deployment.getStatus().getMessage());
        assertEquals(422, service.getCode());
        assertEquals("Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of "
                + "lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
                + "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                + "'[a-z]([-a-z0-9]*[a-z0-9])?')", service.getStatus().getMessage());
    }

    @Test
    void aDeploymentsSelectorCannotChange() {
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();

        KubernetesClientException immutable = assertThrows(KubernetesClientException.class,
                () -> client.apps().deployments().withName("web").patch(MERGE,
                        "{\"spec\":{\"selector\":{\"matchLabels\":{\"tier\":\"front\"}},"
                                + "\"template\":{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}}}"));

        assertEquals(422, immutable.getCode());
        assertEquals("Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:"
                + "map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
                + "field is immutable", immutable.getStatus().getMessage());
        assertEquals(Map.of("app", "web"), client.apps().deployments().withName("web").get().getSpec().getSelector().getMatchLabels());
    }

    @Test
    void aServicesClusterIpCannotChangeButMayBeLeftOut() {
        Service created = client.services().resource(service("web", Map.of("app", "web"))).create();
        String ip = created.getSpec().getClusterIP();

        KubernetesClientException immutable = assertThrows(KubernetesClientException.class,
                () -> client.services().withName("web").patch(MERGE, "{\"spec\":{\"clusterIP\":\"10.96.200.200\"}}"));
        Service replaced = client.services().resource(new ServiceBuilder(service("web", Map.of("app", "web", "tier", "front")))
                .build()).update();

        assertEquals(422, immutable.getCode());
        assertEquals("Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\"}: "
                + "may not change once set", immutable.getStatus().getMessage());
        assertEquals(ip, replaced.getSpec().getClusterIP(), "an update without clusterIP keeps the allocated one");
        assertEquals(Map.of("app", "web", "tier", "front"), replaced.getSpec().getSelector());
    }

    @Test
    void aProgressDeadlineThatIsNotLongerThanMinReadySecondsIsInvalid() {
        Deployment zero = deployment("web", "web:v1", 1);
        zero.getSpec().setProgressDeadlineSeconds(0);

        KubernetesClientException invalid = assertThrows(KubernetesClientException.class,
                () -> client.apps().deployments().resource(zero).create());

        assertEquals("Deployment.apps \"web\" is invalid: spec.progressDeadlineSeconds: Invalid value: 0: must be greater "
                + "than minReadySeconds", invalid.getStatus().getMessage());
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        // Settled first, so that no status write of the controller makes the edit a conflict instead.
        cluster.awaitSettled(TIMEOUT);
        KubernetesClientException edited = assertThrows(KubernetesClientException.class,
                () -> client.apps().deployments().withName("web").edit(d -> {
                    d.getSpec().setProgressDeadlineSeconds(0);
                    return d;
                }));
        assertEquals(422, edited.getCode());
    }

    @Test
    void objectsGetTheApiServersDefaults() {
        Deployment bare = deployment("web", "web:v1", 1);
        bare.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(null);
        Deployment deployment = client.apps().deployments().resource(bare).create();
        Service service = client.services().resource(new ServiceBuilder(service("web", Map.of("app", "web")))
                .editSpec().editFirstPort().withTargetPort(null).endPort().endSpec().build()).create();

        DeploymentSpec spec = deployment.getSpec();
        assertEquals("RollingUpdate", spec.getStrategy().getType());
        assertEquals("25%", spec.getStrategy().getRollingUpdate().getMaxSurge().getStrVal());
        assertEquals("25%", spec.getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal());
        assertEquals(600, spec.getProgressDeadlineSeconds());
        assertEquals(10, spec.getRevisionHistoryLimit());
        assertEquals(30L, spec.getTemplate().getSpec().getTerminationGracePeriodSeconds());
        assertEquals("Always", spec.getTemplate().getSpec().getRestartPolicy());
        assertEquals("ClusterFirst", spec.getTemplate().getSpec().getDnsPolicy());
        Container container = spec.getTemplate().getSpec().getContainers().get(0);
        assertEquals("IfNotPresent", container.getImagePullPolicy());
        assertEquals("TCP", container.getPorts().get(0).getProtocol());
        assertEquals(10, container.getReadinessProbe().getPeriodSeconds());
        assertEquals(3, container.getReadinessProbe().getFailureThreshold());
        assertEquals(1L, deployment.getMetadata().getGeneration());
        assertTrue(deployment.getMetadata().getUid().matches("[0-9a-f-]{36}"), deployment.getMetadata().getUid());

        assertEquals("ClusterIP", service.getSpec().getType());
        assertEquals("None", service.getSpec().getSessionAffinity());
        assertTrue(service.getSpec().getClusterIP().matches("10\\.96\\.\\d+\\.\\d+"), service.getSpec().getClusterIP());
        assertEquals(List.of(service.getSpec().getClusterIP()), service.getSpec().getClusterIPs());
        assertEquals(80, service.getSpec().getPorts().get(0).getTargetPort().getIntVal(), "targetPort defaults to port");
        assertEquals("TCP", service.getSpec().getPorts().get(0).getProtocol());
    }

    @Test
    void writingTheObjectKeepsItsStatusAndWritingTheStatusKeepsTheRest() {
        client.apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        Deployment ready = cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);

        Deployment relabelled = client.apps().deployments().withName("web").patch(MERGE,
                "{\"metadata\":{\"labels\":{\"team\":\"a\"}},\"status\":{\"replicas\":7}}");

        assertEquals(ready.getStatus().getAvailableReplicas(), relabelled.getStatus().getAvailableReplicas(),
                "the status is what the controller wrote, not wiped and not the client's");
        assertEquals(1, relabelled.getStatus().getReplicas());
        assertEquals(ready.getMetadata().getGeneration(), relabelled.getMetadata().getGeneration(),
                "a label change is no spec change");
    }

    @Test
    void anUpdateThatChangesNothingWritesNothing() {
        ConfigMap created = client.configMaps().resource(settings()).create();

        ConfigMap same = client.configMaps().withName("settings").patch(MERGE, "{\"data\":{\"color\":\"blue\"}}");

        assertEquals(created.getMetadata().getResourceVersion(), same.getMetadata().getResourceVersion());
    }

    @Test
    void aJsonPatchWhoseTestFailsIsRefusedInsteadOfHanging() {
        client.configMaps().resource(settings()).create();

        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().withName("settings").patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"test\",\"path\":\"/data/color\",\"value\":\"red\"},"
                                + "{\"op\":\"replace\",\"path\":\"/data/color\",\"value\":\"green\"}]"));

        assertEquals(422, refused.getCode());
        assertEquals("blue", client.configMaps().withName("settings").get().getData().get("color"));
    }

    @Test
    void leasesAreConditionedOnTheirResourceVersion() {
        Lease lease = client.leases().resource(new LeaseBuilder().withNewMetadata().withName("lock").endMetadata()
                .withNewSpec().withHolderIdentity("a").withLeaseDurationSeconds(15).endSpec().build()).create();
        Lease taken = client.leases().resource(new LeaseBuilder(lease).editSpec().withHolderIdentity("b").endSpec().build())
                .update();

        KubernetesClientException stale = assertThrows(KubernetesClientException.class,
                () -> client.leases().resource(new LeaseBuilder(lease).editSpec().withHolderIdentity("c").endSpec().build())
                        .update());

        assertEquals(409, stale.getCode());
        assertEquals("Conflict", stale.getStatus().getReason());
        assertEquals("Operation cannot be fulfilled on leases.coordination.k8s.io \"lock\": the object has been modified; "
                + "please apply your changes to the latest version and try again", stale.getStatus().getMessage());
        assertEquals("b", client.leases().withName("lock").get().getSpec().getHolderIdentity());
        assertTrue(Long.parseLong(taken.getMetadata().getResourceVersion()) > Long.parseLong(lease.getMetadata().getResourceVersion()));
    }

    @Test
    void eventsAreStoredAndListedByTheirInvolvedObject() {
        client.v1().events().resource(new EventBuilder().withNewMetadata().withName("web.1").endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("web-1").withNamespace("default").endInvolvedObject()
                .withReason("Started").withType("Normal").withMessage("Started container app").build()).create();

        // Field selectors are the mock's, which knows only metadata.name: filter here.
        List<Event> events = client.v1().events().list().getItems().stream()
                .filter(e -> "web-1".equals(e.getInvolvedObject().getName())).toList();

        assertEquals(List.of("Started container app"), events.stream().map(Event::getMessage).toList());
    }

    private static ConfigMap settings() {
        return new ConfigMapBuilder()
                .withNewMetadata().withName("settings").addToLabels("app", "web").addToLabels("tier", "front").endMetadata()
                .addToData("color", "blue").addToData("size", "10")
                .build();
    }
}
