package dev.bluegreen.internal;

import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleaseListener;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.TimeSource;

import java.time.Duration;
import java.util.List;

/** The {@link ReleaseEngine} implementation: each release gets its own {@link ReleaseRun}. */
public final class DefaultReleaseEngine implements ReleaseEngine {
    private final TimeSource time;
    private final List<ReleaseListener> listeners;
    private final Duration timeoutGrace;
    private final int rollbackAttempts;

    /**
     * @param time             the time source
     * @param listeners        listeners of every release
     * @param timeoutGrace     extra time for steps handed their deadline
     * @param rollbackAttempts attempts at switching back on conflicts
     */
    public DefaultReleaseEngine(TimeSource time, List<ReleaseListener> listeners, Duration timeoutGrace,
                                int rollbackAttempts) {
        this.time = time;
        this.listeners = List.copyOf(listeners);
        this.timeoutGrace = timeoutGrace;
        this.rollbackAttempts = rollbackAttempts;
    }

    @Override
    public ReleaseResult run(ReleasePlan plan) {
        return newRun(plan).execute();
    }

    @Override
    public ReleaseExecution start(ReleasePlan plan) {
        ReleaseRun run = newRun(plan);
        Thread thread = new Thread(run::execute, "bluegreen-release-" + plan.namespace() + "-" + plan.app());
        thread.setDaemon(true);
        thread.start();
        return run;
    }

    private ReleaseRun newRun(ReleasePlan plan) {
        Checks.nonNull("release plan", plan);
        return new ReleaseRun(plan, time, new EventDispatcher(listeners), timeoutGrace, rollbackAttempts);
    }
}
