package dev.bluegreen;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory platform for engine tests: a switcher and environments over shared state, recording
 * every write, with knobs to make each operation fail or block.
 */
final class FakePlatform {
    /** A hook run inside an operation, before it takes effect; may throw or block. */
    @FunctionalInterface
    interface Hook {
        void run(Color color) throws Exception;
    }

    enum Op { LIVE, CHECK_ROUTABLE, CHECK_DEPLOYABLE, SWITCH, VERIFY, DEPLOY, AWAIT_READY, SCALE_DOWN }

    private final Map<Color, Integer> replicas = new HashMap<>();
    private final Map<Color, Boolean> ready = new HashMap<>();
    private final Map<Color, String> versions = new HashMap<>();
    private final Map<Op, Hook> hooks = Collections.synchronizedMap(new EnumMap<>(Op.class));
    private final List<String> writes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger revision = new AtomicInteger(1);
    private final AtomicInteger conflictsToThrow = new AtomicInteger();
    private volatile Color live = Color.BLUE;

    FakePlatform() {
        replicas.put(Color.BLUE, 3);
        ready.put(Color.BLUE, true);
        versions.put(Color.BLUE, "app:v1");
        replicas.put(Color.GREEN, 0);
        ready.put(Color.GREEN, false);
        versions.put(Color.GREEN, "app:v1");
    }

    FakePlatform on(Op op, Hook hook) {
        hooks.put(op, hook);
        return this;
    }

    FakePlatform conflictOnNextSwitches(int count) {
        conflictsToThrow.set(count);
        return this;
    }

    synchronized FakePlatform ready(Color color, boolean isReady) {
        ready.put(color, isReady);
        return this;
    }

    synchronized FakePlatform replicas(Color color, int count) {
        replicas.put(color, count);
        return this;
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
        return replicas.getOrDefault(color, 0);
    }

    synchronized String versionOf(Color color) {
        return versions.get(color);
    }

    private void hook(Op op, Color color) {
        Hook hook = hooks.get(op);
        if (hook == null) {
            return;
        }
        try {
            hook.run(color);
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlueGreenException("interrupted in " + op, e);
        } catch (Exception e) {
            throw new BlueGreenException("hook of " + op + " failed: " + e.getMessage(), e);
        }
    }

    TrafficSwitcher switcher() {
        return new TrafficSwitcher() {
            @Override
            public String target() {
                return "Service shop/app-service";
            }

            @Override
            public Color liveColor() {
                hook(Op.LIVE, live);
                return live;
            }

            @Override
            public void checkRoutable(Color color) {
                hook(Op.CHECK_ROUTABLE, color);
            }

            @Override
            public void checkSwitchable(Color color) {
                synchronized (FakePlatform.this) {
                    if (!ready.getOrDefault(color, false) || replicas.getOrDefault(color, 0) == 0) {
                        throw new PreflightException("switch of " + target() + " to " + color,
                                List.of("Deployment shop/app-" + color + " has no ready replicas"));
                    }
                }
            }

            @Override
            public SwitchResult switchTo(Color color) {
                checkSwitchable(color);
                hook(Op.SWITCH, color);
                if (conflictsToThrow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new SwitchConflictException(target(), "conflict on " + target(), null);
                }
                Color from = live;
                String before = String.valueOf(revision.get());
                if (from.equals(color)) {
                    return new SwitchResult(target(), from, color, false, before, before, Instant.EPOCH);
                }
                live = color;
                writes.add("switch " + from + "->" + color);
                return new SwitchResult(target(), from, color, true, before,
                        String.valueOf(revision.incrementAndGet()), Instant.EPOCH);
            }

            @Override
            public TrafficVerification verify(Color color, Duration timeout) {
                hook(Op.VERIFY, color);
                return new TrafficVerification(target(), color, List.of("app-" + color + "-1"), "fake", Duration.ZERO);
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
            public void checkDeployable(Color color) {
                hook(Op.CHECK_DEPLOYABLE, color);
            }

            @Override
            public int replicas(Color color) {
                return replicasOf(color);
            }

            @Override
            public void deploy(Color color, String version, int count) {
                hook(Op.DEPLOY, color);
                synchronized (FakePlatform.this) {
                    versions.put(color, version);
                    replicas.put(color, count);
                }
                writes.add("deploy " + color + " " + version + " x" + count);
            }

            @Override
            public void awaitReady(Color color, Duration timeout) {
                hook(Op.AWAIT_READY, color);
                ready(color, true);
            }

            @Override
            public void scaleDown(Color color) {
                hook(Op.SCALE_DOWN, color);
                synchronized (FakePlatform.this) {
                    replicas.put(color, 0);
                    ready.put(color, false);
                }
                writes.add("scale-down " + color);
            }
        };
    }

    ReleasePlan.Builder plan() {
        return ReleasePlan.builder().app("app").namespace("shop").version("app:v2")
                .switcher(switcher()).environments(environments())
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }
}
