package dev.bluegreen.fabric8;

import dev.bluegreen.HealthGate;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.StandardStep;
import dev.bluegreen.fabric8.internal.AutomatedSteps;
import dev.bluegreen.fabric8.internal.KubernetesApp;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.TrafficSwitcher;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The guide's automation script as one call, for the Service-selector, Ingress and HTTPRoute methods. Given the
 * app (its {@link BlueGreenConventions}: name, namespace, names and labels) and the new image, a release:
 * <ol>
 *   <li>finds the live color from the router and picks the idle one;</li>
 *   <li>sets the image of the idle color's Deployment, or creates that Deployment from the live one's spec with
 *       the color label swapped when it does not exist;</li>
 *   <li>waits for its rollout ({@link #DEFAULT_ROLLOUT_TIMEOUT} unless configured);</li>
 *   <li>creates the temporary test Service {@code <app>-<color>-test} for the idle color, waits until it lists the
 *       color's ready pods, and runs the smoke gates through it (they read the name from
 *       {@link BlueGreenConventions#testServiceName} and the color from their context's candidate);</li>
 *   <li>switches (one conditioned write) and verifies;</li>
 *   <li>observes for {@link #DEFAULT_OBSERVATION} (every {@link #DEFAULT_OBSERVATION_INTERVAL}) with the
 *       observation gates and "ready pods == desired replicas"; any failure switches back;</li>
 *   <li>deletes the test Service in every outcome (the release's clean-up);</li>
 *   <li>retains the previous color as the {@link PreviousColorRetention} says (default: keep running).</li>
 * </ol>
 * Optionally a PodDisruptionBudget follows the live color ({@link Builder#podDisruptionBudget(String)}). The
 * guide's best practices (readiness probes, resource requests, quota room) are checked at preflight as
 * {@link KubernetesOptions#bestPractices()} says.
 * Colors alternate release after release, so no rename step is needed. The release is the engine's: one per app
 * (a Lease), a record for crash recovery, the invariants of every release. Gates are plain {@link HealthGate}s.
 * To take it apart, {@link #plan(String)} gives the plan builder to change before it runs.
 *
 * <pre>{@code
 * AutomatedRelease release = KubernetesBlueGreen.automatedRelease(client,
 *                 BlueGreenConventions.forApp("myapp").namespace("production").build())
 *         .method(RoutingMethod.INGRESS)
 *         .smokeGate(smokeTests)                     // e.g. an HTTP gate against the test Service
 *         .retention(PreviousColorRetention.scaleToZeroAfter(Duration.ofDays(1)))
 *         .build();
 * ReleaseResult result = release.run(ReleaseEngine.create(), "myregistry/myapp:v2");
 * }</pre>
 */
public final class AutomatedRelease {
    /** How long the rollout of the new color may take unless configured: 5 minutes, as the guide's script. */
    public static final Duration DEFAULT_ROLLOUT_TIMEOUT = Duration.ofMinutes(5);
    /** How long the new color is observed after the switch unless configured: 30 seconds, as the guide's script. */
    public static final Duration DEFAULT_OBSERVATION = Duration.ofSeconds(30);
    /** How often the observation gates are evaluated unless configured: every 10 seconds. */
    public static final Duration DEFAULT_OBSERVATION_INTERVAL = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final RoutingMethod method;
    private final BackendSelection selection;
    private final KubernetesOptions options;
    private final Duration rolloutTimeout;
    private final Duration observation;
    private final Duration observationInterval;
    private final List<HealthGate> smokeGates;
    private final List<HealthGate> observationGates;
    private final PreviousColorRetention retention;
    private final io.fabric8.kubernetes.api.model.IntOrString pdbMinAvailable;

    private AutomatedRelease(Builder builder) {
        this.pdbMinAvailable = builder.pdbMinAvailable;
        this.client = builder.client;
        this.conventions = builder.conventions;
        this.method = builder.method;
        this.selection = builder.selection;
        this.options = builder.options;
        this.rolloutTimeout = builder.rolloutTimeout;
        this.observation = builder.observation;
        this.observationInterval = builder.observationInterval;
        this.smokeGates = List.copyOf(builder.smokeGates);
        this.observationGates = List.copyOf(builder.observationGates);
        this.retention = builder.retention;
    }

    static Builder builder(KubernetesClient client, BlueGreenConventions conventions) {
        return new Builder(Checks.nonNull("kubernetes client", client), Checks.nonNull("conventions", conventions));
    }

    /**
     * @param image the new version: the image the idle color's container runs after the deploy; never blank
     * @return the release's plan builder, every part set as the class comment says; change it before it runs
     */
    public ReleasePlan.Builder plan(String image) {
        Checks.nonBlank("image", image);
        KubernetesApp app = new KubernetesApp(client, conventions, options);
        TrafficSwitcher switcher = switch (method) {
            case SERVICE_SELECTOR -> app.serviceSelectorSwitcher();
            case INGRESS -> app.ingressSwitcher(selection);
            case HTTP_ROUTE -> app.httpRouteSwitcher(selection);
        };
        AutomatedSteps steps = app.automatedSteps(method);
        ReleasePlan.Builder plan = ReleasePlan.builderFor(conventions.appId())
                .switcher(switcher)
                .environments(app.deploymentsCreatingMissing())
                .store(app.releaseStore())
                .version(image)
                .timeout(StandardStep.AWAIT_READY, rolloutTimeout)
                .stepBefore(StandardStep.PRE_SWITCH_GATES, steps.createTestService())
                .retention(retention.retention());
        smokeGates.forEach(plan::preSwitchGate);
        List<HealthGate> observed = new ArrayList<>();
        observed.add(steps.readyPods());
        observed.addAll(observationGates);
        plan.postSwitchGate(HealthGate.observe(HealthGate.allOf("observation", observed.toArray(HealthGate[]::new)))
                .name("observe " + observation).every(observationInterval).lasting(observation).build());
        if (pdbMinAvailable != null) {
            plan.stepBefore(StandardStep.DEPLOY, steps.protectLiveColor(pdbMinAvailable));
            plan.stepAfter(StandardStep.SWITCH, steps.protectNewLiveColor(pdbMinAvailable));
        }
        if (retention.deletes()) {
            plan.stepAfter(StandardStep.RETIRE_PREVIOUS, steps.deletePrevious(switcher));
        }
        return plan;
    }

    /**
     * Runs the release and waits for its end (observation and retention delay included, on the engine's time).
     *
     * @param engine the engine; never null
     * @param image  the new image; never blank
     * @return the result
     */
    public ReleaseResult run(ReleaseEngine engine, String image) {
        Checks.nonNull("release engine", engine);
        return engine.run(plan(image).build());
    }

    /** @return the routing method */
    public RoutingMethod method() {
        return method;
    }

    @Override
    public String toString() {
        return "AutomatedRelease[" + conventions.appId() + ", " + method + (method == RoutingMethod.SERVICE_SELECTOR ? ""
                : ", " + selection) + ", rollout " + rolloutTimeout + ", " + smokeGates.size() + " smoke gates, observe "
                + observation + " every " + observationInterval + " with " + observationGates.size() + " gates + ready pods, "
                + retention + "]";
    }

    /** Builds an {@link AutomatedRelease}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final KubernetesClient client;
        private final BlueGreenConventions conventions;
        private RoutingMethod method = RoutingMethod.SERVICE_SELECTOR;
        private BackendSelection selection = BackendSelection.all();
        private KubernetesOptions options = KubernetesOptions.defaults();
        private Duration rolloutTimeout = DEFAULT_ROLLOUT_TIMEOUT;
        private Duration observation = DEFAULT_OBSERVATION;
        private Duration observationInterval = DEFAULT_OBSERVATION_INTERVAL;
        private final List<HealthGate> smokeGates = new ArrayList<>();
        private final List<HealthGate> observationGates = new ArrayList<>();
        private PreviousColorRetention retention = PreviousColorRetention.keep();
        private io.fabric8.kubernetes.api.model.IntOrString pdbMinAvailable;

        private Builder(KubernetesClient client, BlueGreenConventions conventions) {
            this.client = client;
            this.conventions = conventions;
        }

        /**
         * @param method the routing object the release switches; default {@link RoutingMethod#SERVICE_SELECTOR}
         * @return this builder
         */
        public Builder method(RoutingMethod method) {
            this.method = Checks.nonNull("routing method", method);
            return this;
        }

        /**
         * @param selection for the Ingress and HTTPRoute methods: which backends move; default {@link BackendSelection#all()}
         * @return this builder
         */
        public Builder backendSelection(BackendSelection selection) {
            this.selection = Checks.nonNull("backend selection", selection);
            return this;
        }

        /**
         * @param options retries, lock timing and clock; default {@link KubernetesOptions#defaults()}
         * @return this builder
         */
        public Builder options(KubernetesOptions options) {
            this.options = Checks.nonNull("options", options);
            return this;
        }

        /**
         * @param timeout how long the new color's rollout may take; positive; default {@link #DEFAULT_ROLLOUT_TIMEOUT}
         * @return this builder
         */
        public Builder rolloutTimeout(Duration timeout) {
            this.rolloutTimeout = Checks.positive("rollout timeout", timeout);
            return this;
        }

        /**
         * @param duration how long to observe after the switch; positive; default {@link #DEFAULT_OBSERVATION}
         * @param interval how often to evaluate the observation gates; positive, at most {@code duration};
         *                 default {@link #DEFAULT_OBSERVATION_INTERVAL}
         * @return this builder
         */
        public Builder observe(Duration duration, Duration interval) {
            Checks.positive("observation", duration);
            Checks.positive("observation interval", interval);
            if (interval.compareTo(duration) > 0) {
                throw new dev.bluegreen.ConfigurationException("observation interval must be at most the observation ("
                        + duration + "), but was " + interval);
            }
            this.observation = duration;
            this.observationInterval = interval;
            return this;
        }

        /**
         * @param gate a smoke gate, run before the switch while the test Service exposes the new color; never null
         * @return this builder
         */
        public Builder smokeGate(HealthGate gate) {
            smokeGates.add(Checks.nonNull("smoke gate", gate));
            return this;
        }

        /**
         * @param gate a gate evaluated at every interval of the observation after the switch; never null
         * @return this builder
         */
        public Builder observationGate(HealthGate gate) {
            observationGates.add(Checks.nonNull("observation gate", gate));
            return this;
        }

        /**
         * @param retention what happens to the previous color once the release is committed; default
         *                  {@link PreviousColorRetention#keep()}
         * @return this builder
         */
        public Builder retention(PreviousColorRetention retention) {
            this.retention = Checks.nonNull("retention", retention);
            return this;
        }

        /**
         * Keeps a PodDisruptionBudget {@code <app>-live-pdb} on the live color: created (or updated, when it is the
         * SDK's) to select the live color's pods before the deploy, moved to the new color right after the switch,
         * and moved back when the release does not go through. Off unless set.
         *
         * @param minAvailable how many of the live color's pods voluntary disruptions must leave: a number ("2") or a
         *                     percentage ("50%")
         * @return this builder
         */
        public Builder podDisruptionBudget(String minAvailable) {
            Checks.nonBlank("PodDisruptionBudget minAvailable", minAvailable);
            if (minAvailable.matches("\\d+")) {
                this.pdbMinAvailable = new io.fabric8.kubernetes.api.model.IntOrString(Integer.parseInt(minAvailable));
            } else if (minAvailable.matches("\\d{1,3}%") && Integer.parseInt(minAvailable.replace("%", "")) <= 100) {
                this.pdbMinAvailable = new io.fabric8.kubernetes.api.model.IntOrString(minAvailable);
            } else {
                throw new dev.bluegreen.ConfigurationException("PodDisruptionBudget minAvailable must be a number of pods "
                        + "(e.g. \"2\") or a percentage from 0% to 100% (e.g. \"50%\"), but was '" + minAvailable + "'");
            }
            return this;
        }

        /** @return the automated release */
        public AutomatedRelease build() {
            return new AutomatedRelease(this);
        }
    }
}
