package dev.bluegreen.memory;

import dev.bluegreen.AppId;
import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.VerificationException;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A complete blue-green platform in memory, for host applications that release something other than
 * Kubernetes workloads and for tests of release plans, listeners and gates: one router that sends all
 * traffic to one of two colors, and one environment per color that runs a version with a number of
 * replicas. It keeps the adapters' contract as the Kubernetes adapter does: every routing and every
 * environment write is a compare-and-swap on the revision it was decided on, watches report switches, and
 * the release lock and record live in an {@linkplain ReleaseStore#inMemory in-memory store}.
 *
 * <pre>{@code
 * InMemoryPlatform platform = InMemoryPlatform.builder()
 *         .app("shop", "checkout")
 *         .live(Color.BLUE, "checkout:1.4", 3)
 *         .build();
 * ReleaseResult result = ReleaseEngine.create().run(platform.plan().version("checkout:1.5").build());
 * platform.live();                  // GREEN
 * platform.version(Color.GREEN);    // "checkout:1.5"
 * }</pre>
 *
 * <p>Beyond the happy path it lets a test act as the world around a release does:
 * {@link #neverReady(String) versions that never become ready}, an operator's
 * {@linkplain #operatorSwitch switch}, {@linkplain #operatorScale scale} or
 * {@linkplain #operatorDeploy deploy} made behind the release's back, conflicting switches, lagging or
 * deaf route watches, and an {@link Interceptor} run at the start of any {@link Operation}, which may
 * fail it, block it on the release's deadline or record it. Every write is logged in {@link #writes()}.
 *
 * <p>Names: the router is {@code Service <namespace>/<app>-service}, the environments are
 * {@code Deployment <namespace>/<app>-<color>}, a candidate is reached at
 * {@code http://<app>-<color>.<namespace>.test}; they only label messages. Thread-safe.
 */
public final class InMemoryPlatform {

    /** The operations an {@link Interceptor} can be attached to. */
    public enum Operation {
        /** The router is read ({@link TrafficSwitcher#read}). */
        READ_ROUTE,
        /** The router checks a color can take traffic; an interceptor's {@link PreflightException} reports problems. */
        CHECK_ROUTABLE,
        /** An environment checks it can be deployed to; an interceptor's {@link PreflightException} reports problems. */
        CHECK_DEPLOYABLE,
        /** An environment is read. */
        READ_ENVIRONMENT,
        /** The router is switched. */
        SWITCH,
        /** Traffic on a color is verified after a switch. */
        VERIFY,
        /** A version is deployed to an environment. */
        DEPLOY,
        /** The release waits for a deployed environment to become ready. */
        AWAIT_READY,
        /** An environment is scaled to zero (retired or discarded). */
        SCALE_DOWN,
        /** An environment's replicas are given back. */
        RESTORE
    }

    /** How route watches report switches. */
    public enum WatchMode {
        /** Every switch is reported at once (the default). */
        PROMPT,
        /** Switches are not delivered to watches, but {@link RouteWatch#latest()} still reads the router. */
        DEAF,
        /** Operator switches are not delivered and {@link RouteWatch#latest()} answers the last delivered state. */
        LAGGING
    }

    /**
     * Code run at the start of an operation, before it takes effect. It may throw to make the operation
     * fail (a {@link BlueGreenException} is passed on as is, any other exception is wrapped in one), block,
     * for example on {@link Deadline#await} to wait for the release's stop, or record what it saw.
     */
    @FunctionalInterface
    public interface Interceptor {
        /**
         * Runs at the start of {@code operation}.
         *
         * @param operation the operation
         * @param color     the color it concerns (for router reads: the live color)
         * @param deadline  the operation's deadline; {@code null} for checks, which have none
         * @throws Exception to make the operation fail
         */
        void before(Operation operation, Color color, Deadline deadline) throws Exception;
    }

    /** One color's environment. */
    private static final class Env {
        String version;
        int desired;
        int available;
        boolean rolledOut;
        long generation = 1;
        int revision = 1;

        Env(String version, int desired) {
            this.version = version;
            this.desired = desired;
            this.available = desired;
            this.rolledOut = true;
        }
    }

    private final AppId app;
    private final Color first;
    private final Color second;
    private final TimeSource time;
    private final ReleaseStore store;
    private final Map<Color, Env> envs = new LinkedHashMap<>();
    private final Map<Operation, List<Interceptor>> interceptors =
            Collections.synchronizedMap(new EnumMap<>(Operation.class));
    private final Set<String> neverReady = ConcurrentHashMap.newKeySet();
    private final List<String> writes = Collections.synchronizedList(new ArrayList<>());
    private final List<Consumer<RouteState>> watchers = new CopyOnWriteArrayList<>();
    private final AtomicInteger routeRevision = new AtomicInteger(1);
    private final AtomicInteger conflictsToThrow = new AtomicInteger();
    private final TrafficSwitcher switcher = new Switcher();
    private final ColorEnvironments environments = new Environments();
    private volatile Color live;
    private volatile boolean verifiable = true;
    private volatile WatchMode watchMode = WatchMode.PROMPT;

    private InMemoryPlatform(Builder builder) {
        this.app = new AppId(builder.namespace, builder.app);
        this.first = builder.first;
        this.second = builder.second;
        this.time = builder.time;
        this.store = ReleaseStore.inMemory(builder.time, builder.lockTiming);
        this.live = builder.live;
        builder.environments.forEach((color, env) -> envs.put(color, new Env(env.version, env.replicas)));
    }

    /**
     * Starts a platform description. Without further calls: app {@code app} in namespace
     * {@code default}, blue live running {@code app:v1} with 3 replicas, green running {@code app:v1}
     * with none, the system clock and the default lock timing.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A plan builder for this platform's app, router, environments and store; the caller adds at least
     * the version.
     *
     * @return a plan builder
     */
    public ReleasePlan.Builder plan() {
        return ReleasePlan.builder().app(app.app()).namespace(app.namespace())
                .switcher(switcher).environments(environments).store(store);
    }

    /** @return the router, for plans built by hand */
    public TrafficSwitcher switcher() {
        return switcher;
    }

    /** @return the two color environments, for plans built by hand */
    public ColorEnvironments environments() {
        return environments;
    }

    /** @return the store that keeps the app's release lock and record */
    public ReleaseStore store() {
        return store;
    }

    /** @return the color the router sends all traffic to now */
    public Color live() {
        return live;
    }

    /**
     * @param color one of the platform's two colors
     * @return the version the color's environment runs
     */
    public synchronized String version(Color color) {
        return env(color).version;
    }

    /**
     * @param color one of the platform's two colors
     * @return the replicas the color's environment is asked to run
     */
    public synchronized int replicas(Color color) {
        return env(color).desired;
    }

    /**
     * @param color one of the platform's two colors
     * @return whether the color's environment is rolled out with at least one available replica
     */
    public synchronized boolean ready(Color color) {
        Env env = env(color);
        return env.rolledOut && env.available > 0;
    }

    /**
     * The writes made so far, in order, each as one line: {@code deploy green app:v2 x3},
     * {@code switch blue->green}, {@code scale-down blue}, {@code restore blue x3}, {@code fence},
     * {@code fence blue}, and the operator's {@code foreign switch ->blue}, {@code foreign scale blue x2},
     * {@code foreign deploy green app:v9}, {@code late scale green x0}.
     *
     * @return a copy of the write log
     */
    public List<String> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    /**
     * Attaches an interceptor to an operation; several run in the order they were attached.
     *
     * @param operation   the operation
     * @param interceptor what runs at its start
     * @return this platform
     */
    public InMemoryPlatform intercept(Operation operation, Interceptor interceptor) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(interceptor, "interceptor");
        interceptors.computeIfAbsent(operation, op -> new CopyOnWriteArrayList<>()).add(interceptor);
        return this;
    }

    /**
     * Deploys of {@code version} never become ready: waiting for them fails with a
     * {@link NotReadyException}, as a crash-looping version's rollout would.
     *
     * @param version the version
     * @return this platform
     */
    public InMemoryPlatform neverReady(String version) {
        neverReady.add(requireNonBlank("version", version));
        return this;
    }

    /**
     * The next {@code count} switches fail with a {@link SwitchConflictException} without changing the
     * router, as if someone else wrote it in between each time.
     *
     * @param count how many switches conflict
     * @return this platform
     */
    public InMemoryPlatform conflictOnNextSwitches(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be 0 or more, was " + count);
        }
        conflictsToThrow.set(count);
        return this;
    }

    /**
     * Whether the router can verify that traffic reaches a color after a switch (it can by default).
     *
     * @param enabled false to offer no verifier, as a router that cannot observe its traffic
     * @return this platform
     */
    public InMemoryPlatform verification(boolean enabled) {
        verifiable = enabled;
        return this;
    }

    /**
     * How route watches report switches from now on.
     *
     * @param mode the mode
     * @return this platform
     */
    public InMemoryPlatform watchMode(WatchMode mode) {
        watchMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * Marks a color's environment rolled out with all its replicas available, or not rolled out with none.
     *
     * @param color   one of the platform's two colors
     * @param isReady whether it is ready
     * @return this platform
     */
    public synchronized InMemoryPlatform setReady(Color color, boolean isReady) {
        Env env = env(color);
        env.rolledOut = isReady;
        env.available = isReady ? env.desired : 0;
        env.revision++;
        return this;
    }

    /**
     * Sets a color's replica count directly, as a test's setup does; unlike {@link #operatorScale(Color, int)}
     * it is not logged as a write. Available replicas follow when the color is rolled out.
     *
     * @param color    one of the platform's two colors
     * @param replicas the new replica count
     * @return this platform
     */
    public synchronized InMemoryPlatform setReplicas(Color color, int replicas) {
        resize(env(color), requireReplicas(replicas));
        return this;
    }

    /**
     * Someone else switches the router, as an operator with kubectl would; like a label selector, the
     * router accepts any color, also one that is not one of the platform's two (then no environment serves it).
     *
     * @param color the color that becomes live
     */
    public void operatorSwitch(Color color) {
        Objects.requireNonNull(color, "color");
        synchronized (this) {
            live = color;
            routeRevision.incrementAndGet();
        }
        writes.add("foreign switch ->" + color);
        if (watchMode == WatchMode.PROMPT) {
            notifyWatchers();
        }
    }

    /**
     * Someone else scales a color, as an operator with kubectl would.
     *
     * @param color    one of the platform's two colors
     * @param replicas the new replica count
     */
    public void operatorScale(Color color, int replicas) {
        synchronized (this) {
            resize(env(color), requireReplicas(replicas));
        }
        writes.add("foreign scale " + color + " x" + replicas);
    }

    /**
     * A scale that someone sent conditioned on a revision of the color's environment, arriving now (for
     * example from a process that died with the write on the wire): applied only if the environment is
     * still at that revision.
     *
     * @param color            one of the platform's two colors
     * @param replicas         the new replica count
     * @param expectedRevision the revision the write was conditioned on ({@link EnvironmentState#revision()})
     * @return whether it was applied
     */
    public synchronized boolean operatorScale(Color color, int replicas, String expectedRevision) {
        Env env = env(color);
        requireReplicas(replicas);
        if (!String.valueOf(env.revision).equals(expectedRevision)) {
            return false;
        }
        resize(env, replicas);
        writes.add("late scale " + color + " x" + replicas);
        return true;
    }

    /**
     * Someone else deploys another version to a color.
     *
     * @param color   one of the platform's two colors
     * @param version the version it runs from now on
     */
    public synchronized void operatorDeploy(Color color, String version) {
        Env env = env(color);
        env.version = requireNonBlank("version", version);
        env.generation++;
        env.revision++;
        writes.add("foreign deploy " + color + " " + version);
    }

    @Override
    public String toString() {
        return "InMemoryPlatform[" + app + ", live " + live + "]";
    }

    private static void resize(Env env, int replicas) {
        env.desired = replicas;
        env.available = env.rolledOut ? replicas : 0;
        env.generation++;
        env.revision++;
    }

    private static int requireReplicas(int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be 0 or more, was " + replicas);
        }
        return replicas;
    }

    private static String requireNonBlank(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    private Color requireColor(Color color) {
        if (!first.equals(color) && !second.equals(color)) {
            throw new IllegalArgumentException("color '" + color + "' is not one of this platform's colors ["
                    + first + ", " + second + "]");
        }
        return color;
    }

    private Env env(Color color) {
        return envs.get(requireColor(color));
    }

    private String routerName() {
        return "Service " + app.namespace() + "/" + app.app() + "-service";
    }

    private String environmentName(Color color) {
        return "Deployment " + app.namespace() + "/" + app.app() + "-" + color;
    }

    private void intercepted(Operation operation, Color color, Deadline deadline) {
        List<Interceptor> attached = interceptors.get(operation);
        if (attached == null) {
            return;
        }
        for (Interceptor interceptor : attached) {
            try {
                interceptor.before(operation, color, deadline);
            } catch (RuntimeException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlueGreenException("interrupted in " + operation, e);
            } catch (Exception e) {
                throw new BlueGreenException("interceptor of " + operation + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** A check: an interceptor that throws a PreflightException reports its problems. */
    private List<String> problems(Operation operation, Color color) {
        try {
            intercepted(operation, color, null);
            return List.of();
        } catch (PreflightException e) {
            return e.problems();
        }
    }

    private synchronized RouteState route() {
        return RouteState.routed(routerName(), live, String.valueOf(routeRevision.get()), time.now());
    }

    private void notifyWatchers() {
        RouteState now = route();
        watchers.forEach(w -> w.accept(now));
    }

    private synchronized EnvironmentState state(Color color) {
        Env env = env(color);
        return new EnvironmentState(color, environmentName(color), true, env.version, env.desired, env.available,
                env.rolledOut, String.valueOf(env.revision), env.generation,
                env.rolledOut ? "rolled out" : "rollout in progress", time.now());
    }

    private synchronized Env changeable(EnvironmentState decidedOn) {
        Env env = env(decidedOn.color());
        if (env.generation != decidedOn.generation()) {
            throw new ConflictException(decidedOn.object(), decidedOn.revision(), decidedOn.object() + " changed since it "
                    + "was read (generation " + decidedOn.generation() + " -> " + env.generation + ")", null);
        }
        return env;
    }

    /** The router. */
    private final class Switcher implements TrafficSwitcher {
        @Override
        public String target() {
            return routerName();
        }

        @Override
        public RouteState read(Deadline deadline) {
            intercepted(Operation.READ_ROUTE, live, deadline);
            return route();
        }

        @Override
        public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
            return problems(Operation.CHECK_ROUTABLE, color);
        }

        @Override
        public SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
            Objects.requireNonNull(color, "color");
            intercepted(Operation.SWITCH, color, deadline);
            if (conflictsToThrow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SwitchConflictException(target(), decidedOn.revision(), "conflict on " + target(), null);
            }
            Color from;
            String before;
            synchronized (InMemoryPlatform.this) {
                before = String.valueOf(routeRevision.get());
                if (!before.equals(decidedOn.revision())) {
                    throw new SwitchConflictException(target(), decidedOn.revision(), target() + " changed since "
                            + "revision " + decidedOn.revision() + " (now " + before + ")", null);
                }
                from = live;
                if (from.equals(color)) {
                    return new SwitchResult(target(), from, color, false, before, before, time.now());
                }
                live = color;
                routeRevision.incrementAndGet();
            }
            writes.add("switch " + from + "->" + color);
            notifyWatchers();
            return new SwitchResult(target(), from, color, true, before, String.valueOf(routeRevision.get()), time.now());
        }

        @Override
        public RouteState fence(RouteState seen, Deadline deadline) {
            synchronized (InMemoryPlatform.this) {
                if (!String.valueOf(routeRevision.get()).equals(seen.revision())) {
                    throw new SwitchConflictException(target(), seen.revision(), target() + " changed", null);
                }
                routeRevision.incrementAndGet();
            }
            writes.add("fence");
            return route();
        }

        @Override
        public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
            AtomicReference<RouteState> delivered = new AtomicReference<>(from);
            WatchMode mode = watchMode;
            Consumer<RouteState> watcher = state -> {
                delivered.set(state);
                onChange.accept(state);
            };
            if (mode != WatchMode.DEAF) {
                watchers.add(watcher);
            }
            return new RouteWatch() {
                @Override
                public RouteState latest() {
                    return mode == WatchMode.LAGGING ? delivered.get() : route();
                }

                @Override
                public void close() {
                    watchers.remove(watcher);
                }
            };
        }

        @Override
        public Optional<TrafficVerifier> verifier() {
            if (!verifiable) {
                return Optional.empty();
            }
            return Optional.of(color -> new VerificationWatch() {
                @Override
                public TrafficVerification await(Deadline deadline) {
                    intercepted(Operation.VERIFY, color, deadline);
                    if (!live.equals(color)) {
                        throw new VerificationException(target() + " does not reach " + color + ": it selects " + live);
                    }
                    return new TrafficVerification(target(), color,
                            List.of(app.app() + "-" + color + "-1"), "in memory", Duration.ZERO);
                }

                @Override
                public void close() {
                }
            });
        }
    }

    /** The two color environments. */
    private final class Environments implements ColorEnvironments {
        @Override
        public String describe(Color color) {
            return environmentName(color);
        }

        @Override
        public Optional<Color> nextColor(Color current) {
            if (current.equals(first)) {
                return Optional.of(second);
            }
            if (current.equals(second)) {
                return Optional.of(first);
            }
            throw new PreflightException("choice of the idle color", List.of(routerName() + " selects color '"
                    + current + "', which is not one of [" + first + ", " + second + "]"));
        }

        @Override
        public EnvironmentState read(Color color, Deadline deadline) {
            intercepted(Operation.READ_ENVIRONMENT, color, deadline);
            return state(color);
        }

        @Override
        public List<String> checkDeployable(EnvironmentState state, EnvironmentState liveState) {
            return problems(Operation.CHECK_DEPLOYABLE, state.color());
        }

        @Override
        public Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
            intercepted(Operation.DEPLOY, decidedOn.color(), deadline);
            long generation;
            synchronized (InMemoryPlatform.this) {
                Env env = changeable(decidedOn);
                env.version = version;
                env.desired = replicas;
                env.available = 0;
                env.rolledOut = false;
                env.generation++;
                env.revision++;
                generation = env.generation;
            }
            writes.add("deploy " + decidedOn.color() + " " + version + " x" + replicas);
            return new Candidate(decidedOn.color(), version, "generation " + generation, describe(decidedOn.color()),
                    "http://" + app.app() + "-" + decidedOn.color() + "." + app.namespace() + ".test");
        }

        @Override
        public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
            intercepted(Operation.AWAIT_READY, candidate.color(), deadline);
            if (neverReady.contains(candidate.version())) {
                throw new NotReadyException(describe(candidate.color()) + " running " + candidate.version()
                        + " never became ready", List.of(describe(candidate.color()) + ": 0 of "
                        + replicas(candidate.color()) + " replicas available"));
            }
            setReady(candidate.color(), true);
            return state(candidate.color());
        }

        @Override
        public EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline) {
            return scaleDown(decidedOn, deadline);
        }

        @Override
        public EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline) {
            return scaleDown(decidedOn, deadline);
        }

        private EnvironmentState scaleDown(EnvironmentState decidedOn, Deadline deadline) {
            intercepted(Operation.SCALE_DOWN, decidedOn.color(), deadline);
            synchronized (InMemoryPlatform.this) {
                Env env = changeable(decidedOn);
                env.desired = 0;
                env.available = 0;
                env.generation++;
                env.revision++;
            }
            writes.add("scale-down " + decidedOn.color());
            return state(decidedOn.color());
        }

        @Override
        public EnvironmentState fence(EnvironmentState seen, Deadline deadline) {
            synchronized (InMemoryPlatform.this) {
                changeable(seen).revision++;
            }
            writes.add("fence " + seen.color());
            return state(seen.color());
        }

        @Override
        public EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline) {
            intercepted(Operation.RESTORE, decidedOn.color(), deadline);
            synchronized (InMemoryPlatform.this) {
                Env env = changeable(decidedOn);
                env.desired = replicas;
                env.available = replicas;
                env.rolledOut = true;
                env.generation++;
                env.revision++;
            }
            writes.add("restore " + decidedOn.color() + " x" + replicas);
            return state(decidedOn.color());
        }
    }

    /** Describes a platform: the app, its two colors, what each runs, and the time source. */
    public static final class Builder {
        /** What one color runs at the start. */
        private record Initial(String version, int replicas) {
        }

        private String app = "app";
        private String namespace = "default";
        private Color first = Color.BLUE;
        private Color second = Color.GREEN;
        private Color live = Color.BLUE;
        private final Map<Color, Initial> environments = new LinkedHashMap<>();
        private TimeSource time = TimeSource.system();
        private LockTiming lockTiming = LockTiming.DEFAULT;

        private Builder() {
            environments.put(Color.BLUE, new Initial("app:v1", 3));
            environments.put(Color.GREEN, new Initial("app:v1", 0));
        }

        /**
         * @param namespace the namespace (only names things in messages and the release record)
         * @param app       the app's name
         * @return this builder
         */
        public Builder app(String namespace, String app) {
            this.namespace = requireNonBlank("namespace", namespace);
            this.app = requireNonBlank("app", app);
            return this;
        }

        /**
         * The two colors, when they are not blue and green. Both start running the version of the
         * previous pair's colors in the same position.
         *
         * @param first  the first color, live unless {@link #live} says otherwise
         * @param second the other color
         * @return this builder
         */
        public Builder colors(Color first, Color second) {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
            if (first.equals(second)) {
                throw new IllegalArgumentException("the two colors must differ, both were '" + first + "'");
            }
            List<Initial> before = new ArrayList<>(environments.values());
            environments.clear();
            environments.put(first, before.get(0));
            environments.put(second, before.get(1));
            this.live = live.equals(this.first) ? first : second;
            this.first = first;
            this.second = second;
            return this;
        }

        /**
         * The live color at the start and what it runs; the other color keeps its own setting.
         *
         * @param color    the live color, one of the two colors
         * @param version  the version it runs
         * @param replicas its replicas (at least 1: a live color without replicas serves nothing)
         * @return this builder
         */
        public Builder live(Color color, String version, int replicas) {
            if (replicas < 1) {
                throw new IllegalArgumentException("the live color needs at least 1 replica, was " + replicas);
            }
            idle(color, version, replicas);
            this.live = color;
            return this;
        }

        /**
         * What a color runs at the start; it is rolled out with all replicas available.
         *
         * @param color    one of the two colors
         * @param version  the version it runs
         * @param replicas its replicas (0 or more)
         * @return this builder
         */
        public Builder idle(Color color, String version, int replicas) {
            if (!environments.containsKey(color)) {
                throw new IllegalArgumentException("color '" + color + "' is not one of " + environments.keySet());
            }
            environments.put(color, new Initial(requireNonBlank("version", version), requireReplicas(replicas)));
            return this;
        }

        /**
         * @param time the time source for reads, the release lock and the record (the system clock by default)
         * @return this builder
         */
        public Builder time(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /**
         * @param timing the lock's durations ({@link LockTiming#DEFAULT} by default)
         * @return this builder
         */
        public Builder lockTiming(LockTiming timing) {
            this.lockTiming = Objects.requireNonNull(timing, "timing");
            return this;
        }

        /**
         * @return the platform
         * @throws IllegalArgumentException when the live color has no replicas
         */
        public InMemoryPlatform build() {
            if (environments.get(live).replicas() < 1) {
                throw new IllegalArgumentException("the live color '" + live + "' needs at least 1 replica, was 0");
            }
            return new InMemoryPlatform(this);
        }
    }
}
