package dev.bluegreen;

import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.Candidate;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * What a gate evaluates: which release, app and version, the candidate (its color, what it runs,
 * and where the adapter says it can be reached), and at which stage. The engine builds one per
 * stage; tests of custom gates build their own with {@link #builder()}.
 */
public final class GateContext {
    private final String releaseId;
    private final AppId app;
    private final Candidate candidate;
    private final Color previous;
    private final GateStage stage;
    private final TimeSource time;
    private final BiConsumer<String, GateResult> interimListener;
    private final Signals signals;

    private GateContext(Builder builder) {
        this.releaseId = builder.releaseId;
        this.app = new AppId(builder.namespace, builder.app);
        this.candidate = builder.candidate;
        this.previous = builder.previous;
        this.stage = builder.stage;
        this.time = builder.time;
        this.interimListener = builder.interimListener;
        this.signals = builder.signals != null ? builder.signals : Signals.create(builder.time);
    }

    /**
     * @return a builder; app and candidate are required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the id of the release the gate runs in ("test" for contexts built in tests)
     */
    public String releaseId() {
        return releaseId;
    }

    /**
     * @return the app being released
     */
    public String app() {
        return app.app();
    }

    /**
     * @return the namespace the app lives in
     */
    public String namespace() {
        return app.namespace();
    }

    /**
     * @return the app and namespace
     */
    public AppId appId() {
        return app;
    }

    /**
     * @return the version being released (for Kubernetes adapters, the container image)
     */
    public String version() {
        return candidate.version();
    }

    /**
     * @return the candidate under evaluation: the idle color before the switch, the new live color after it
     */
    public Candidate candidate() {
        return candidate;
    }

    /**
     * @return the color that was live when the release began, when known
     */
    public Optional<Color> previous() {
        return Optional.ofNullable(previous);
    }

    /**
     * @return the stage the gate runs at
     */
    public GateStage stage() {
        return stage;
    }

    /**
     * @return the time source to read and wait with; gates must not call {@code Thread.sleep}
     */
    public TimeSource time() {
        return time;
    }

    /**
     * Publishes an intermediate result, e.g. one evaluation of an observation window. The engine
     * forwards it to release listeners; it does not decide anything.
     *
     * @param gate   the name of the gate that produced it; never null
     * @param result the intermediate result; never null
     */
    public void reportInterim(String gate, GateResult result) {
        interimListener.accept(gate, result);
    }

    /**
     * The first signal of a name the release receives (see
     * {@link ReleaseExecution#signal(String, String, String)}), e.g. a person's approval. Wait for
     * it with a limit through {@link #time()}:
     * {@code context.time().awaitUntil(context.signal("approve"), context.time().now().plus(limit))}.
     *
     * @param name the signal's name; never blank
     * @return completes with the signal, at once when the release already received it; never
     *         completes when it never arrives; completing it yourself affects nobody else
     */
    public CompletableFuture<Signal> signal(String name) {
        return signals.received(name);
    }

    @Override
    public String toString() {
        return "GateContext[" + app + " " + releaseId + " candidate=" + candidate + " previous=" + previous
                + " stage=" + stage + "]";
    }

    /** Builds a {@link GateContext}. Not thread-safe. */
    public static final class Builder {
        private String releaseId = "test";
        private String app;
        private String namespace = "default";
        private Candidate candidate;
        private Color previous;
        private GateStage stage = GateStage.PRE_SWITCH;
        private TimeSource time = TimeSource.system();
        private BiConsumer<String, GateResult> interimListener = (gate, result) -> { };
        private Signals signals;

        private Builder() {
        }

        /**
         * @param releaseId the release's id; never blank; default "test"
         * @return this builder
         */
        public Builder releaseId(String releaseId) {
            this.releaseId = Checks.nonBlank("release id", releaseId);
            return this;
        }

        /**
         * @param app the app's name, a lowercase DNS label
         * @return this builder
         */
        public Builder app(String app) {
            this.app = Checks.dnsLabel("app", app);
            return this;
        }

        /**
         * @param namespace the namespace, a lowercase DNS label; default "default"
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = Checks.dnsLabel("namespace", namespace);
            return this;
        }

        /**
         * @param candidate the candidate under evaluation; never null
         * @return this builder
         */
        public Builder candidate(Candidate candidate) {
            this.candidate = Checks.nonNull("candidate", candidate);
            return this;
        }

        /**
         * A candidate described only by its color and version, for tests of gates that need no more.
         *
         * @param color   the candidate's color; never null
         * @param version what it runs; never blank
         * @return this builder
         */
        public Builder candidate(Color color, String version) {
            Checks.nonNull("candidate color", color);
            Checks.nonBlank("version", version);
            return candidate(new Candidate(color, version, "test", "color " + color, ""));
        }

        /**
         * @param previous the color live before the release; may be null when unknown
         * @return this builder
         */
        public Builder previous(Color previous) {
            this.previous = previous;
            return this;
        }

        /**
         * @param stage the stage; never null; default {@link GateStage#PRE_SWITCH}
         * @return this builder
         */
        public Builder stage(GateStage stage) {
            this.stage = Checks.nonNull("stage", stage);
            return this;
        }

        /**
         * @param time the time source; never null; default {@link TimeSource#system()}
         * @return this builder
         */
        public Builder time(TimeSource time) {
            this.time = Checks.nonNull("time source", time);
            return this;
        }

        /**
         * @param listener receives intermediate results reported by windows and composites; never null
         * @return this builder
         */
        public Builder onInterim(BiConsumer<String, GateResult> listener) {
            this.interimListener = Checks.nonNull("interim listener", listener);
            return this;
        }

        /**
         * @param signals where {@link GateContext#signal(String)} looks for signals; never null;
         *                default an empty set of its own, which tests cannot reach
         * @return this builder
         */
        public Builder signals(Signals signals) {
            this.signals = Checks.nonNull("signals", signals);
            return this;
        }

        /**
         * @return the context
         * @throws ConfigurationException when the app or the candidate is missing
         */
        public GateContext build() {
            Checks.required("app", app);
            Checks.required("candidate", candidate);
            return new GateContext(this);
        }
    }
}
