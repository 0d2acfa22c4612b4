package dev.bluegreen.fabric8;

import dev.bluegreen.ColorEnvironments;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.TrafficSwitcher;
import dev.bluegreen.fabric8.internal.DeploymentEnvironments;
import dev.bluegreen.fabric8.internal.ServiceSelectorSwitcher;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Entry point of the Kubernetes adapter: builds switchers, environments and release plans over a
 * fabric8 {@link KubernetesClient}. The client is the caller's: it is never closed here.
 *
 * <pre>{@code
 * try (KubernetesClient client = new KubernetesClientBuilder().build()) {
 *     BlueGreenConventions app = BlueGreenConventions.forApp("myapp").namespace("production").build();
 *     ReleaseResult result = ReleaseEngine.create().run(
 *             KubernetesBlueGreen.serviceSelectorPlan(client, app).version("registry/myapp:v2").build());
 * }
 * }</pre>
 */
public final class KubernetesBlueGreen {
    private KubernetesBlueGreen() {
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return a switcher that moves the Service's label selector between the colors
     */
    public static TrafficSwitcher serviceSelectorSwitcher(KubernetesClient client, BlueGreenConventions conventions) {
        return new ServiceSelectorSwitcher(client, conventions);
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return the two color Deployments as environments
     */
    public static ColorEnvironments deployments(KubernetesClient client, BlueGreenConventions conventions) {
        return new DeploymentEnvironments(client, conventions);
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return a plan builder for a Service-selector release of the app, with app, namespace, switcher
     *         and environments set; add at least the version
     */
    public static ReleasePlan.Builder serviceSelectorPlan(KubernetesClient client, BlueGreenConventions conventions) {
        return ReleasePlan.builder()
                .app(conventions.app())
                .namespace(conventions.namespace())
                .switcher(serviceSelectorSwitcher(client, conventions))
                .environments(deployments(client, conventions));
    }
}
