package dev.bluegreen;

import dev.bluegreen.internal.Checks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What a gate evaluates: which app and version, which color is the candidate, and at which stage.
 * The engine builds one per stage; tests of custom gates build their own with {@link #builder()}.
 */
public final class GateContext {
    private final String app;
    private final String namespace;
    private final String version;
    private final Color candidate;
    private final Color previous;
    private final GateStage stage;
    private final TimeSource time;
    private final Map<String, String> attributes;
    private final BiConsumer<String, GateResult> interimListener;

    private GateContext(Builder builder) {
        this.app = builder.app;
        this.namespace = builder.namespace;
        this.version = builder.version;
        this.candidate = builder.candidate;
        this.previous = builder.previous;
        this.stage = builder.stage;
        this.time = builder.time;
        this.attributes = Map.copyOf(builder.attributes);
        this.interimListener = builder.interimListener;
    }

    /**
     * @return a builder; app, namespace, version, candidate and stage are required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the app being released
     */
    public String app() {
        return app;
    }

    /**
     * @return the namespace the app lives in
     */
    public String namespace() {
        return namespace;
    }

    /**
     * @return the version being released (for Kubernetes adapters, the container image)
     */
    public String version() {
        return version;
    }

    /**
     * @return the color under evaluation: the idle color before the switch, the new live color after it
     */
    public Color candidate() {
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
     * @return extra facts adapters supply to gates (e.g. the address of a test Service); unmodifiable
     */
    public Map<String, String> attributes() {
        return attributes;
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

    @Override
    public String toString() {
        return "GateContext[" + namespace + "/" + app + " " + version + " candidate=" + candidate
                + " previous=" + previous + " stage=" + stage + "]";
    }

    /** Builds a {@link GateContext}. Not thread-safe. */
    public static final class Builder {
        private String app;
        private String namespace = "default";
        private String version;
        private Color candidate;
        private Color previous;
        private GateStage stage;
        private TimeSource time = TimeSource.system();
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private BiConsumer<String, GateResult> interimListener = (gate, result) -> { };

        private Builder() {
        }

        /**
         * @param app the app's name; never blank
         * @return this builder
         */
        public Builder app(String app) {
            this.app = Checks.nonBlank("app", app);
            return this;
        }

        /**
         * @param namespace the namespace; never blank; default "default"
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = Checks.nonBlank("namespace", namespace);
            return this;
        }

        /**
         * @param version the version being released; never blank
         * @return this builder
         */
        public Builder version(String version) {
            this.version = Checks.nonBlank("version", version);
            return this;
        }

        /**
         * @param candidate the color under evaluation; never null
         * @return this builder
         */
        public Builder candidate(Color candidate) {
            this.candidate = Checks.nonNull("candidate color", candidate);
            return this;
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
         * @param stage the stage; never null
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
         * @param name  attribute name; never blank
         * @param value attribute value; never null
         * @return this builder
         */
        public Builder attribute(String name, String value) {
            attributes.put(Checks.nonBlank("attribute name", name), Checks.nonNull("attribute '" + name + "'", value));
            return this;
        }

        /**
         * @param values attributes to add; never null
         * @return this builder
         */
        public Builder attributes(Map<String, String> values) {
            values.forEach(this::attribute);
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
         * @return the context
         * @throws ConfigurationException when app, version, candidate or stage is missing
         */
        public GateContext build() {
            Checks.required("app", app);
            Checks.required("version", version);
            Checks.required("candidate color", candidate);
            Checks.required("stage", stage);
            return new GateContext(this);
        }
    }
}
