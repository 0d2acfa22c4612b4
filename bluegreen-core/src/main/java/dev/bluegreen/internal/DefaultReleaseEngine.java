package dev.bluegreen.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.Outcome;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleaseListener;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.StandardStep;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.LockState;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link ReleaseEngine} implementation: each release gets its own {@link ReleaseRun}. */
public final class DefaultReleaseEngine implements ReleaseEngine {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Shared by engines built without an executor: grows with the releases running, threads are daemons. */
    private static final class Shared {
        static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(daemons("bluegreen-release"));
        static final ScheduledExecutorService SCHEDULER =
                Executors.newSingleThreadScheduledExecutor(daemons("bluegreen-scheduler"));
        static final String HOST = localHost();
    }

    private final TimeSource time;
    private final List<ReleaseListener> listeners;
    private final int rollbackAttempts;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final String host;
    private final java.util.function.Supplier<String> releaseIds;

    /**
     * @param time             the time source
     * @param listeners        listeners of every release
     * @param rollbackAttempts attempts at switching back on conflicts
     * @param executor         where releases run, or null for the shared pool
     * @param scheduler        fires deadlines and renewals, or null for the shared one
     * @param host             the host name in lock holders, or null for the local host's
     * @param releaseIds       supplies release ids, or null for random ones
     */
    public DefaultReleaseEngine(TimeSource time, List<ReleaseListener> listeners, int rollbackAttempts, Executor executor,
                                ScheduledExecutorService scheduler, String host,
                                java.util.function.Supplier<String> releaseIds) {
        this.time = time;
        this.listeners = List.copyOf(listeners);
        this.rollbackAttempts = rollbackAttempts;
        this.executor = executor != null ? executor : Shared.EXECUTOR;
        this.scheduler = scheduler != null ? scheduler : Shared.SCHEDULER;
        this.host = host != null ? host : Shared.HOST;
        this.releaseIds = releaseIds;
    }

    @Override
    public ReleaseResult run(ReleasePlan plan, ReleaseListener... listeners) {
        return runToEnd(newRun(plan, ReleaseRun.Mode.RELEASE, null, null, listeners));
    }

    @Override
    public ReleaseExecution start(ReleasePlan plan, ReleaseListener... listeners) {
        ReleaseRun run = newRun(plan, ReleaseRun.Mode.RELEASE, null, null, listeners);
        executor.execute(run::execute);
        return run;
    }

    @Override
    public ReleaseResult recover(ReleasePlan plan, RecoveryPolicy policy, ReleaseListener... listeners) {
        Checks.nonNull("release plan", plan);
        Checks.nonNull("recovery policy", policy);
        if (policy == RecoveryPolicy.REFUSE) {
            throw new ConfigurationException("recovery policy must be ROLL_BACK or ROLL_FORWARD to recover a release, "
                    + "but was REFUSE");
        }
        ReleaseStatus status = status(plan);
        String nothing = null;
        if (status.running()) {
            LockState lock = status.lock().orElseThrow();
            return refused(plan, new ReleaseLockedException(plan.appId(), lock.holder(), lock.acquiredAt(),
                    "recovery of " + plan.appId() + " did not start: a release is running, the release lock is held by "
                            + lock.holder() + " since " + lock.acquiredAt() + "; nothing was changed"));
        }
        if (status.record().isEmpty()) {
            nothing = "nothing to recover: " + plan.appId() + " has no release record";
        } else if (status.record().get().finished() && status.record().get().outcome() != Outcome.FAILED) {
            nothing = "nothing to recover: the last release " + status.record().get().releaseId() + " of "
                    + plan.appId() + " ended " + status.record().get().outcome();
        }
        if (nothing != null) {
            return refused(plan, new BlueGreenException(nothing + "; nothing was changed"));
        }
        return runToEnd(recoveryRun(plan, status.record().get(), policy, Arrays.asList(listeners)));
    }

    @Override
    public ReleaseStatus status(ReleasePlan plan) {
        Checks.nonNull("release plan", plan);
        return plan.store().read(plan.appId(), new StandaloneDeadline(plan.timeout(StandardStep.PREFLIGHT)));
    }

    ReleaseRun recoveryRun(ReleasePlan plan, ReleaseRecord record, RecoveryPolicy policy, List<ReleaseListener> listeners) {
        return new ReleaseRun(this, plan, ReleaseRun.Mode.RECOVER, record, policy, listeners);
    }

    private ReleaseResult refused(ReleasePlan plan, BlueGreenException why) {
        ReleaseResult none = new ReleaseResult(newReleaseId(), plan.app(), plan.namespace(), plan.version(),
                Outcome.ABORTED, null, null, null, Map.of(), List.of(), List.of(), why, List.of(), time.now(), time.now(),
                null);
        ReleaseRun.LOG.info("{}", why.getMessage());
        return none;
    }

    private ReleaseRun newRun(ReleasePlan plan, ReleaseRun.Mode mode, ReleaseRecord record, RecoveryPolicy policy,
                              ReleaseListener[] listeners) {
        Checks.nonNull("release plan", plan);
        Checks.nonNull("listeners", listeners);
        for (ReleaseListener listener : listeners) {
            Checks.nonNull("listener", listener);
        }
        return new ReleaseRun(this, plan, mode, record, policy, Arrays.asList(listeners));
    }

    /** Runs a release on the executor and waits; an interrupt of the waiting thread cancels it. */
    private ReleaseResult runToEnd(ReleaseRun run) {
        executor.execute(run::execute);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return run.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                    run.cancel();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    List<ReleaseListener> listeners(List<ReleaseListener> perRelease) {
        List<ReleaseListener> all = new ArrayList<>(listeners);
        all.addAll(perRelease);
        return all;
    }

    TimeSource time() {
        return time;
    }

    int rollbackAttempts() {
        return rollbackAttempts;
    }

    Executor executor() {
        return executor;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    String host() {
        return host;
    }

    String newReleaseId() {
        if (releaseIds == null) {
            return "r-" + newNonce() + newNonce();
        }
        return Checks.dnsLabel("release id from the supplier given to ReleaseEngine.Builder.releaseIds", releaseIds.get());
    }

    String newNonce() {
        byte[] bytes = new byte[3];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
