package dev.bluegreen.fabric8.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.CustomStep;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.StepContext;
import dev.bluegreen.VerificationException;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.RoutingMethod;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.VerificationWatch;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of the guide's automation script that are not standard steps: the temporary test Service of the
 * new color (created before the smoke gates, deleted in every outcome), the "ready pods == desired replicas"
 * check of the observation, and the deletion of the previous color's Deployment.
 */
public final class AutomatedSteps {
    private static final Logger LOG = LoggerFactory.getLogger(AutomatedSteps.class);
    /** Labels a test Service the SDK created, with the color it exposes. */
    public static final String TEST_SERVICE_LABEL = "bluegreen.dev/test-service-of";
    /** The name of the custom step that creates the test Service. */
    public static final String TEST_SERVICE_STEP = "create-test-service";
    /** The name of the custom step that deletes the previous color's Deployment. */
    public static final String DELETE_PREVIOUS_STEP = "delete-previous";

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final Deployments deployments;
    private final RoutingMethod method;

    AutomatedSteps(Deployments deployments, RoutingMethod method) {
        this.client = deployments.client();
        this.conventions = deployments.conventions();
        this.deployments = deployments;
        this.method = method;
        for (Color color : conventions.colors()) {
            ServiceNames.require("test Service", conventions.testServiceName(color), color);
        }
    }

    private String describeTestService(Color color) {
        return "Service " + conventions.namespace() + "/" + conventions.testServiceName(color);
    }

    /**
     * @return the step that creates {@code <app>-<color>-test} selecting the new color's pods (ports as the
     *         Service that routes live traffic to the color), waits until it lists ready pods of the color, and
     *         registers its deletion for the clean-up, which runs in every outcome
     */
    public CustomStep createTestService() {
        return CustomStep.named(TEST_SERVICE_STEP).action(this::createTestService).build();
    }

    private void createTestService(StepContext context) throws Exception {
        Color color = context.targetColor();
        String what = describeTestService(color);
        context.registerCleanUp("delete " + what, c -> deleteTestService(color));
        Deadline deadline = Deadline.after(context.timeout());
        Deployment deployment = deployments.get(color, deadline);
        if (deployment == null) {
            throw new BlueGreenException(what + " cannot be created: " + deployments.missing(color));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", conventions.app());
        labels.put(TEST_SERVICE_LABEL, color.name());
        Service service = new ServiceBuilder().withNewMetadata().withName(conventions.testServiceName(color))
                .withNamespace(conventions.namespace()).withLabels(labels)
                .withAnnotations(Map.of("bluegreen.dev/release", context.releaseId())).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(deployment.getSpec().getSelector().getMatchLabels())
                .withPorts(ports(color, deployment, deadline)).endSpec().build();
        try {
            KubeCalls.write("creation of " + what, what, () -> client.services().inNamespace(conventions.namespace())
                    .resource(service).create());
            LOG.info("{} created for the smoke gates", what);
        } catch (dev.bluegreen.ClusterApiException e) {
            if (e.statusCode() != KubeCalls.CONFLICT) {
                throw e;
            }
            Service existing = client.services().inNamespace(conventions.namespace())
                    .withName(conventions.testServiceName(color)).get();
            if (existing == null || existing.getMetadata().getLabels() == null
                    || !color.name().equals(existing.getMetadata().getLabels().get(TEST_SERVICE_LABEL))) {
                throw new BlueGreenException(what + " already exists and was not created by the SDK (no label "
                        + TEST_SERVICE_LABEL + "=" + color + "); rename it or delete it. It was left as it is");
            }
            LOG.info("{} already exists (left by an earlier release); used as it is", what);
        }
        EndpointVerifier endpoints = new EndpointVerifier(client, conventions.namespace(),
                conventions.testServiceName(color), conventions.colorLabel(), () -> {
                    Map<String, String> selector = new LinkedHashMap<>(deployment.getSpec().getSelector().getMatchLabels());
                    selector.remove(conventions.colorLabel());
                    return selector;
                });
        try (VerificationWatch watch = endpoints.expect(color)) {
            watch.await(deadline);
        } catch (VerificationException e) {
            throw new BlueGreenException(what + " lists no ready " + color + " pod for the smoke gates: " + e.getMessage(), e);
        }
    }

    /** @return the ports of the Service that routes live traffic to the color, else 80 to the container's first port */
    private List<ServicePort> ports(Color color, Deployment deployment, Deadline deadline) {
        String name = method == RoutingMethod.SERVICE_SELECTOR ? conventions.serviceName() : conventions.colorServiceName(color);
        Service router = deployments.calls().read("read of Service " + conventions.namespace() + "/" + name, deadline,
                () -> client.services().inNamespace(conventions.namespace()).withName(name).get());
        List<ServicePort> ports = new ArrayList<>();
        if (router != null && router.getSpec() != null && !router.getSpec().getPorts().isEmpty()) {
            for (ServicePort port : router.getSpec().getPorts()) {
                ports.add(new ServicePortBuilder().withName(port.getName()).withPort(port.getPort())
                        .withTargetPort(port.getTargetPort()).withProtocol(port.getProtocol()).build());
            }
            return ports;
        }
        Integer target = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts().stream()).map(p -> p.getContainerPort()).findFirst().orElse(8080);
        ports.add(new ServicePortBuilder().withName("http").withPort(80).withTargetPort(new IntOrString(target))
                .withProtocol("TCP").build());
        return ports;
    }

    /** Deletes the test Service when it is the SDK's; a missing one is fine. */
    private void deleteTestService(Color color) {
        String what = describeTestService(color);
        Service existing = client.services().inNamespace(conventions.namespace()).withName(conventions.testServiceName(color))
                .get();
        if (existing == null) {
            return;
        }
        if (existing.getMetadata().getLabels() == null
                || !color.name().equals(existing.getMetadata().getLabels().get(TEST_SERVICE_LABEL))) {
            throw new BlueGreenException(what + " is not the SDK's (no label " + TEST_SERVICE_LABEL + "=" + color
                    + "); left as it is");
        }
        try {
            client.services().inNamespace(conventions.namespace()).withName(conventions.testServiceName(color)).delete();
            LOG.info("{} deleted", what);
        } catch (KubernetesClientException e) {
            throw KubeCalls.apiError("deletion of " + what, what, e);
        }
    }

    /**
     * @return a gate that passes when the candidate color's Deployment has as many ready pods as it asks for
     *         replicas (the guide's "ready pods == desired replicas" check after the switch)
     */
    public HealthGate readyPods() {
        return HealthGate.named("ready-pods", context -> {
            Color color = context.candidate().color();
            Deployment deployment = deployments.get(color, Deadline.after(java.time.Duration.ofSeconds(10)));
            if (deployment == null) {
                return GateResult.failed(deployments.missing(color));
            }
            int desired = Deployments.wantedReplicas(deployment);
            Integer ready = deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
            int readyPods = ready == null ? 0 : ready;
            GateResult result = readyPods == desired
                    ? GateResult.passed(deployments.describe(color) + ": " + readyPods + "/" + desired + " pods ready")
                    : GateResult.failed(deployments.describe(color) + ": only " + readyPods + "/" + desired + " pods ready");
            return result.withMeasurement("ready", readyPods).withMeasurement("desired", desired);
        });
    }

    /**
     * @param switcher the release's switcher, read before deleting
     * @return the step that deletes the previous color's Deployment once it was scaled to zero, unless the router
     *         selects it or someone scaled it up again
     */
    public CustomStep deletePrevious(TrafficSwitcher switcher) {
        return CustomStep.named(DELETE_PREVIOUS_STEP).action(context -> {
            Color previous = context.previousColor();
            Deadline deadline = Deadline.after(context.timeout());
            RouteState route = switcher.read(deadline);
            if (route.live() == null || route.routesTo(previous)) {
                throw new BlueGreenException(deployments.describe(previous) + " was not deleted: " + route
                        + " (the SDK never deletes the color the router may select)");
            }
            for (int attempt = 1; ; attempt++) {
                Deployment deployment = deployments.get(previous, deadline);
                if (deployment == null) {
                    return;
                }
                if (Deployments.wantedReplicas(deployment) != 0) {
                    throw new BlueGreenException(deployments.describe(previous) + " was not deleted: it asks for "
                            + Deployments.wantedReplicas(deployment) + " replicas again (someone scaled it up)");
                }
                try {
                    // Conditioned on the read: a change since makes the server refuse the delete; a change of status
                    // only (the controller counting the pods down) is read again and the same decision made.
                    client.apps().deployments().inNamespace(conventions.namespace())
                            .withName(conventions.deploymentName(previous))
                            .lockResourceVersion(deployment.getMetadata().getResourceVersion()).delete();
                    deployments.seen(previous, null);
                    LOG.info("{} deleted after its retention", deployments.describe(previous));
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != KubeCalls.CONFLICT || attempt >= 5) {
                        throw KubeCalls.apiError("deletion of " + deployments.describe(previous),
                                deployments.describe(previous), e);
                    }
                }
            }
        }).build();
    }

    /** Labels a PodDisruptionBudget the SDK manages. */
    public static final String PDB_LABEL = "bluegreen.dev/pdb-of";
    /** The name of the custom step that makes the PodDisruptionBudget cover the live color before the deploy. */
    public static final String PDB_STEP = "protect-live-color";
    /** The name of the custom step that moves the PodDisruptionBudget to the new color after the switch. */
    public static final String PDB_SWITCH_STEP = "protect-new-live-color";

    /** @return the name of the app's PodDisruptionBudget: {@code <app>-live-pdb} */
    public String pdbName() {
        return conventions.app() + "-live-pdb";
    }

    /**
     * @param minAvailable e.g. {@code 2} or {@code 50%}
     * @return the step (before the deploy) that creates or keeps a PodDisruptionBudget with {@code minAvailable}
     *         selecting the live color's pods
     */
    public CustomStep protectLiveColor(IntOrString minAvailable) {
        return CustomStep.named(PDB_STEP).action(context -> pdbSelects(context.previousColor(), minAvailable,
                Deadline.after(context.timeout()))).build();
    }

    /**
     * @param minAvailable e.g. {@code 2} or {@code 50%}
     * @return the step (after the switch) that moves the PodDisruptionBudget to the new live color; its
     *         compensation moves it back when the release does not go through
     */
    public CustomStep protectNewLiveColor(IntOrString minAvailable) {
        return CustomStep.named(PDB_SWITCH_STEP)
                .action(context -> pdbSelects(context.targetColor(), minAvailable, Deadline.after(context.timeout())))
                .compensation(context -> pdbSelects(context.previousColor(), minAvailable, Deadline.after(context.timeout())))
                .build();
    }

    private void pdbSelects(Color color, IntOrString minAvailable, Deadline deadline) {
        String what = "PodDisruptionBudget " + conventions.namespace() + "/" + pdbName();
        Deployment deployment = deployments.get(color, deadline);
        if (deployment == null) {
            throw new BlueGreenException(what + " cannot select the " + color + " pods: " + deployments.missing(color));
        }
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        var pdbs = client.policy().v1().podDisruptionBudget().inNamespace(conventions.namespace());
        io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget existing = deployments.calls().read("read of " + what,
                deadline, () -> pdbs.withName(pdbName()).get());
        if (existing == null) {
            KubeCalls.write("creation of " + what, what, () -> pdbs.resource(
                    new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
                            .withNewMetadata().withName(pdbName()).withNamespace(conventions.namespace())
                            .withLabels(Map.of("app", conventions.app(), PDB_LABEL, conventions.app())).endMetadata()
                            .withNewSpec().withMinAvailable(minAvailable).withNewSelector().withMatchLabels(selector)
                            .endSelector().endSpec().build()).create());
            LOG.info("{} created: minAvailable {} of the {} pods", what, minAvailable.getValue(), color);
            return;
        }
        if (existing.getMetadata().getLabels() == null
                || !conventions.app().equals(existing.getMetadata().getLabels().get(PDB_LABEL))) {
            throw new BlueGreenException(what + " exists and is not the SDK's (no label " + PDB_LABEL + "="
                    + conventions.app() + "); left as it is");
        }
        if (selector.equals(existing.getSpec().getSelector() == null ? null
                : existing.getSpec().getSelector().getMatchLabels()) && minAvailable.equals(existing.getSpec().getMinAvailable())) {
            return;
        }
        String patch = io.fabric8.kubernetes.client.utils.Serialization.asJson(Map.of(
                "metadata", Map.of("resourceVersion", existing.getMetadata().getResourceVersion()),
                "spec", Map.of("minAvailable", minAvailable.getValue(), "selector", Map.of("matchLabels", selector))));
        KubeCalls.write("update of " + what, what, () -> pdbs.resource(existing).patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                patch));
        LOG.info("{} now selects the {} pods, minAvailable {}", what, color, minAvailable.getValue());
    }
}
