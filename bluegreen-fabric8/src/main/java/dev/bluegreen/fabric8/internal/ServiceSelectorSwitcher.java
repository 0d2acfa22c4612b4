package dev.bluegreen.fabric8.internal;

import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.PreflightException;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.SwitchResult;
import dev.bluegreen.TrafficSwitcher;
import dev.bluegreen.TrafficVerification;
import dev.bluegreen.VerificationException;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.internal.Checks;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Blue-green by a Service's label selector (the guide's method 1): the live color is the value of
 * the color label in the Service's selector; a switch is one JSON merge patch of only that key,
 * conditioned on the resourceVersion read, so a concurrent edit makes it fail instead of being
 * overwritten.
 */
public final class ServiceSelectorSwitcher implements TrafficSwitcher {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSelectorSwitcher.class);

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final Deployments deployments;
    private final EndpointVerifier verifier;
    private final Clock clock;

    /**
     * @param client      the client; never null
     * @param conventions the app's naming conventions; never null
     */
    public ServiceSelectorSwitcher(KubernetesClient client, BlueGreenConventions conventions) {
        this.client = Checks.nonNull("kubernetes client", client);
        this.conventions = Checks.nonNull("conventions", conventions);
        this.deployments = new Deployments(client, conventions);
        this.verifier = new EndpointVerifier(client, conventions.namespace(), conventions.serviceName(), conventions.colorLabel());
        this.clock = Clock.systemUTC();
    }

    @Override
    public String target() {
        return "Service " + conventions.namespace() + "/" + conventions.serviceName();
    }

    private ServiceResource<Service> service() {
        return client.services().inNamespace(conventions.namespace()).withName(conventions.serviceName());
    }

    private Service readService() {
        return KubeCalls.call("read of " + target(), () -> service().get());
    }

    @Override
    public Color liveColor() {
        Service service = readService();
        List<String> problems = new ArrayList<>();
        Color live = colorOf(service, problems);
        if (live == null) {
            throw new PreflightException("reading the live color of " + target(), problems);
        }
        return live;
    }

    /** @return the color the Service selects, or null with the reason added to {@code problems} */
    private Color colorOf(Service service, List<String> problems) {
        if (service == null) {
            problems.add(target() + " does not exist");
            return null;
        }
        Map<String, String> selector = selector(service);
        String value = selector.get(conventions.colorLabel());
        if (value == null) {
            problems.add(target() + " does not select by label '" + conventions.colorLabel() + "' (its selector is "
                    + new TreeMap<>(selector) + "); expected a selector with the color label '" + conventions.colorLabel() + "'");
            return null;
        }
        try {
            return Color.of(value);
        } catch (ConfigurationException e) {
            problems.add(target() + " selects label " + conventions.colorLabel() + "='" + value + "', which is not a color: "
                    + e.getMessage());
            return null;
        }
    }

    private static Map<String, String> selector(Service service) {
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector == null ? Map.of() : selector;
    }

    @Override
    public void checkRoutable(Color color) {
        Checks.nonNull("color", color);
        throwIfAny(color, problems(readService(), color, false));
    }

    @Override
    public void checkSwitchable(Color color) {
        Checks.nonNull("color", color);
        throwIfAny(color, problems(readService(), color, true));
    }

    private void throwIfAny(Color color, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new PreflightException("switch of " + target() + " to " + color, problems);
        }
    }

    private List<String> problems(Service service, Color color, boolean requireReady) {
        List<String> problems = new ArrayList<>();
        colorOf(service, problems);
        Deployment deployment = deployments.get(color);
        if (deployment == null) {
            problems.add(deployments.missing(color));
            return problems;
        }
        if (service != null && selector(service).containsKey(conventions.colorLabel())) {
            Map<String, String> after = new TreeMap<>(selector(service));
            after.put(conventions.colorLabel(), color.name());
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<String> mismatches = new ArrayList<>();
            after.forEach((key, value) -> {
                if (!value.equals(labels.get(key))) {
                    mismatches.add("label '" + key + "' is " + (labels.containsKey(key) ? "'" + labels.get(key) + "'" : "missing")
                            + ", expected '" + value + "'");
                }
            });
            if (!mismatches.isEmpty()) {
                problems.add("the pods of " + deployments.describe(color) + " are labelled " + new TreeMap<>(labels)
                        + ", which the selector " + after + " of " + target() + " would not match after the switch ("
                        + String.join("; ", mismatches) + ")");
            }
        }
        if (requireReady) {
            int wanted = Deployments.wantedReplicas(deployment);
            RolloutStatus rollout = RolloutStatus.of(deployment);
            int available = deployment.getStatus() == null || deployment.getStatus().getAvailableReplicas() == null
                    ? 0 : deployment.getStatus().getAvailableReplicas();
            if (wanted == 0) {
                problems.add(deployments.describe(color) + " is scaled to 0 replicas: switching " + target() + " to "
                        + color + " would leave it with no pods");
            } else if (!rollout.complete()) {
                problems.add(deployments.describe(color) + " has " + available + " of " + wanted
                        + " replicas available (" + rollout.message() + "): switching " + target() + " to " + color
                        + " now could route traffic to pods that are not ready");
            }
        }
        return problems;
    }

    @Override
    public SwitchResult switchTo(Color color) {
        Checks.nonNull("color", color);
        Service service = readService();
        throwIfAny(color, problems(service, color, true));
        Color from = colorOf(service, new ArrayList<>());
        String revision = service.getMetadata().getResourceVersion();
        if (color.equals(from)) {
            return new SwitchResult(target(), from, color, false, revision, revision, clock.instant());
        }
        String patch = Serialization.asJson(Map.of(
                "metadata", Map.of("resourceVersion", revision),
                "spec", Map.of("selector", Map.of(conventions.colorLabel(), color.name()))));
        Service patched;
        try {
            patched = service().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == KubeCalls.CONFLICT) {
                throw new SwitchConflictException(target(), target() + " changed after it was read at resourceVersion "
                        + revision + " (someone else edited it); nothing was written and their edit was kept. "
                        + "Re-read it and switch to " + color + " again if that is still wanted.", e);
            }
            throw KubeCalls.apiError("switch of " + target() + " from " + from + " to " + color, e);
        }
        SwitchResult result = new SwitchResult(target(), from, color, true, revision,
                patched.getMetadata().getResourceVersion(), clock.instant());
        LOG.info("switched {}", result);
        return result;
    }

    @Override
    public TrafficVerification verify(Color color, Duration timeout) {
        Checks.nonNull("color", color);
        Checks.positive("timeout", timeout);
        Service service = readService();
        List<String> problems = new ArrayList<>();
        Color selected = colorOf(service, problems);
        if (!color.equals(selected)) {
            throw new VerificationException(target() + " cannot reach only " + color + " pods: "
                    + (selected == null ? String.join("; ", problems) : "it selects " + selected));
        }
        Map<String, String> podSelector = new TreeMap<>(selector(service));
        podSelector.remove(conventions.colorLabel());
        return verifier.await(color, podSelector, timeout);
    }

    @Override
    public String toString() {
        return "ServiceSelectorSwitcher[" + target() + ", color label " + conventions.colorLabel() + "]";
    }
}
