package dev.bluegreen;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An in-memory label-color platform for engine tests: a router and two color environments over
 * shared state, recording every write, with hooks to make each operation fail or block, and
 * foreign edits (a switch or a scale someone else makes) to attack the engine's invariants.
 */
final class FakePlatform {
    /** A hook run inside an operation, before it takes effect; may throw or block. */
    @FunctionalInterface
    interface Hook {
        void run(Color color) throws Exception;
    }

    /** A hook that also receives the deadline of the operation, e.g. to wait for the release's stop signal. */
    @FunctionalInterface
    interface DeadlineHook {
        void run(Color color, Deadline deadline) throws Exception;
    }

    enum Op { LIVE, CHECK_ROUTABLE, CHECK_DEPLOYABLE, READ, SWITCH, VERIFY, DEPLOY, AWAIT_READY, SCALE_DOWN, RESTORE }

    /** One color's environment. */
    private static final class Env {
        String version;
        int desired;
        int available;
        boolean rolledOut;
        long generation = 1;
        int revision = 1;

        Env(String version, int desired, boolean ready) {
            this.version = version;
            this.desired = desired;
            this.available = ready ? desired : 0;
            this.rolledOut = ready;
        }
    }

    private final Map<Color, Env> envs = new HashMap<>();
    private final Map<Op, Hook> hooks = Collections.synchronizedMap(new EnumMap<>(Op.class));
    private final Map<Op, DeadlineHook> deadlineHooks = Collections.synchronizedMap(new EnumMap<>(Op.class));
    private final List<String> writes = Collections.synchronizedList(new ArrayList<>());
    private final List<Consumer<RouteState>> watchers = new CopyOnWriteArrayList<>();
    private final AtomicInteger routeRevision = new AtomicInteger(1);
    private final AtomicInteger conflictsToThrow = new AtomicInteger();
    private final TimeSource time;
    private final ReleaseStore store;
    private volatile Color live = Color.BLUE;
    private volatile boolean verifiable = true;
    private volatile boolean deafWatch;
    private volatile boolean watchLags;

    FakePlatform() {
        this(TimeSource.system());
    }

    FakePlatform(TimeSource time) {
        this.time = time;
        this.store = ReleaseStore.inMemory(time, LockTiming.DEFAULT);
        envs.put(Color.BLUE, new Env("app:v1", 3, true));
        envs.put(Color.GREEN, new Env("app:v1", 0, true));
    }

    FakePlatform on(Op op, Hook hook) {
        hooks.put(op, hook);
        return this;
    }

    /** Runs {@code hook} with the operation's deadline, after the plain hook of the same operation. */
    FakePlatform on(Op op, DeadlineHook hook) {
        deadlineHooks.put(op, hook);
        return this;
    }

    /**
     * The next {@code op} on {@code color} pauses on its deadline until the release stops (cancel,
     * lost lock, route change), then takes effect anyway: a write in flight is never interrupted.
     * The returned latch counts down once the pause began; {@link #stopsSeen()} then lists the
     * stop the pause saw and whether the thread was interrupted.
     */
    CountDownLatch pauseUntilStopped(Op op, Color color) {
        CountDownLatch paused = new CountDownLatch(1);
        on(op, (DeadlineHook) (c, deadline) -> {
            if (!c.equals(color) || paused.getCount() == 0) {
                return;
            }
            paused.countDown();
            try {
                deadline.pause(Duration.ofMinutes(1));
                stopsSeen.add(op + " paused until its deadline");
            } catch (BlueGreenException stop) {
                stopsSeen.add(op + " saw " + stop.getClass().getSimpleName()
                        + (Thread.currentThread().isInterrupted() ? ", interrupted" : ", not interrupted"));
            }
        });
        return paused;
    }

    private final List<String> stopsSeen = new CopyOnWriteArrayList<>();

    /** @return what the pauses of {@link #pauseUntilStopped} saw */
    List<String> stopsSeen() {
        return List.copyOf(stopsSeen);
    }

    /** The router's watch never reports a change (a lagging watch); its latest() still reads the router. */
    FakePlatform withDeafWatch() {
        deafWatch = true;
        return this;
    }

    FakePlatform conflictOnNextSwitches(int count) {
        conflictsToThrow.set(count);
        return this;
    }

    FakePlatform withoutVerification() {
        verifiable = false;
        return this;
    }

    /** Route watches deliver no foreign switch: they lag behind the router, as a real watch may for a while. */
    FakePlatform laggingWatch() {
        watchLags = true;
        return this;
    }

    synchronized FakePlatform ready(Color color, boolean isReady) {
        Env env = envs.get(color);
        env.rolledOut = isReady;
        env.available = isReady ? env.desired : 0;
        env.revision++;
        return this;
    }

    synchronized FakePlatform replicas(Color color, int count) {
        Env env = envs.get(color);
        env.desired = count;
        env.available = env.rolledOut ? count : 0;
        env.generation++;
        env.revision++;
        return this;
    }

    /** Someone else switches the router, as an operator with kubectl would. */
    void foreignSwitch(Color color) {
        synchronized (this) {
            live = color;
            routeRevision.incrementAndGet();
        }
        writes.add("foreign switch ->" + color);
        if (!watchLags) {
            notifyWatchers();
        }
    }

    /** Someone else scales a color, as an operator with kubectl would. */
    void foreignScale(Color color, int count) {
        replicas(color, count);
        writes.add("foreign scale " + color + " x" + count);
    }

    /**
     * A scale of a color that was on the wire when its sender died, arriving now: applied only if
     * the color is still at the revision the write was conditioned on.
     *
     * @return whether it was applied
     */
    synchronized boolean lateScale(Color color, int count, String revision) {
        Env env = envs.get(color);
        if (!String.valueOf(env.revision).equals(revision)) {
            return false;
        }
        env.desired = count;
        env.available = env.rolledOut ? count : 0;
        env.generation++;
        env.revision++;
        writes.add("late scale " + color + " x" + count);
        return true;
    }

    /** Someone else deploys another version to a color. */
    synchronized void foreignDeploy(Color color, String version) {
        Env env = envs.get(color);
        env.version = version;
        env.generation++;
        env.revision++;
        writes.add("foreign deploy " + color + " " + version);
    }

    ReleaseStore store() {
        return store;
    }

    Color live() {
        return live;
    }

    List<String> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    synchronized int replicasOf(Color color) {
        return envs.get(color).desired;
    }

    synchronized String versionOf(Color color) {
        return envs.get(color).version;
    }

    synchronized boolean readyOf(Color color) {
        Env env = envs.get(color);
        return env.rolledOut && env.available > 0;
    }

    private void hook(Op op, Color color) {
        hook(op, color, null);
    }

    private void hook(Op op, Color color, Deadline deadline) {
        Hook hook = hooks.get(op);
        DeadlineHook deadlineHook = deadline == null ? null : deadlineHooks.get(op);
        if (hook == null && deadlineHook == null) {
            return;
        }
        try {
            if (hook != null) {
                hook.run(color);
            }
            if (deadlineHook != null) {
                deadlineHook.run(color, deadline);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlueGreenException("interrupted in " + op, e);
        } catch (Exception e) {
            throw new BlueGreenException("hook of " + op + " failed: " + e.getMessage(), e);
        }
    }

    /** A check: a hook that throws a PreflightException reports its problems. */
    private List<String> problems(Op op, Color color) {
        try {
            hook(op, color);
            return List.of();
        } catch (PreflightException e) {
            return e.problems();
        }
    }

    /**
     * Makes await-ready wait, through the release's deadline, until the returned latch's
     * counterpart is released; the latch counts down once the wait began.
     */
    CountDownLatch blockReadiness(CompletableFuture<Void> until) {
        CountDownLatch waiting = new CountDownLatch(1);
        readinessBlock = until;
        readinessWaiting = waiting;
        return waiting;
    }

    private volatile CompletableFuture<Void> readinessBlock;
    private volatile CountDownLatch readinessWaiting;

    private synchronized RouteState route() {
        return RouteState.routed("Service shop/app-service", live, String.valueOf(routeRevision.get()), time.now());
    }

    private void notifyWatchers() {
        RouteState now = route();
        watchers.forEach(w -> w.accept(now));
    }

    private synchronized EnvironmentState state(Color color) {
        Env env = envs.get(color);
        if (env == null) {
            return EnvironmentState.missing(color, "Deployment shop/app-" + color, time.now());
        }
        return new EnvironmentState(color, "Deployment shop/app-" + color, true, env.version, env.desired, env.available,
                env.rolledOut, String.valueOf(env.revision), env.generation,
                env.rolledOut ? "rolled out" : "rollout in progress", time.now());
    }

    private synchronized Env changeable(EnvironmentState decidedOn) {
        Env env = envs.get(decidedOn.color());
        if (env.generation != decidedOn.generation()) {
            throw new ConflictException(decidedOn.object(), decidedOn.revision(), decidedOn.object() + " changed since it "
                    + "was read (generation " + decidedOn.generation() + " -> " + env.generation + ")", null);
        }
        return env;
    }

    TrafficSwitcher switcher() {
        return new TrafficSwitcher() {
            @Override
            public String target() {
                return "Service shop/app-service";
            }

            @Override
            public RouteState read(Deadline deadline) {
                hook(Op.LIVE, live, deadline);
                return route();
            }

            @Override
            public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
                return problems(Op.CHECK_ROUTABLE, color);
            }

            @Override
            public SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
                hook(Op.SWITCH, color, deadline);
                if (conflictsToThrow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new SwitchConflictException(target(), decidedOn.revision(), "conflict on " + target(), null);
                }
                Color from;
                String before;
                synchronized (FakePlatform.this) {
                    before = String.valueOf(routeRevision.get());
                    if (!before.equals(decidedOn.revision())) {
                        throw new SwitchConflictException(target(), decidedOn.revision(), target() + " changed since "
                                + "revision " + decidedOn.revision() + " (now " + before + ")", null);
                    }
                    from = live;
                    if (from.equals(color)) {
                        return new SwitchResult(target(), from, color, false, before, before, Instant.EPOCH);
                    }
                    live = color;
                    routeRevision.incrementAndGet();
                }
                writes.add("switch " + from + "->" + color);
                notifyWatchers();
                return new SwitchResult(target(), from, color, true, before, String.valueOf(routeRevision.get()),
                        Instant.EPOCH);
            }

            @Override
            public RouteState fence(RouteState seen, Deadline deadline) {
                synchronized (FakePlatform.this) {
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
                Consumer<RouteState> watcher = state -> {
                    delivered.set(state);
                    onChange.accept(state);
                };
                if (!deafWatch) {
                    watchers.add(watcher);
                }
                return new RouteWatch() {
                    @Override
                    public RouteState latest() {
                        return watchLags ? delivered.get() : route();
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
                        hook(Op.VERIFY, color, deadline);
                        if (!live.equals(color)) {
                            throw new VerificationException(target() + " does not reach " + color + ": it selects " + live);
                        }
                        return new TrafficVerification(target(), color, List.of("app-" + color + "-1"), "fake",
                                Duration.ZERO);
                    }

                    @Override
                    public void close() {
                    }
                });
            }
        };
    }

    ColorEnvironments environments() {
        return new ColorEnvironments() {
            @Override
            public String describe(Color color) {
                return "Deployment shop/app-" + color;
            }

            @Override
            public Optional<Color> nextColor(Color current) {
                if (current.equals(Color.BLUE)) {
                    return Optional.of(Color.GREEN);
                }
                if (current.equals(Color.GREEN)) {
                    return Optional.of(Color.BLUE);
                }
                throw new PreflightException("choice of the idle color", List.of("Service shop/app-service selects color '"
                        + current + "', which is not one of [blue, green]"));
            }

            @Override
            public EnvironmentState read(Color color, Deadline deadline) {
                hook(Op.READ, color, deadline);
                return state(color);
            }

            @Override
            public List<String> checkDeployable(EnvironmentState state, EnvironmentState liveState) {
                return problems(Op.CHECK_DEPLOYABLE, state.color());
            }

            @Override
            public Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
                hook(Op.DEPLOY, decidedOn.color(), deadline);
                synchronized (FakePlatform.this) {
                    Env env = changeable(decidedOn);
                    env.version = version;
                    env.desired = replicas;
                    env.available = 0;
                    env.rolledOut = false;
                    env.generation++;
                    env.revision++;
                }
                writes.add("deploy " + decidedOn.color() + " " + version + " x" + replicas);
                return new Candidate(decidedOn.color(), version, "generation " + envs.get(decidedOn.color()).generation,
                        describe(decidedOn.color()), "http://app-" + decidedOn.color() + ".shop.test");
            }

            @Override
            public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
                hook(Op.AWAIT_READY, candidate.color(), deadline);
                CompletableFuture<Void> block = readinessBlock;
                if (block != null) {
                    readinessWaiting.countDown();
                    try {
                        deadline.await(block);
                    } catch (TimeoutException e) {
                        throw new NotReadyException(describe(candidate.color()) + " did not become ready in time", List.of());
                    }
                }
                ready(candidate.color(), true);
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
                hook(Op.SCALE_DOWN, decidedOn.color(), deadline);
                synchronized (FakePlatform.this) {
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
                synchronized (FakePlatform.this) {
                    Env env = changeable(seen);
                    env.revision++;
                }
                writes.add("fence " + seen.color());
                return state(seen.color());
            }

            @Override
            public EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline) {
                hook(Op.RESTORE, decidedOn.color(), deadline);
                synchronized (FakePlatform.this) {
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
        };
    }

    ReleasePlan.Builder plan() {
        return ReleasePlan.builder().app("app").namespace("shop").version("app:v2")
                .switcher(switcher()).environments(environments()).store(store)
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }
}
