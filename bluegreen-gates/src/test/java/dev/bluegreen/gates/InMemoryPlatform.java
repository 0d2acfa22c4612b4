package dev.bluegreen.gates;

import dev.bluegreen.Color;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
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

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The smallest platform a release runs on, in memory, so that the gates can be tested inside a
 * real release (engine, listeners, signals) without Kubernetes: blue is live running myapp:v1,
 * green idle; every deploy is ready at once.
 */
final class InMemoryPlatform implements TrafficSwitcher, ColorEnvironments {
    private enum Side { BLUE, GREEN }

    private final TimeSource time;
    private final EnumMap<Side, String> versions = new EnumMap<>(Side.class);
    private final EnumMap<Side, Integer> replicas = new EnumMap<>(Side.class);
    private final EnumMap<Side, Long> generations = new EnumMap<>(Side.class);
    private Color live = Color.BLUE;
    private long revision = 1;

    InMemoryPlatform(TimeSource time) {
        this.time = time;
        versions.put(Side.BLUE, "myapp:v1");
        versions.put(Side.GREEN, "myapp:v0");
        replicas.put(Side.BLUE, 2);
        replicas.put(Side.GREEN, 0);
        generations.put(Side.BLUE, 1L);
        generations.put(Side.GREEN, 1L);
    }

    ReleasePlan.Builder plan() {
        return ReleasePlan.builder().app("myapp").namespace("shop").version("myapp:v2").replicas(2)
                .switcher(this).environments(this).store(ReleaseStore.inMemory(time, LockTiming.DEFAULT))
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1)))
                .timeout(StandardStep.PRE_SWITCH_GATES, Duration.ofSeconds(30))
                .timeout(StandardStep.OBSERVE, Duration.ofSeconds(30));
    }

    synchronized Color live() {
        return live;
    }

    private static Side side(Color color) {
        return color.equals(Color.BLUE) ? Side.BLUE : Side.GREEN;
    }

    // ---------------------------------------------------------------- TrafficSwitcher

    @Override
    public String target() {
        return "Route shop/myapp";
    }

    @Override
    public synchronized RouteState read(Deadline deadline) {
        return RouteState.routed(target(), live, Long.toString(revision), time.now());
    }

    @Override
    public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
        return List.of();
    }

    @Override
    public synchronized SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
        Color from = live;
        String before = Long.toString(revision);
        live = color;
        revision++;
        return new SwitchResult(target(), from, color, !from.equals(color), before, Long.toString(revision), time.now());
    }

    @Override
    public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
        return new RouteWatch() {
            @Override
            public RouteState latest() {
                return read(null);
            }

            @Override
            public void close() {
            }
        };
    }

    // ---------------------------------------------------------------- ColorEnvironments

    @Override
    public String describe(Color color) {
        return "Environment shop/myapp-" + color.name();
    }

    @Override
    public Optional<Color> nextColor(Color live) {
        return Optional.of(live.equals(Color.BLUE) ? Color.GREEN : Color.BLUE);
    }

    @Override
    public synchronized EnvironmentState read(Color color, Deadline deadline) {
        Side side = side(color);
        int count = replicas.get(side);
        long generation = generations.get(side);
        return new EnvironmentState(color, describe(color), true, versions.get(side), count, count, true,
                Long.toString(generation), generation, count + " of " + count + " available", time.now());
    }

    @Override
    public List<String> checkDeployable(EnvironmentState state, EnvironmentState live) {
        return List.of();
    }

    @Override
    public synchronized Candidate deploy(EnvironmentState decidedOn, String version, int count, Deadline deadline) {
        Side side = side(decidedOn.color());
        versions.put(side, version);
        replicas.put(side, count);
        generations.merge(side, 1L, Long::sum);
        return new Candidate(decidedOn.color(), version, "generation " + generations.get(side),
                describe(decidedOn.color()), "in memory");
    }

    @Override
    public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
        return read(candidate.color(), deadline);
    }

    @Override
    public EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline) {
        return scale(decidedOn.color(), 0);
    }

    @Override
    public EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline) {
        return scale(decidedOn.color(), 0);
    }

    @Override
    public EnvironmentState restore(EnvironmentState decidedOn, int count, Deadline deadline) {
        return scale(decidedOn.color(), count);
    }

    private synchronized EnvironmentState scale(Color color, int count) {
        Side side = side(color);
        replicas.put(side, count);
        generations.merge(side, 1L, Long::sum);
        return read(color, null);
    }
}
