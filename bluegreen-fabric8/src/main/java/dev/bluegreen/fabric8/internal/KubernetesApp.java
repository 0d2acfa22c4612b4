package dev.bluegreen.fabric8.internal;

import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesOptions;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.TrafficSwitcher;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * One app's objects on one client: builds the switcher, the environments and the release store of
 * a plan so that they share their reads (a write carries the read it was decided on; the switcher's
 * label check uses the Deployment preflight just read).
 */
public final class KubernetesApp {
    private final Deployments deployments;
    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final KubernetesOptions options;
    private final KubeCalls calls;

    /**
     * @param client      the client; never null
     * @param conventions the app's names and labels; never null
     * @param options     retries, lock timing, clock; never null
     */
    public KubernetesApp(KubernetesClient client, BlueGreenConventions conventions, KubernetesOptions options) {
        this.client = Checks.nonNull("kubernetes client", client);
        this.conventions = Checks.nonNull("conventions", conventions);
        this.options = Checks.nonNull("options", options);
        this.calls = new KubeCalls(client, options);
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return options.time().now();
            }
        };
        this.clock = clock;
        this.deployments = new Deployments(client, conventions, calls, clock);
        this.switcher = new ServiceSelectorSwitcher(deployments, clock);
        this.environments = new DeploymentEnvironments(deployments, false, options.bestPractices());
        this.store = new LeaseStore(client, conventions, options, calls);
    }

    private final Clock clock;
    private final ServiceSelectorSwitcher switcher;
    private final DeploymentEnvironments environments;
    private final LeaseStore store;

    /** @return the Service-selector switcher */
    public TrafficSwitcher serviceSelectorSwitcher() {
        return switcher;
    }

    /**
     * @param selection which backends move, and whether a half-switched Ingress is converged
     * @return a switcher that moves the Ingress's backends between the color Services (the guide's method 2)
     */
    public TrafficSwitcher ingressSwitcher(dev.bluegreen.fabric8.BackendSelection selection) {
        return new IngressBackendSwitcher(deployments, selection, clock);
    }

    /**
     * @param selection which rules move, and whether a half-switched route is converged
     * @return a switcher that moves the HTTPRoute's backendRefs between the color Services
     */
    public TrafficSwitcher httpRouteSwitcher(dev.bluegreen.fabric8.BackendSelection selection) {
        return new HttpRouteBackendSwitcher(deployments, selection, clock);
    }

    /**
     * @return the color Deployments, creating a missing one from the other color's spec on deploy (the
     *         guide's automation script)
     */
    public ColorEnvironments deploymentsCreatingMissing() {
        return new DeploymentEnvironments(deployments, true, options.bestPractices());
    }

    /**
     * @param method the routing method (which Service's ports a test Service copies)
     * @return the test Service step, the ready-pods gate and the previous color's deletion
     */
    public AutomatedSteps automatedSteps(dev.bluegreen.fabric8.RoutingMethod method) {
        return new AutomatedSteps(deployments, method);
    }

    /** @return the color Deployments */
    public ColorEnvironments deployments() {
        return environments;
    }

    /** @return the Lease-based lock and record */
    public ReleaseStore releaseStore() {
        return store;
    }

    @Override
    public String toString() {
        return "KubernetesApp[" + conventions + ", " + options + ", " + client.getMasterUrl() + "]";
    }
}
