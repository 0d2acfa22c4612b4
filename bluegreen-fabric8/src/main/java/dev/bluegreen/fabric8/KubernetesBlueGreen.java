package dev.bluegreen.fabric8;

import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.fabric8.internal.KubernetesApp;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.TrafficSwitcher;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;

/**
 * Entry point of the Kubernetes adapter: builds switchers, environments, the per-app release store
 * (a Lease holding the lock and the release record) and release plans over a fabric8
 * {@link KubernetesClient}. The client is the caller's: it is never closed here.
 *
 * <pre>{@code
 * try (KubernetesClient client = new KubernetesClientBuilder().build()) {
 *     BlueGreenConventions app = BlueGreenConventions.forApp("myapp").namespace("production").build();
 *     ReleaseResult result = ReleaseEngine.create().run(
 *             KubernetesBlueGreen.serviceSelectorPlan(client, app).version("registry.example.com/myapp:v2").build());
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
        return app(client, conventions, KubernetesOptions.defaults()).serviceSelectorSwitcher();
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return the two color Deployments as environments
     */
    public static ColorEnvironments deployments(KubernetesClient client, BlueGreenConventions conventions) {
        return app(client, conventions, KubernetesOptions.defaults()).deployments();
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @param options     lock timing and clock; never null
     * @return the app's release lock and record, on the Lease {@link BlueGreenConventions#leaseName()}
     */
    public static ReleaseStore releaseStore(KubernetesClient client, BlueGreenConventions conventions,
                                            KubernetesOptions options) {
        return app(client, conventions, options).releaseStore();
    }

    /**
     * Reads the app's release record and lock from its Lease, without taking the lock: what runs,
     * what ran last, and whether a crashed release waits to be recovered.
     *
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return the status
     */
    public static ReleaseStatus status(KubernetesClient client, BlueGreenConventions conventions) {
        return releaseStore(client, conventions, KubernetesOptions.defaults())
                .read(conventions.appId(), Deadline.after(Duration.ofSeconds(30)));
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return a plan builder for a Service-selector release of the app, with default options
     * @see #serviceSelectorPlan(KubernetesClient, BlueGreenConventions, KubernetesOptions)
     */
    public static ReleasePlan.Builder serviceSelectorPlan(KubernetesClient client, BlueGreenConventions conventions) {
        return serviceSelectorPlan(client, conventions, KubernetesOptions.defaults());
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @param options     retries, lock timing and clock; never null
     * @return a plan builder for a Service-selector release of the app, with app and namespace
     *         fixed to the conventions', the switcher, the Deployments and the Lease store set;
     *         add at least the version
     */
    public static ReleasePlan.Builder serviceSelectorPlan(KubernetesClient client, BlueGreenConventions conventions,
                                                          KubernetesOptions options) {
        KubernetesApp app = app(client, conventions, options);
        return plan(conventions, app, app.serviceSelectorSwitcher());
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels (the Ingress and the color Services); never null
     * @param selection   which backends move, and whether a half-switched Ingress is converged; never null
     * @return a switcher that moves the backends of the Ingress {@link BlueGreenConventions#ingressName()} between
     *         the color Services {@link BlueGreenConventions#colorServiceName} (the guide's method 2)
     */
    public static TrafficSwitcher ingressSwitcher(KubernetesClient client, BlueGreenConventions conventions,
                                                  BackendSelection selection) {
        Checks.nonNull("backend selection", selection);
        return app(client, conventions, KubernetesOptions.defaults()).ingressSwitcher(selection);
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels (the HTTPRoute and the color Services); never null
     * @param selection   which rules move, and whether a half-switched route is converged; never null
     * @return a switcher that moves the backendRefs of the Gateway API HTTPRoute
     *         {@link BlueGreenConventions#httpRouteName()} between the color Services
     */
    public static TrafficSwitcher httpRouteSwitcher(KubernetesClient client, BlueGreenConventions conventions,
                                                    BackendSelection selection) {
        Checks.nonNull("backend selection", selection);
        return app(client, conventions, KubernetesOptions.defaults()).httpRouteSwitcher(selection);
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return a plan builder for an Ingress release of the app (the guide's method 2), every backend selected
     * @see #ingressPlan(KubernetesClient, BlueGreenConventions, BackendSelection, KubernetesOptions)
     */
    public static ReleasePlan.Builder ingressPlan(KubernetesClient client, BlueGreenConventions conventions) {
        return ingressPlan(client, conventions, BackendSelection.all(), KubernetesOptions.defaults());
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @param selection   which backends move, and whether a half-switched Ingress is converged; never null
     * @param options     retries, lock timing and clock; never null
     * @return a plan builder for an Ingress release of the app, with app and namespace fixed to the
     *         conventions', the Ingress switcher, the Deployments and the Lease store set; add at least the version
     */
    public static ReleasePlan.Builder ingressPlan(KubernetesClient client, BlueGreenConventions conventions,
                                                  BackendSelection selection, KubernetesOptions options) {
        Checks.nonNull("backend selection", selection);
        KubernetesApp app = app(client, conventions, options);
        return plan(conventions, app, app.ingressSwitcher(selection));
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @return a plan builder for a Gateway API HTTPRoute release of the app, every rule selected
     * @see #httpRoutePlan(KubernetesClient, BlueGreenConventions, BackendSelection, KubernetesOptions)
     */
    public static ReleasePlan.Builder httpRoutePlan(KubernetesClient client, BlueGreenConventions conventions) {
        return httpRoutePlan(client, conventions, BackendSelection.all(), KubernetesOptions.defaults());
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @param selection   which rules move, and whether a half-switched route is converged; never null
     * @param options     retries, lock timing and clock; never null
     * @return a plan builder for an HTTPRoute release of the app, with app and namespace fixed to the
     *         conventions', the HTTPRoute switcher, the Deployments and the Lease store set; add at least the version
     */
    public static ReleasePlan.Builder httpRoutePlan(KubernetesClient client, BlueGreenConventions conventions,
                                                    BackendSelection selection, KubernetesOptions options) {
        Checks.nonNull("backend selection", selection);
        KubernetesApp app = app(client, conventions, options);
        return plan(conventions, app, app.httpRouteSwitcher(selection));
    }

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels, namespace included; never null
     * @return a builder of the guide's automation script as one call (Service selector by default; Ingress and
     *         HTTPRoute too), see {@link AutomatedRelease}
     */
    public static AutomatedRelease.Builder automatedRelease(KubernetesClient client, BlueGreenConventions conventions) {
        return AutomatedRelease.builder(client, conventions);
    }

    private static ReleasePlan.Builder plan(BlueGreenConventions conventions, KubernetesApp app, TrafficSwitcher switcher) {
        return ReleasePlan.builderFor(conventions.appId())
                .switcher(switcher)
                .environments(app.deployments())
                .store(app.releaseStore());
    }

    private static KubernetesApp app(KubernetesClient client, BlueGreenConventions conventions, KubernetesOptions options) {
        Checks.nonNull("kubernetes client", client);
        Checks.nonNull("conventions", conventions);
        Checks.nonNull("options", options);
        return new KubernetesApp(client, conventions, options);
    }
}
