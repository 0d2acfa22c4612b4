package dev.bluegreen;

import dev.bluegreen.memory.InMemoryPlatform;
import dev.bluegreen.memory.InMemoryPlatform.Operation;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.TrafficSwitcher;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * The engine tests' platform: the public {@link InMemoryPlatform} (app {@code shop/app}, blue live
 * running app:v1 x3, green idle) with the tests' shorthands on top: one replaceable hook per
 * operation, pauses until the release stops, and a readiness wait held until the test releases it.
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

    enum Op {
        LIVE(Operation.READ_ROUTE), CHECK_ROUTABLE(Operation.CHECK_ROUTABLE), CHECK_DEPLOYABLE(Operation.CHECK_DEPLOYABLE),
        READ(Operation.READ_ENVIRONMENT), SWITCH(Operation.SWITCH), VERIFY(Operation.VERIFY), DEPLOY(Operation.DEPLOY),
        AWAIT_READY(Operation.AWAIT_READY), SCALE_DOWN(Operation.SCALE_DOWN), RESTORE(Operation.RESTORE);

        final Operation operation;

        Op(Operation operation) {
            this.operation = operation;
        }
    }

    private final InMemoryPlatform platform;
    private final Map<Op, Hook> hooks = Collections.synchronizedMap(new EnumMap<>(Op.class));
    private final Map<Op, DeadlineHook> deadlineHooks = Collections.synchronizedMap(new EnumMap<>(Op.class));
    private final List<String> stopsSeen = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> readinessBlock;
    private volatile CountDownLatch readinessWaiting;

    FakePlatform() {
        this(TimeSource.system());
    }

    FakePlatform(TimeSource time) {
        platform = InMemoryPlatform.builder().app("shop", "app").live(Color.BLUE, "app:v1", 3)
                .idle(Color.GREEN, "app:v1", 0).time(time).build();
        for (Op op : Op.values()) {
            platform.intercept(op.operation, (operation, color, deadline) -> runHooks(op, color, deadline));
        }
    }

    private void runHooks(Op op, Color color, Deadline deadline) throws Exception {
        Hook hook = hooks.get(op);
        if (hook != null) {
            hook.run(color);
        }
        DeadlineHook deadlineHook = deadline == null ? null : deadlineHooks.get(op);
        if (deadlineHook != null) {
            deadlineHook.run(color, deadline);
        }
        CompletableFuture<Void> block = readinessBlock;
        if (op == Op.AWAIT_READY && block != null) {
            readinessWaiting.countDown();
            try {
                deadline.await(block);
            } catch (TimeoutException e) {
                throw new NotReadyException("Deployment shop/app-" + color + " did not become ready in time", List.of());
            }
        }
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

    /** @return what the pauses of {@link #pauseUntilStopped} saw */
    List<String> stopsSeen() {
        return List.copyOf(stopsSeen);
    }

    /**
     * Makes await-ready wait, through the release's deadline, until {@code until} completes; the
     * returned latch counts down once the wait began.
     */
    CountDownLatch blockReadiness(CompletableFuture<Void> until) {
        CountDownLatch waiting = new CountDownLatch(1);
        readinessWaiting = waiting;
        readinessBlock = until;
        return waiting;
    }

    /** The router's watch never reports a change (a lagging watch); its latest() still reads the router. */
    FakePlatform withDeafWatch() {
        platform.watchMode(InMemoryPlatform.WatchMode.DEAF);
        return this;
    }

    /** Route watches deliver no foreign switch: they lag behind the router, as a real watch may for a while. */
    FakePlatform laggingWatch() {
        platform.watchMode(InMemoryPlatform.WatchMode.LAGGING);
        return this;
    }

    FakePlatform conflictOnNextSwitches(int count) {
        platform.conflictOnNextSwitches(count);
        return this;
    }

    FakePlatform withoutVerification() {
        platform.verification(false);
        return this;
    }

    FakePlatform ready(Color color, boolean isReady) {
        platform.setReady(color, isReady);
        return this;
    }

    FakePlatform replicas(Color color, int count) {
        platform.setReplicas(color, count);
        return this;
    }

    void foreignSwitch(Color color) {
        platform.operatorSwitch(color);
    }

    void foreignScale(Color color, int count) {
        platform.operatorScale(color, count);
    }

    boolean lateScale(Color color, int count, String revision) {
        return platform.operatorScale(color, count, revision);
    }

    void foreignDeploy(Color color, String version) {
        platform.operatorDeploy(color, version);
    }

    ReleaseStore store() {
        return platform.store();
    }

    Color live() {
        return platform.live();
    }

    List<String> writes() {
        return platform.writes();
    }

    int replicasOf(Color color) {
        return platform.replicas(color);
    }

    String versionOf(Color color) {
        return platform.version(color);
    }

    boolean readyOf(Color color) {
        return platform.ready(color);
    }

    TrafficSwitcher switcher() {
        return platform.switcher();
    }

    ColorEnvironments environments() {
        return platform.environments();
    }

    ReleasePlan.Builder plan() {
        return platform.plan().version("app:v2").retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }
}
