package dev.bluegreen;

import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.TrafficSwitcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An immutable, validated description of one blue-green release: what to deploy, where traffic
 * goes, which gates decide, how long each step may take and what happens on failure. Built with
 * {@link #builder()}; run with {@link ReleaseEngine#run(ReleasePlan, ReleaseListener...)}.
 *
 * <p>The flow ({@link #steps()}): preflight, deploy the idle color, await ready, pre-switch gates,
 * switch (and verify), post-switch observation, retire the previous color after the retention
 * period, clean up; custom steps are inserted before or after any of these but preflight.
 *
 * <p>On failure before the switch the release is aborted: live traffic is untouched and the idle
 * color is handled per {@link AbortPolicy}. On failure after the switch, traffic is switched back
 * per {@link RollbackPolicy}. Once observation passes the release is committed: later failures
 * are reported as warnings.
 *
 * <p>Every plan has a {@link ReleaseStore}: the per-app lock that keeps two releases of one app
 * apart, and the release record that lets a crashed release be recovered ({@link #recovery()}).
 */
public final class ReleasePlan {
    private final AppId app;
    private final String version;
    private final Integer replicas;
    private final TrafficSwitcher switcher;
    private final ColorEnvironments environments;
    private final List<HealthGate> preSwitchGates;
    private final List<HealthGate> postSwitchGates;
    private final Map<StandardStep, Duration> timeouts;
    private final Map<StandardStep, List<CustomStep>> before;
    private final Map<StandardStep, List<CustomStep>> after;
    private final Retention retention;
    private final AbortPolicy abortPolicy;
    private final InconclusivePolicy inconclusivePolicy;
    private final RollbackPolicy rollbackPolicy;
    private final RecoveryPolicy recovery;
    private final ReleaseStore store;
    private final List<PlannedStep> steps;

    private ReleasePlan(Builder builder) {
        this.app = new AppId(builder.namespace, builder.app);
        this.version = builder.version;
        this.replicas = builder.replicas;
        this.switcher = builder.switcher;
        this.environments = builder.environments;
        this.preSwitchGates = List.copyOf(builder.preSwitchGates);
        this.postSwitchGates = List.copyOf(builder.postSwitchGates);
        this.timeouts = Collections.unmodifiableMap(new EnumMap<>(builder.timeouts));
        this.before = copy(builder.before);
        this.after = copy(builder.after);
        this.retention = builder.retention;
        this.abortPolicy = builder.abortPolicy;
        this.inconclusivePolicy = builder.inconclusivePolicy;
        this.rollbackPolicy = builder.rollbackPolicy;
        this.recovery = builder.recovery;
        this.store = builder.store;
        this.steps = List.copyOf(flow());
    }

    private static Map<StandardStep, List<CustomStep>> copy(Map<StandardStep, List<CustomStep>> source) {
        Map<StandardStep, List<CustomStep>> copy = new EnumMap<>(StandardStep.class);
        source.forEach((anchor, list) -> copy.put(anchor, List.copyOf(list)));
        return Collections.unmodifiableMap(copy);
    }

    private List<PlannedStep> flow() {
        List<PlannedStep> flow = new ArrayList<>();
        for (StandardStep step : StandardStep.values()) {
            for (CustomStep custom : before.getOrDefault(step, List.of())) {
                flow.add(PlannedStep.custom(custom, phaseOf(step, true)));
            }
            flow.add(PlannedStep.standard(step, timeout(step), phaseOf(step, false)));
            for (CustomStep custom : after.getOrDefault(step, List.of())) {
                flow.add(PlannedStep.custom(custom, phaseAfter(step)));
            }
        }
        return flow;
    }

    private static Phase phaseOf(StandardStep step, boolean placedBefore) {
        if (step.compareTo(StandardStep.SWITCH) < 0 || (placedBefore && step == StandardStep.SWITCH)) {
            return Phase.PREPARING;
        }
        if (step == StandardStep.SWITCH) {
            return Phase.SWITCHING;
        }
        return step.compareTo(StandardStep.OBSERVE) <= 0 ? Phase.OBSERVING : Phase.FINISHING;
    }

    private static Phase phaseAfter(StandardStep step) {
        if (step.compareTo(StandardStep.SWITCH) < 0) {
            return Phase.PREPARING;
        }
        return step.compareTo(StandardStep.OBSERVE) < 0 ? Phase.OBSERVING : Phase.FINISHING;
    }

    /**
     * @return a new, empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder whose app and namespace are fixed: adapters that build plans for one app's objects
     * use it, so the plan's identity cannot contradict the objects it releases.
     *
     * @param app the app the adapter's objects belong to; never null
     * @return a new builder with app and namespace set and fixed
     */
    public static Builder builderFor(AppId app) {
        Checks.nonNull("app", app);
        Builder builder = new Builder();
        builder.app = app.app();
        builder.namespace = app.namespace();
        builder.fixedApp = app;
        return builder;
    }

    /**
     * @return a builder holding this plan's settings, to derive a changed plan; this plan is not affected
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.app = app.app();
        builder.namespace = app.namespace();
        builder.version = version;
        builder.replicas = replicas;
        builder.switcher = switcher;
        builder.environments = environments;
        builder.preSwitchGates.addAll(preSwitchGates);
        builder.postSwitchGates.addAll(postSwitchGates);
        builder.timeouts.putAll(timeouts);
        before.forEach((anchor, list) -> builder.before.put(anchor, new ArrayList<>(list)));
        after.forEach((anchor, list) -> builder.after.put(anchor, new ArrayList<>(list)));
        builder.retention = retention;
        builder.abortPolicy = abortPolicy;
        builder.inconclusivePolicy = inconclusivePolicy;
        builder.rollbackPolicy = rollbackPolicy;
        builder.recovery = recovery;
        builder.store = store;
        return builder;
    }

    /** @return the app released */
    public String app() {
        return app.app();
    }

    /** @return the app's namespace */
    public String namespace() {
        return app.namespace();
    }

    /** @return the app and namespace, which key its lock and release record */
    public AppId appId() {
        return app;
    }

    /** @return the version released (for Kubernetes adapters, the container image) */
    public String version() {
        return version;
    }

    /** @return the replicas the new color runs, or empty to match the live color */
    public OptionalInt replicas() {
        return replicas == null ? OptionalInt.empty() : OptionalInt.of(replicas);
    }

    /** @return what routes traffic */
    public TrafficSwitcher switcher() {
        return switcher;
    }

    /** @return what runs the colors */
    public ColorEnvironments environments() {
        return environments;
    }

    /** @return gates evaluated against the idle color before the switch, in order */
    public List<HealthGate> preSwitchGates() {
        return preSwitchGates;
    }

    /** @return gates evaluated side by side after the switch */
    public List<HealthGate> postSwitchGates() {
        return postSwitchGates;
    }

    /**
     * @param step a standard step
     * @return its timeout: the plan's, or the step's default
     */
    public Duration timeout(StandardStep step) {
        return timeouts.getOrDefault(step, step.defaultTimeout());
    }

    /** @return what happens to the previous color once the release is committed */
    public Retention retention() {
        return retention;
    }

    /** @return what happens to the idle color on abort */
    public AbortPolicy abortPolicy() {
        return abortPolicy;
    }

    /** @return what happens when a gate is inconclusive */
    public InconclusivePolicy inconclusivePolicy() {
        return inconclusivePolicy;
    }

    /** @return what happens on failure after the switch */
    public RollbackPolicy rollbackPolicy() {
        return rollbackPolicy;
    }

    /** @return what happens when the app's previous release never finished */
    public RecoveryPolicy recovery() {
        return recovery;
    }

    /** @return the app's lock and release record */
    public ReleaseStore store() {
        return store;
    }

    /** @return the whole flow, standard and custom steps, in running order */
    public List<PlannedStep> steps() {
        return steps;
    }

    @Override
    public String toString() {
        return "ReleasePlan[" + app + " -> " + version + ", via "
                + switcher.target() + ", steps " + steps.stream().map(PlannedStep::name).toList() + "]";
    }

    /**
     * Builds a {@link ReleasePlan}. Setters validate and echo bad values; {@link #build()} checks the
     * settings against each other. Building copies everything, so reusing a builder never changes a
     * plan already built. Not thread-safe.
     */
    public static final class Builder {
        private String app;
        private String namespace = "default";
        private String version;
        private Integer replicas;
        private AppId fixedApp;
        private TrafficSwitcher switcher;
        private ColorEnvironments environments;
        private final List<HealthGate> preSwitchGates = new ArrayList<>();
        private final List<HealthGate> postSwitchGates = new ArrayList<>();
        private final Map<StandardStep, Duration> timeouts = new EnumMap<>(StandardStep.class);
        private final Map<StandardStep, List<CustomStep>> before = new EnumMap<>(StandardStep.class);
        private final Map<StandardStep, List<CustomStep>> after = new EnumMap<>(StandardStep.class);
        private Retention retention = Retention.DEFAULT;
        private AbortPolicy abortPolicy = AbortPolicy.SCALE_DOWN_IDLE;
        private InconclusivePolicy inconclusivePolicy = InconclusivePolicy.FAIL;
        private RollbackPolicy rollbackPolicy = RollbackPolicy.AUTOMATIC;
        private RecoveryPolicy recovery = RecoveryPolicy.REFUSE;
        private ReleaseStore store = ReleaseStore.jvmWide();

        private Builder() {
        }

        /**
         * @param app the app's name, a lowercase DNS label; required
         * @return this builder
         */
        public Builder app(String app) {
            Checks.dnsLabel("app", app);
            if (fixedApp != null && !fixedApp.app().equals(app)) {
                throw new ConfigurationException("this plan releases app '" + fixedApp.app() + "', fixed by the adapter "
                        + "that built it for that app's objects; it cannot become '" + app + "'. Build the adapter for '"
                        + app + "' instead");
            }
            this.app = app;
            return this;
        }

        /**
         * @param namespace the namespace, a lowercase DNS label; default "default"
         * @return this builder
         */
        public Builder namespace(String namespace) {
            Checks.dnsLabel("namespace", namespace);
            if (fixedApp != null && !fixedApp.namespace().equals(namespace)) {
                throw new ConfigurationException("this plan releases app '" + fixedApp.app() + "' in namespace '"
                        + fixedApp.namespace() + "', fixed by the adapter that built it for that namespace's objects; it "
                        + "cannot become '" + namespace + "'. Build the adapter for namespace '" + namespace + "' instead");
            }
            this.namespace = namespace;
            return this;
        }

        /**
         * @param version what to release (for Kubernetes adapters, the container image); required
         * @return this builder
         */
        public Builder version(String version) {
            this.version = Checks.nonBlank("version", version);
            if (!version.equals(version.strip())) {
                throw new ConfigurationException("version must not start or end with whitespace, but was '" + version + "'");
            }
            return this;
        }

        /**
         * @param replicas how many replicas the new color runs; at least 1; default: as many as the live color
         * @return this builder
         */
        public Builder replicas(int replicas) {
            this.replicas = Checks.atLeast("replicas", 1, replicas);
            return this;
        }

        /**
         * @param switcher what routes traffic; required
         * @return this builder
         */
        public Builder switcher(TrafficSwitcher switcher) {
            this.switcher = Checks.nonNull("traffic switcher", switcher);
            return this;
        }

        /**
         * @param environments what runs the colors; required
         * @return this builder
         */
        public Builder environments(ColorEnvironments environments) {
            this.environments = Checks.nonNull("color environments", environments);
            return this;
        }

        /**
         * @param gate a gate evaluated against the idle color before the switch; gates run in the order added
         * @return this builder
         */
        public Builder preSwitchGate(HealthGate gate) {
            preSwitchGates.add(Checks.nonNull("pre-switch gate", gate));
            return this;
        }

        /**
         * @param gate a gate evaluated after the switch, side by side with the other post-switch gates
         * @return this builder
         */
        public Builder postSwitchGate(HealthGate gate) {
            postSwitchGates.add(Checks.nonNull("post-switch gate", gate));
            return this;
        }

        /**
         * @param step    a standard step
         * @param timeout how long it may run; positive; default {@link StandardStep#defaultTimeout()}
         * @return this builder
         */
        public Builder timeout(StandardStep step, Duration timeout) {
            Checks.nonNull("step", step);
            timeouts.put(step, Checks.positive("timeout of step '" + step.stepName() + "'", timeout));
            return this;
        }

        /**
         * @param anchor the standard step to run before; not {@link StandardStep#PREFLIGHT}
         * @param step   the custom step
         * @return this builder
         */
        public Builder stepBefore(StandardStep anchor, CustomStep step) {
            Checks.nonNull("anchor step", anchor);
            Checks.nonNull("custom step", step);
            if (anchor == StandardStep.PREFLIGHT) {
                throw new ConfigurationException("custom step '" + step.name() + "' cannot run before preflight: "
                        + "nothing may change before everything was checked; place it after preflight instead");
            }
            before.computeIfAbsent(anchor, a -> new ArrayList<>()).add(step);
            return this;
        }

        /**
         * @param anchor the standard step to run after
         * @param step   the custom step
         * @return this builder
         */
        public Builder stepAfter(StandardStep anchor, CustomStep step) {
            Checks.nonNull("anchor step", anchor);
            Checks.nonNull("custom step", step);
            after.computeIfAbsent(anchor, a -> new ArrayList<>()).add(step);
            return this;
        }

        /**
         * @param retention what happens to the previous color once committed; default {@link Retention#DEFAULT}
         * @return this builder
         */
        public Builder retention(Retention retention) {
            this.retention = Checks.nonNull("retention", retention);
            return this;
        }

        /**
         * @param policy what happens to the idle color on abort; default {@link AbortPolicy#SCALE_DOWN_IDLE}
         * @return this builder
         */
        public Builder abortPolicy(AbortPolicy policy) {
            this.abortPolicy = Checks.nonNull("abort policy", policy);
            return this;
        }

        /**
         * @param policy what happens when a gate is inconclusive; default {@link InconclusivePolicy#FAIL}
         * @return this builder
         */
        public Builder onInconclusive(InconclusivePolicy policy) {
            this.inconclusivePolicy = Checks.nonNull("inconclusive policy", policy);
            return this;
        }

        /**
         * @param policy what happens on failure after the switch; default {@link RollbackPolicy#AUTOMATIC}
         * @return this builder
         */
        public Builder rollbackPolicy(RollbackPolicy policy) {
            this.rollbackPolicy = Checks.nonNull("rollback policy", policy);
            return this;
        }

        /**
         * @param policy what happens when the app's previous release never finished (its process
         *               crashed); default {@link RecoveryPolicy#REFUSE}
         * @return this builder
         */
        public Builder recovery(RecoveryPolicy policy) {
            this.recovery = Checks.nonNull("recovery policy", policy);
            return this;
        }

        /**
         * @param store the app's lock and release record; default {@link ReleaseStore#jvmWide()},
         *              which keeps releases apart only inside this JVM. Kubernetes adapters set one
         *              kept in the cluster.
         * @return this builder
         */
        public Builder store(ReleaseStore store) {
            this.store = Checks.nonNull("release store", store);
            return this;
        }

        /**
         * @return the plan
         * @throws ConfigurationException when a required setting is missing or settings contradict each other
         */
        public ReleasePlan build() {
            Checks.required("app", app);
            Checks.required("version", version);
            Checks.required("traffic switcher", switcher);
            Checks.required("color environments", environments);
            List<String> versionProblems = environments.checkVersion(version);
            if (!versionProblems.isEmpty()) {
                throw new ConfigurationException("release of " + app + ": version '" + version + "' cannot be released by "
                        + environments + ": " + String.join("; ", versionProblems));
            }
            checkStepNames();
            checkGateNames("pre-switch", preSwitchGates);
            checkGateNames("post-switch", postSwitchGates);
            checkWindowsFit();
            return new ReleasePlan(this);
        }

        private void checkStepNames() {
            Set<String> names = new HashSet<>();
            for (StandardStep step : StandardStep.values()) {
                names.add(step.stepName());
            }
            List<CustomStep> customs = new ArrayList<>();
            before.values().forEach(customs::addAll);
            after.values().forEach(customs::addAll);
            for (CustomStep step : customs) {
                if (!names.add(step.name())) {
                    throw new ConfigurationException("release of " + app + ": step name '" + step.name()
                            + "' is used twice or is a standard step's name; expected unique custom step names");
                }
            }
        }

        private void checkGateNames(String stage, List<HealthGate> gates) {
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (HealthGate gate : gates) {
                if (seen.merge(gate.name(), 1, Integer::sum) > 1) {
                    throw new ConfigurationException("release of " + app + ": two " + stage + " gates are named '"
                            + gate.name() + "'; name them apart with HealthGate.named(name, gate)");
                }
            }
        }

        private void checkWindowsFit() {
            Duration sequential = Duration.ZERO;
            for (HealthGate gate : preSwitchGates) {
                if (gate instanceof ObservationWindow) {
                    sequential = sequential.plus(((ObservationWindow) gate).duration());
                }
            }
            Duration preTimeout = timeouts.getOrDefault(StandardStep.PRE_SWITCH_GATES, StandardStep.PRE_SWITCH_GATES.defaultTimeout());
            if (sequential.compareTo(preTimeout) > 0) {
                throw new ConfigurationException("release of " + app + ": the pre-switch observation windows last "
                        + sequential + " in total but the pre-switch-gates timeout is " + preTimeout
                        + "; raise the timeout or shorten the windows");
            }
            Duration observeTimeout = timeouts.getOrDefault(StandardStep.OBSERVE, StandardStep.OBSERVE.defaultTimeout());
            for (HealthGate gate : postSwitchGates) {
                if (gate instanceof ObservationWindow && ((ObservationWindow) gate).duration().compareTo(observeTimeout) > 0) {
                    throw new ConfigurationException("release of " + app + ": post-switch window '" + gate.name()
                            + "' lasts " + ((ObservationWindow) gate).duration() + " but the observe timeout is "
                            + observeTimeout + "; raise the timeout or shorten the window");
                }
            }
        }
    }
}
