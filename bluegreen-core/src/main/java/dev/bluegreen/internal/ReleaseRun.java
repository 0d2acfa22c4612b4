package dev.bluegreen.internal;

import dev.bluegreen.AbortPolicy;
import dev.bluegreen.AppId;
import dev.bluegreen.BlueGreenException;
import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.CustomStep;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateFailedException;
import dev.bluegreen.GateStage;
import dev.bluegreen.IllegalPhaseTransitionException;
import dev.bluegreen.LockLostException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.Outcome;
import dev.bluegreen.Phase;
import dev.bluegreen.PlannedStep;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseCancelledException;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.RollbackPolicy;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepAction;
import dev.bluegreen.StepContext;
import dev.bluegreen.StepFailedException;
import dev.bluegreen.StepRecord;
import dev.bluegreen.StepStatus;
import dev.bluegreen.StepTimeoutException;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.VerificationException;
import dev.bluegreen.event.PhaseChanged;
import dev.bluegreen.event.RolledBack;
import dev.bluegreen.event.RouteChanged;
import dev.bluegreen.event.StepFinished;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One release (or the recovery of one), from {@link Phase#PENDING} to a terminal phase, on one
 * thread. Holds the run's state; the standard steps are small classes ({@link PreflightStep},
 * {@link DeployStep}, ...) that read and change it through this class. The phase logic here decides
 * what a failure leads to: abort before the switch, rollback after it, a warning once committed,
 * and a stop without further writes when the lock is lost or someone else changed the router.
 */
final class ReleaseRun implements ReleaseExecution {
    static final String MDC_KEY = "bluegreen.release";
    static final Logger LOG = LoggerFactory.getLogger("dev.bluegreen.ReleaseEngine");

    /** What kind of run this is. */
    enum Mode { RELEASE, RECOVER }

    /** What is known of the switch write. */
    enum SwitchOutcome { NOT_SENT, NOT_WRITTEN, UNKNOWN, WRITTEN }

    final DefaultReleaseEngine engine;
    final ReleasePlan plan;
    final Mode mode;
    final RecoveryPolicy recoveryPolicy;
    final String id;
    final String holder;
    final AppId app;
    final String version;
    final TimeSource clock;
    final RunTime time;
    final EventDispatcher events;
    final RunControl control = new RunControl();
    final TrafficSwitcher switcher;
    final ColorEnvironments environments;
    final ReleaseStore store;
    final List<dev.bluegreen.ReleaseListener> runListeners;
    /** Signals received from outside (approvals), read by gates through their context. */
    private final dev.bluegreen.Signals signals;

    private final AtomicBoolean executed = new AtomicBoolean();
    private final CompletableFuture<ReleaseResult> done = new CompletableFuture<>();
    private final Instant startedAt;

    private volatile Phase phase = Phase.PENDING;
    volatile ReleaseRecord record;
    volatile LockHandle lock;
    private LockKeeper keeper;
    private volatile RouteWatch routeWatch;
    private volatile RouteState latestRoute;
    /** The first change of the router by someone else, seen by the watch, until the release thread reports it. */
    private final AtomicReference<RouteChanged> unreportedRouteChange = new AtomicReference<>();
    private volatile Set<Color> expectedRoute = Set.of();
    private volatile boolean routeGuard;
    /** Whether the route was read after the run's last write (then it is the final read). */
    private volatile boolean routeFresh;

    // The run's state, written by the release thread (and read by gate threads through volatile fields).
    volatile Color from;
    volatile Color to;
    EnvironmentState liveAtStart;
    EnvironmentState targetAtStart;
    volatile Candidate candidate;
    int replicas;
    boolean deployAttempted;
    SwitchOutcome switchOutcome = SwitchOutcome.NOT_SENT;
    ReleaseRecord pendingRecovery;
    final Map<Color, EnvironmentState> colors = new ConcurrentHashMap<>();

    // Owned by the release thread.
    private final List<StepRecord> timeline = new ArrayList<>();
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final Deque<CustomStep> compensations = new ArrayDeque<>();
    /** Custom steps a recovered release completed that the recovering plan does not have. */
    private final List<String> unknownCompletedSteps = new ArrayList<>();
    final List<GateEvaluation> gateEvaluations = Collections.synchronizedList(new ArrayList<>());
    private final Deque<CleanUp> cleanUps = new ConcurrentLinkedDeque<>();
    private BlueGreenException error;
    private boolean compensationFailed;
    private ReleaseResult recovered;

    ReleaseRun(DefaultReleaseEngine engine, ReleasePlan plan, Mode mode, ReleaseRecord recovering,
               RecoveryPolicy recoveryPolicy, List<dev.bluegreen.ReleaseListener> listeners) {
        this.engine = engine;
        this.plan = plan;
        this.mode = mode;
        this.recoveryPolicy = recoveryPolicy;
        this.id = recovering != null ? recovering.releaseId() : engine.newReleaseId();
        this.holder = (recovering != null ? id + "-recovery-" + engine.newNonce() : id) + "@" + engine.host();
        this.app = plan.appId();
        this.version = recovering != null ? recovering.version() : plan.version();
        this.clock = engine.time();
        this.runListeners = List.copyOf(listeners);
        this.events = new EventDispatcher(engine.listeners(listeners), id);
        this.switcher = plan.switcher();
        this.environments = plan.environments();
        this.store = plan.store();
        this.time = new RunTime(clock, this::renewIfDue);
        this.signals = dev.bluegreen.Signals.create(clock);
        this.startedAt = clock.now();
        if (recovering != null) {
            this.record = recovering;
            this.from = recovering.from();
            this.to = recovering.to();
        }
    }

    // ---------------------------------------------------------------- ReleaseExecution

    @Override
    public String releaseId() {
        return id;
    }

    @Override
    public ReleasePlan plan() {
        return plan;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public boolean cancel() {
        return !done.isDone() && control.cancel(new ReleaseCancelledException(subject() + " was cancelled"));
    }

    @Override
    public boolean signal(String name, String by, String note) {
        if (done.isDone()) {
            Checks.nonBlank("signal name", name);
            Checks.nonBlank("signal sender", by);
            return false;
        }
        Optional<dev.bluegreen.Signal> received = signals.send(name, by, note);
        received.ifPresent(signal -> {
            LOG.info("{} received signal {}", subject(), signal);
            events.emit(new dev.bluegreen.event.SignalReceived(id, app.app(), app.namespace(), signal.at(), signal));
        });
        return received.isPresent();
    }

    @Override
    public ReleaseResult await() throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("release run completed exceptionally", e.getCause());
        }
    }

    @Override
    public Optional<ReleaseResult> await(Duration timeout) throws InterruptedException {
        Checks.nonNull("timeout", timeout);
        try {
            return Optional.of(done.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("release run completed exceptionally", e.getCause());
        }
    }

    @Override
    public CompletionStage<ReleaseResult> completion() {
        return done.minimalCompletionStage();
    }

    // ---------------------------------------------------------------- the run

    /** Runs the release on the calling thread until it ends; never throws for a release failure. */
    ReleaseResult execute() {
        if (!executed.compareAndSet(false, true)) {
            throw new IllegalStateException(subject() + " already ran");
        }
        // A release that recovers an unfinished one first runs the recovery nested on its own thread:
        // the recovery must give the log context back, not clear it.
        String outerRelease = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
        try {
            LOG.info("{} to {} started via {} (holder {})", subject(), version, switcher.target(), holder);
            try {
                if (mode == Mode.RELEASE) {
                    forward();
                } else {
                    recoverCrashed();
                }
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw (VirtualMachineError) e;
                }
                LOG.error("{}: unexpected failure in phase {}", subject(), phase, e);
                failWith(new BlueGreenException(subject() + " failed unexpectedly in phase " + phase + ": " + e, e));
                if (!phase.isTerminal()) {
                    move(Phase.FAILED);
                }
            }
            Color liveAtEnd = finalRead();
            finish();
            Outcome outcome = phase.outcome().orElse(Outcome.FAILED);
            ReleaseResult result = new ReleaseResult(id, app.app(), app.namespace(), version, outcome, from, to,
                    liveAtEnd, colors, timeline, List.copyOf(gateEvaluations),
                    outcome == Outcome.SUCCEEDED && liveAtEnd != null ? null : error, List.copyOf(warnings), startedAt,
                    clock.now(), recovered);
            LOG.info("{} to {} ended {}; live color {}{}", subject(), version, outcome,
                    liveAtEnd == null ? "unknown" : liveAtEnd, error == null ? "" : "; " + error.getMessage());
            done.complete(result);
            return result;
        } finally {
            if (!done.isDone()) {
                done.completeExceptionally(new IllegalStateException(subject() + " ended without a result"));
            }
            if (outerRelease == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, outerRelease);
            }
        }
    }

    private void forward() {
        if (control.cancelled() != null) {
            failWith(cancelled("before it started"));
            abort();
            return;
        }
        move(Phase.PREPARING);
        List<PlannedStep> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            PlannedStep step = steps.get(i);
            BlueGreenException stop = control.stopCause(step.phase() != Phase.FINISHING, routeGuard);
            if (stop != null && !(stop instanceof ReleaseCancelledException && step.phase() == Phase.FINISHING)) {
                recover(stop instanceof ReleaseCancelledException ? cancelled("before step '" + step.name() + "'") : stop);
                return;
            }
            if (step.phase() != phase) {
                try {
                    enter(step.phase(), step.name());
                } catch (BlueGreenException e) {
                    recover(e);
                    return;
                }
            }
            if (control.cancelled() != null && phase == Phase.FINISHING) {
                warnings.add("cancelled after the release was committed; skipped: " + names(steps.subList(i, steps.size())));
                break;
            }
            if (!recordStep(step)) {
                recover(control.lockLost());
                return;
            }
            Attempt attempt = runPlanned(step);
            if (attempt.ok() && step.standardStep().orElse(null) == StandardStep.PREFLIGHT && pendingRecovery != null) {
                attempt = recoverFirst(step);
            }
            if (attempt.ok()) {
                continue;
            }
            if (phase != Phase.FINISHING || attempt.error() instanceof LockLostException
                    || attempt.error() instanceof RouteChangedException) {
                recover(attempt.error());
                return;
            }
            warnings.add("step '" + step.name() + "' " + attempt.status().name().toLowerCase().replace('_', ' ')
                    + " after the release was committed: " + attempt.error().getMessage());
            if (attempt.status() == StepStatus.CANCELLED) {
                warnings.add("cancelled after the release was committed; skipped: " + names(steps.subList(i + 1, steps.size())));
                break;
            }
        }
        runRemainingCleanUps();
        RouteChangedException moved = routeMovedAway();
        if (moved != null) {
            recover(moved);
            return;
        }
        move(Phase.SUCCEEDED);
    }

    /**
     * Reads the router once more before a release is reported SUCCEEDED: someone else may have
     * switched it after the last guard, before the route watch told. Null when it still routes to
     * the new color, or when it could not be read (the final read then says why).
     */
    private RouteChangedException routeMovedAway() {
        RouteState route;
        try {
            route = switcher.read(new StandaloneDeadline(plan.timeout(StandardStep.PREFLIGHT)));
        } catch (RuntimeException e) {
            routeFresh = false;
            return null;
        }
        routeRead(route);
        if (route.routesTo(to)) {
            return null;
        }
        return new RouteChangedException(switcher.target(), to, route.live(), switcher.target() + " was changed by "
                + "someone else after " + subject() + " was committed: it now " + (route.live() == null
                ? "selects no single color (" + route.problem() + ")" : "selects " + route.live()) + " instead of " + to
                + "; the release stops without switching back");
    }

    /** Recovers the app's unfinished release per the plan's policy, then runs preflight again. */
    private Attempt recoverFirst(PlannedStep preflight) {
        ReleaseRecord unfinished = pendingRecovery;
        pendingRecovery = null;
        recovered = engine.recoveryRun(plan, unfinished, plan.recovery(), runListeners).execute();
        if (recovered.outcome() != Outcome.ROLLED_BACK && recovered.outcome() != Outcome.SUCCEEDED) {
            BlueGreenException failed = new dev.bluegreen.UnfinishedReleaseException(unfinished, subject()
                    + " did not start: recovering the unfinished release " + unfinished.releaseId() + " per policy "
                    + plan.recovery() + " ended " + recovered.outcome() + recovered.error().map(e -> ": "
                    + e.getMessage()).orElse(""));
            return new Attempt(StepStatus.FAILED, failed.getMessage(), failed);
        }
        Attempt again = runPlanned(preflight);
        if (again.ok() && pendingRecovery != null) {
            BlueGreenException still = new dev.bluegreen.UnfinishedReleaseException(pendingRecovery, subject()
                    + " did not start: the app's release record still shows an unfinished release after recovering it");
            return new Attempt(StepStatus.FAILED, still.getMessage(), still);
        }
        return again;
    }

    /** Brings a release that failed before being committed to a safe end. */
    private void recover(BlueGreenException cause) {
        failWith(cause);
        RouteChanged seen = unreportedRouteChange.getAndSet(null);
        if (seen != null) {
            events.emit(seen);
        }
        if (cause instanceof LockLostException) {
            control.lockLost((LockLostException) cause);
        }
        if (control.lockLost() != null) {
            stopLockLost();
            return;
        }
        if (cause instanceof RouteChangedException) {
            warnings.add(switcher.target() + " was changed by someone else: nothing was switched back, retired or "
                    + "given up, so their change stands; " + describeColors());
            runRemainingCleanUps();
            move(Phase.FAILED);
            return;
        }
        boolean beforeSwitch = phase == Phase.PREPARING || phase == Phase.PENDING
                || switchOutcome == SwitchOutcome.NOT_SENT || switchOutcome == SwitchOutcome.NOT_WRITTEN;
        if (beforeSwitch && phase != Phase.OBSERVING) {
            abort();
        } else {
            rollBack(cause);
        }
    }

    private void abort() {
        move(Phase.ABORTING);
        routeGuard = false;
        if (record != null) {
            journalQuietly(record.at(Phase.ABORTING, "abort"));
        }
        if (control.lockLost() != null) {
            stopLockLost();
            return;
        }
        compensate();
        discardCandidate();
        runRemainingCleanUps();
        endRecovery(Phase.ABORTED);
    }

    private void rollBack(BlueGreenException cause) {
        routeGuard = false;
        if (plan.rollbackPolicy() == RollbackPolicy.MANUAL) {
            warnings.add("rollback policy is MANUAL: traffic left on " + to + " via " + switcher.target()
                    + "; switch back to " + from + " by hand if needed; " + describeColors());
            runRemainingCleanUps();
            move(Phase.FAILED);
            return;
        }
        move(Phase.ROLLING_BACK);
        journalQuietly(record.at(Phase.ROLLING_BACK, "rollback"));
        if (control.lockLost() != null) {
            stopLockLost();
            return;
        }
        Duration timeout = plan.timeout(StandardStep.SWITCH);
        Attempt back = runRecovery("rollback", timeout, deadline -> switchBack(cause.getMessage(), deadline));
        if (!back.ok()) {
            warnings.add("switching traffic back to " + from + " failed, traffic may still reach " + to + ": "
                    + back.error().getMessage() + "; " + describeColors());
            cause.addSuppressed(back.error());
            runRemainingCleanUps();
            move(Phase.FAILED);
            return;
        }
        compensate();
        discardCandidate();
        runRemainingCleanUps();
        endRecovery(Phase.ROLLED_BACK);
    }

    /**
     * Ends an abort or a rollback: in {@code done}, unless a compensation failed, or the lock was
     * lost on the way (then what was skipped since is in the warnings).
     */
    private void endRecovery(Phase done) {
        if (control.lockLost() != null) {
            stopLockLost();
            return;
        }
        move(compensationFailed ? Phase.FAILED : done);
    }

    /**
     * Ends the release without another write once its lock is lost (invariant I4): another
     * release may be acting on the app now, so nothing is switched back, given up or compensated,
     * and the record and lock are left to the new holder. The error is the lost lock; what the
     * release was doing when it found out is kept as suppressed.
     */
    private void stopLockLost() {
        if (!(error instanceof LockLostException)) {
            LockLostException lost = control.lockLost();
            if (error != null) {
                lost.addSuppressed(error);
            }
            error = lost;
        }
        warnings.add("the release lock was lost: another release may be acting, so this one wrote nothing more; "
                + describeColors());
        move(Phase.FAILED);
    }

    // ---------------------------------------------------------------- recovering a crashed release

    private void recoverCrashed() {
        ReleaseRecord crashed = record;
        if (recoveryPolicy == RecoveryPolicy.ROLL_BACK) {
            Attempt acquired = runRecovery("recover", plan.timeout(StandardStep.PREFLIGHT), deadline -> {
                acquire(crashed.at(Phase.ROLLING_BACK, "recover"), deadline);
                return Done.of("took over the release lock of " + app + " to roll back " + crashed);
            });
            if (!acquired.ok()) {
                failWith(acquired.error());
                move(Phase.ABORTING);
                move(Phase.ABORTED);
                return;
            }
            move(Phase.ROLLING_BACK);
            deployAttempted = crashed.to() != null;
            Duration timeout = plan.timeout(StandardStep.AWAIT_READY);
            Attempt restored = runRecovery("restore-previous", timeout, new RestorePreviousStep(this));
            if (!restored.ok()) {
                failWith(restored.error());
                move(Phase.FAILED);
                return;
            }
            // A switch the crashed release sent may still be on the wire: fence the router before trusting it.
            switchOutcome = crashed.switchSent() ? SwitchOutcome.UNKNOWN : SwitchOutcome.NOT_SENT;
            Attempt back = runRecovery("rollback", plan.timeout(StandardStep.SWITCH),
                    deadline -> switchBack("recovering release " + id + " after its process was lost", deadline));
            if (!back.ok()) {
                failWith(back.error());
                move(Phase.FAILED);
                return;
            }
            loadCompensations(crashed);
            compensate();
            discardCandidate();
            failWith(new BlueGreenException(subject() + " was rolled back by recovery: its process was lost at step '"
                    + crashed.step() + "' in phase " + crashed.phase()));
            endRecovery(Phase.ROLLED_BACK);
            return;
        }
        rollForward(crashed);
    }

    /**
     * Takes the compensations of the custom steps the crashed release completed from this plan, in
     * the order they completed (so they run in reverse); a completed step this plan does not have
     * is named in a warning if compensating comes to pass.
     */
    private void loadCompensations(ReleaseRecord crashed) {
        for (String name : crashed.completedSteps()) {
            Optional<CustomStep> step = plan.steps().stream().flatMap(s -> s.customStep().stream())
                    .filter(c -> c.name().equals(name)).findFirst();
            if (step.isEmpty()) {
                unknownCompletedSteps.add(name);
            } else if (step.get().compensation().isPresent()) {
                compensations.push(step.get());
            }
        }
    }

    private void rollForward(ReleaseRecord crashed) {
        Attempt acquired = runRecovery("recover", plan.timeout(StandardStep.PREFLIGHT), deadline -> {
            if (crashed.to() == null || crashed.from() == null) {
                throw new dev.bluegreen.PreflightException("roll forward of " + crashed, List.of(
                        "the release never chose its new color; there is nothing to finish: roll it back instead"));
            }
            EnvironmentState target = environments.read(crashed.to(), deadline);
            colors.put(target.color(), target);
            if (!target.serves(version)) {
                throw new dev.bluegreen.PreflightException("roll forward of " + crashed, List.of(
                        "its new color " + crashed.to() + " is not healthy: " + target + "; expected it to run " + version
                                + " with every replica available. Roll it back instead"));
            }
            liveAtStart = environments.read(crashed.from(), deadline);
            colors.put(liveAtStart.color(), liveAtStart);
            RouteState route = switcher.read(deadline);
            acquire(crashed.at(crashed.phase(), "recover"), deadline);
            // The crashed release may still have writes on the wire (its switch or switch back, the giving up
            // of its candidate when it was rolling back): fence what it may have been writing, then decide.
            if (crashed.switchSent()) {
                route = fenceRoute(route, deadline);
            }
            target = fenceEnvironment(target, deadline);
            if (!target.serves(version)) {
                throw new dev.bluegreen.PreflightException("roll forward of " + crashed, List.of("its new color "
                        + crashed.to() + " is not healthy any more: " + target + "; expected it to run " + version
                        + " with every replica available. Roll it back instead"));
            }
            startWatching(route, crashed.committed() ? Set.of(crashed.to()) : Set.of(crashed.from(), crashed.to()));
            candidate = new Candidate(crashed.to(), version, "recovered", environments.describe(crashed.to()), "");
            // the crashed release deployed it (it runs the release's version): give it up if finishing fails
            deployAttempted = true;
            return Done.of("took over the release lock of " + app + " to finish " + crashed + "; " + target);
        });
        if (!acquired.ok()) {
            failWith(acquired.error());
            if (lock != null) {
                // Refused after taking the lock: the record ends FAILED, so the release is still offered for recovery.
                move(Phase.FAILED);
                return;
            }
            move(Phase.ABORTING);
            move(Phase.ABORTED);
            return;
        }
        // should finishing fail, the release aborts or rolls back: its completed steps are compensated then
        loadCompensations(crashed);
        try {
            rollForwardSteps(crashed);
        } catch (BlueGreenException e) {
            recover(e);
        }
    }

    private void rollForwardSteps(ReleaseRecord crashed) {
        if (!crashed.switchSent()) {
            // No traffic went to the new color yet, and the record does not say its smoke tests passed.
            enter(Phase.PREPARING, StandardStep.PRE_SWITCH_GATES.stepName());
            Attempt gated = runStep(StandardStep.PRE_SWITCH_GATES.stepName(), plan.timeout(StandardStep.PRE_SWITCH_GATES),
                    false, true, new PreSwitchGatesStep(this));
            if (!gated.ok()) {
                recover(gated.error());
                return;
            }
        }
        if (!crashed.committed()) {
            enter(Phase.SWITCHING, StandardStep.SWITCH.stepName());
            Attempt switched = runStep(StandardStep.SWITCH.stepName(), plan.timeout(StandardStep.SWITCH), false, true,
                    new SwitchStep(this));
            if (!switched.ok()) {
                recover(switched.error());
                return;
            }
            enter(Phase.OBSERVING, StandardStep.OBSERVE.stepName());
            Attempt observed = runStep(StandardStep.OBSERVE.stepName(), plan.timeout(StandardStep.OBSERVE), false, true,
                    new ObserveStep(this));
            if (!observed.ok()) {
                recover(observed.error());
                return;
            }
        }
        enter(Phase.FINISHING, StandardStep.RETIRE_PREVIOUS.stepName());
        Attempt retired = runStep(StandardStep.RETIRE_PREVIOUS.stepName(), plan.timeout(StandardStep.RETIRE_PREVIOUS),
                false, true, new RetireStep(this));
        if (!retired.ok()) {
            if (retired.error() instanceof RouteChangedException || retired.error() instanceof LockLostException) {
                recover(retired.error());
                return;
            }
            warnings.add("retiring " + from + " after rolling forward failed: " + retired.error().getMessage());
        }
        RouteChangedException moved = routeMovedAway();
        if (moved != null) {
            recover(moved);
            return;
        }
        move(Phase.SUCCEEDED);
    }

    // ---------------------------------------------------------------- shared by steps

    /** How often a fence is tried again after a write landed between the read and the fence. */
    private static final int FENCE_ATTEMPTS = 3;

    /**
     * Fences the router against a write a crashed release may still have on the wire, reading it
     * again when such a write lands between the read and the fence.
     */
    RouteState fenceRoute(RouteState seen, StepDeadline deadline) {
        RouteState current = seen;
        for (int attempt = 1; ; attempt++) {
            try {
                RouteState fenced = switcher.fence(current, deadline);
                wrote();
                return fenced;
            } catch (SwitchConflictException e) {
                if (attempt >= FENCE_ATTEMPTS) {
                    throw e;
                }
                current = switcher.read(deadline);
                routeRead(current);
            }
        }
    }

    /**
     * Fences a color against a write a crashed release may still have on the wire, reading it
     * again when such a write lands between the read and the fence.
     */
    EnvironmentState fenceEnvironment(EnvironmentState seen, StepDeadline deadline) {
        EnvironmentState current = seen;
        for (int attempt = 1; ; attempt++) {
            try {
                EnvironmentState fenced = environments.fence(current, deadline);
                wrote();
                colors.put(fenced.color(), fenced);
                return fenced;
            } catch (ConflictException e) {
                if (attempt >= FENCE_ATTEMPTS) {
                    throw e;
                }
                current = environments.read(current.color(), deadline);
                colors.put(current.color(), current);
            }
        }
    }

    /** Takes the app's lock with the first record, then keeps it renewed. */
    void acquire(ReleaseRecord first, StepDeadline deadline) {
        ReleaseRecord stamped = first.stamped(holder, clock.now());
        LockHandle handle = store.acquire(app, holder, stamped, deadline);
        lock = handle;
        record = stamped;
        keeper = LockKeeper.start(handle, engine.scheduler(), clock, control, app);
    }

    /** Starts following the router from a read; a change outside {@code expected} stops the release. */
    void startWatching(RouteState route, Set<Color> expected) {
        latestRoute = route;
        routeFresh = true;
        expectedRoute = Set.copyOf(expected);
        routeGuard = true;
        routeWatch = switcher.watch(route, this::onRoute);
    }

    /**
     * Called on the adapter's thread with each change of the router. It must be quick and must not
     * block, so it only signals the release: the {@link RouteChanged} event is emitted by the
     * release's own thread when it stops for the change (listeners may be slow, and the adapter's
     * watch thread may serve other releases too).
     */
    private void onRoute(RouteState state) {
        latestRoute = state;
        if (!routeGuard || (state.live() != null && expectedRoute.contains(state.live()))) {
            return;
        }
        Color expected = expectedRoute.size() == 1 ? expectedRoute.iterator().next() : null;
        RouteChangedException change = new RouteChangedException(switcher.target(), expected, state.live(),
                switcher.target() + " was changed by someone else while " + subject() + " was in phase " + phase
                        + ": it now " + (state.live() == null ? "selects no single color (" + state.problem() + ")"
                        : "selects " + state.live()) + ", but the release expected " + expectedRoute
                        + "; the release stops without switching, retiring or rolling back anything");
        unreportedRouteChange.compareAndSet(null, new RouteChanged(id, app.app(), app.namespace(), clock.now(),
                expected, state));
        control.routeChanged(change);
    }

    /** @return the most recent state of the router: the watch's, else the last read */
    RouteState latestRoute() {
        RouteWatch watch = routeWatch;
        return watch != null ? watch.latest() : latestRoute;
    }

    /** Throws when the router does not select the expected color now, as far as the watch knows (invariant I1 guard). */
    void requireRoute(Color expected, String beforeWhat) {
        requireRoute(latestRoute(), expected, beforeWhat);
    }

    /**
     * Reads the router and throws when it does not select the expected color: the guard before a
     * write to an environment that must not be live (a deploy, a retirement). The watch alone may
     * not have delivered a switch someone else has already made.
     */
    void requireRouteNow(Color expected, String beforeWhat, StepDeadline deadline) {
        RouteState route = switcher.read(deadline);
        routeRead(route);
        requireRoute(route, expected, beforeWhat);
    }

    private void requireRoute(RouteState route, Color expected, String beforeWhat) {
        if (route == null || !route.routesTo(expected)) {
            throw new RouteChangedException(switcher.target(), expected, route == null ? null : route.live(),
                    switcher.target() + " no longer selects " + expected + " (" + route + ") before " + beforeWhat
                            + "; someone else changed it, so " + subject() + " stops here without writing");
        }
    }

    void expectRoute(Set<Color> expected) {
        expectedRoute = Set.copyOf(expected);
    }

    void routeRead(RouteState route) {
        latestRoute = route;
        routeFresh = true;
    }

    void wrote() {
        routeFresh = false;
    }

    /**
     * Writes the record through the lock before a step that changes something. A write refused
     * because someone else holds the lock now marks the lock lost, so that the release stops at
     * once instead of at the next renewal: it must not write anything more.
     *
     * @throws LockLostException when someone else holds the lock; nothing was written
     */
    void journal(ReleaseRecord next) {
        ReleaseRecord stamped = next.stamped(holder, clock.now());
        LockHandle handle = lock;
        if (handle != null) {
            try {
                handle.write(stamped);
            } catch (LockLostException e) {
                control.lockLost(e);
                throw e;
            }
            LockKeeper current = keeper;
            if (current != null) {
                current.renewed();
            }
        }
        record = stamped;
    }

    /** Writes the record; a failure is a warning, a lost lock is marked (callers check {@link RunControl#lockLost()}). */
    private void journalQuietly(ReleaseRecord next) {
        try {
            journal(next);
        } catch (LockLostException e) {
            record = next;
        } catch (RuntimeException e) {
            warnings.add("the release record could not be written (" + next.phase() + "): " + e.getMessage());
            record = next;
        }
    }

    /**
     * Writes the record naming the step about to run, before it starts (and before its
     * {@link StepStarted} event), so that status queries and a recovery after a crash name the
     * step the release was in, not the last one that wrote. Nothing is written before the lock is
     * taken, nor when the record already names the step. A store failure is a warning here: the
     * steps that change something write the record themselves, strictly.
     *
     * @return false when the lock turned out to be lost
     */
    private boolean recordStep(PlannedStep step) {
        ReleaseRecord current = record;
        if (lock == null || current == null || (current.phase() == phase && current.step().equals(step.name()))) {
            return true;
        }
        try {
            journal(current.at(phase, step.name()));
        } catch (LockLostException e) {
            return false;
        } catch (RuntimeException e) {
            warnings.add("the release record could not be written before step '" + step.name() + "': " + e.getMessage());
        }
        return true;
    }

    private void renewIfDue() {
        LockKeeper current = keeper;
        if (current != null) {
            current.renewIfDue();
        }
    }

    GateContext gateContext(GateStage stage) {
        return GateContext.builder().releaseId(id).app(app.app()).namespace(app.namespace()).candidate(candidate)
                .previous(from).stage(stage).time(time).signals(signals)
                .onInterim((gate, result) -> events.emit(new dev.bluegreen.event.GateEvaluated(id, app.app(),
                        app.namespace(), clock.now(), new GateEvaluation(gate, stage, result, clock.now()), true)))
                .build();
    }

    GateEvaluation recordGate(String gate, GateStage stage, dev.bluegreen.GateResult result) {
        GateEvaluation evaluation = new GateEvaluation(gate, stage, result, clock.now());
        gateEvaluations.add(evaluation);
        events.emit(new dev.bluegreen.event.GateEvaluated(id, app.app(), app.namespace(), evaluation.at(), evaluation,
                false));
        return evaluation;
    }

    GateFailedException gateFailed(GateEvaluation evaluation) {
        return new GateFailedException(subject(), evaluation);
    }

    void emit(dev.bluegreen.event.ReleaseEvent event) {
        events.emit(event);
    }

    Executor executor() {
        return engine.executor();
    }

    String subject() {
        return "release " + id + " of " + app;
    }

    /** Whether a color the release deployed to is still ours to give up (invariant I2). */
    boolean stillOurs(EnvironmentState now) {
        if (!now.exists()) {
            return false;
        }
        if (mode == Mode.RECOVER || targetAtStart == null) {
            return version.equals(now.version());
        }
        long decided = targetAtStart.generation();
        return now.generation() == decided || (now.generation() == decided + 1 && version.equals(now.version()));
    }

    String describeColors() {
        if (colors.isEmpty()) {
            return "nothing was read of the colors";
        }
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(byName(colors)).values().forEach(state -> parts.add(state.toString()));
        return "last seen: " + String.join("; ", parts);
    }

    private static Map<String, EnvironmentState> byName(Map<Color, EnvironmentState> colors) {
        Map<String, EnvironmentState> names = new HashMap<>();
        colors.forEach((color, state) -> names.put(color.name(), state));
        return names;
    }

    // ---------------------------------------------------------------- recovery actions

    /** Switches traffic back to {@code from}, re-deciding on every conflict; never to a color without available replicas. */
    Done switchBack(String reason, StepDeadline deadline) {
        boolean fenceFirst = switchOutcome == SwitchOutcome.UNKNOWN;
        SwitchConflictException last = null;
        for (int attempt = 1; attempt <= engine.rollbackAttempts(); attempt++) {
            RouteState route = switcher.read(deadline);
            routeRead(route);
            if (route.routesTo(from)) {
                if (fenceFirst) {
                    // Our switch's response was lost: it may still be applied. A conditioned write of our
                    // own marker makes it fail if it has not been applied yet.
                    try {
                        route = switcher.fence(route, deadline);
                        wrote();
                    } catch (SwitchConflictException e) {
                        last = e;
                        continue;
                    }
                    fenceFirst = false;
                    if (!route.routesTo(from)) {
                        continue;
                    }
                }
                TrafficVerification verified = verify(from, null, deadline);
                return Done.of(switcher.target() + " already routes to " + from + (verified == null ? ""
                        : "; verified: " + verified));
            }
            if (!route.routesTo(to)) {
                throw new RouteChangedException(switcher.target(), to, route.live(), switcher.target()
                        + " routes neither to " + from + " nor to " + to + " (" + route + "): someone else changed it; "
                        + "traffic was not switched back");
            }
            EnvironmentState previous = environments.read(from, deadline);
            colors.put(from, previous);
            if (!previous.servable()) {
                throw new NotReadyException("switching " + switcher.target() + " back to " + from + " was refused, "
                        + "traffic stays on " + to + ": " + previous + ", and sending traffic to a color without "
                        + "available replicas would leave it pointing at nothing", List.of(previous.toString()));
            }
            VerificationWatch verification = switcher.verifier().map(v -> v.expect(from)).orElse(null);
            try {
                SwitchResult result;
                try {
                    requireLock();
                    result = switcher.switchTo(from, route, deadline);
                } catch (SwitchConflictException e) {
                    last = e;
                    continue;
                }
                wrote();
                emit(new RolledBack(id, app.app(), app.namespace(), clock.now(), result, reason));
                TrafficVerification verified = verify(from, verification, deadline);
                return Done.of(result + (verified == null ? "; not verified: the switcher cannot verify"
                        : "; verified: " + verified));
            } finally {
                if (verification != null) {
                    verification.close();
                }
            }
        }
        throw last != null ? last : new SwitchConflictException(switcher.target(), null, switcher.target()
                + " kept changing under the rollback", null);
    }

    /** @return the verification, or null when the switcher cannot verify */
    TrafficVerification verify(Color color, VerificationWatch opened, StepDeadline deadline) {
        if (opened != null) {
            return opened.await(deadline);
        }
        Optional<TrafficVerifier> verifier = switcher.verifier();
        if (verifier.isEmpty()) {
            return null;
        }
        try (VerificationWatch watch = verifier.get().expect(color)) {
            return watch.await(deadline);
        }
    }

    private void compensate() {
        for (String name : unknownCompletedSteps) {
            warnings.add("custom step '" + name + "' completed in release " + id + ", but this plan has no step of "
                    + "that name: its compensation, if it has one, did not run; undo it by hand");
        }
        unknownCompletedSteps.clear();
        while (!compensations.isEmpty()) {
            if (control.lockLost() != null) {
                warnings.add("the release lock was lost, so these compensations did not run: "
                        + compensations.stream().map(CustomStep::name).toList());
                compensations.clear();
                return;
            }
            CustomStep step = compensations.pop();
            StepAction compensation = step.compensation().orElseThrow();
            String name = "compensate:" + step.name();
            Attempt attempt = runRecovery(name, step.timeout(), deadline -> {
                deadline.interruptibly(() -> {
                    compensation.run(new RunStepContext(name, step.timeout()));
                    return null;
                });
                return Done.of("compensated step '" + step.name() + "'");
            });
            if (!attempt.ok()) {
                compensationFailed = true;
                warnings.add("compensation of step '" + step.name() + "' " + attempt.status().name().toLowerCase()
                        + ": " + attempt.error().getMessage());
            }
        }
    }

    /** Gives up the candidate of a release that did not go through, per the abort policy, never while it is live. */
    private void discardCandidate() {
        if (!deployAttempted || to == null || control.lockLost() != null) {
            return;
        }
        Duration timeout = plan.timeout(StandardStep.RETIRE_PREVIOUS);
        if (plan.abortPolicy() == AbortPolicy.KEEP_IDLE) {
            runRecovery("discard-candidate", timeout, deadline -> Done.skipped("abort policy KEEP_IDLE keeps "
                    + environments.describe(to) + " as it is"));
            return;
        }
        Attempt attempt = runRecovery("discard-candidate", timeout, deadline -> {
            RouteState route = switcher.read(deadline);
            routeRead(route);
            if (route.routesTo(to)) {
                warnings.add(environments.describe(to) + " was not given up: " + switcher.target() + " routes traffic to it");
                return Done.skipped(switcher.target() + " routes to " + to + ", so it is kept");
            }
            EnvironmentState now = environments.read(to, deadline);
            colors.put(to, now);
            if (mode == Mode.RECOVER && (!now.exists() || !version.equals(now.version()))) {
                return Done.skipped(environments.describe(to) + " does not run " + version + " (" + now + "): the "
                        + "recovered release's candidate is not there, so there is nothing to give up");
            }
            if (!stillOurs(now)) {
                warnings.add(environments.describe(to) + " was not given up: someone else changed it since the release "
                        + "decided to deploy to it (" + (targetAtStart == null ? "" : "generation "
                        + targetAtStart.generation() + " -> ") + now.generation() + ", " + now + "); it is left as it is");
                return Done.skipped(environments.describe(to) + " changed by someone else; left as it is");
            }
            EnvironmentState after;
            try {
                requireLock();
                after = environments.discard(now, deadline);
            } catch (ConflictException e) {
                warnings.add(environments.describe(to) + " was not given up: " + e.getMessage());
                return Done.skipped(e.getMessage());
            }
            wrote();
            colors.put(to, after);
            RouteState post = switcher.read(deadline);
            routeRead(post);
            if (post.routesTo(to)) {
                EnvironmentState restored = environments.restore(after, Math.max(1, replicas), deadline);
                colors.put(to, restored);
                warnings.add(switcher.target() + " was switched to " + to + " by someone else while it was being given "
                        + "up; its replicas were asked for again: " + restored);
                return Done.of(environments.describe(to) + " given up, then restored: it became live meanwhile");
            }
            return Done.of(after.toString());
        });
        if (!attempt.ok()) {
            warnings.add("candidate " + to + " was not given up: " + attempt.error().getMessage());
        }
    }

    void registerCleanUp(String description, StepAction action) {
        cleanUps.addFirst(new CleanUp(description, action));
    }

    private void runRemainingCleanUps() {
        if (cleanUps.isEmpty() || control.lockLost() != null) {
            return;
        }
        Duration timeout = plan.timeout(StandardStep.CLEAN_UP);
        Attempt attempt = runRecovery(StandardStep.CLEAN_UP.stepName(), timeout, this::runCleanUpActions);
        if (!attempt.ok()) {
            warnings.add("clean-up incomplete: " + attempt.error().getMessage());
        }
    }

    Done runCleanUpActions(StepDeadline deadline) throws Exception {
        if (cleanUps.isEmpty()) {
            return Done.skipped("nothing to clean up");
        }
        List<String> failures = new ArrayList<>();
        int ran = 0;
        for (CleanUp cleanUp = cleanUps.pollFirst(); cleanUp != null; cleanUp = cleanUps.pollFirst()) {
            ran++;
            CleanUp action = cleanUp;
            try {
                deadline.interruptibly(() -> {
                    action.action().run(new RunStepContext(StandardStep.CLEAN_UP.stepName(), plan.timeout(StandardStep.CLEAN_UP)));
                    return null;
                });
            } catch (Exception e) {
                failures.add("'" + cleanUp.description() + "' failed: " + e);
            }
        }
        if (!failures.isEmpty()) {
            throw new BlueGreenException(subject() + ": " + failures.size() + " of " + ran
                    + " clean-up actions failed: " + String.join("; ", failures));
        }
        return Done.of(count(ran, "clean-up action") + " done");
    }

    // ---------------------------------------------------------------- the end

    /** Re-reads the router unless it was read after the last write; "unknown" only with an error that says why. */
    private Color finalRead() {
        if (control.lockLost() == null && routeFresh && latestRoute != null) {
            return latestRoute.live();
        }
        try {
            RouteState route = switcher.read(new StandaloneDeadline(plan.timeout(StandardStep.PREFLIGHT)));
            latestRoute = route;
            if (route.live() == null) {
                warnings.add(switcher.target() + " selects no single color at the end: " + route.problem());
            }
            return route.live();
        } catch (RuntimeException e) {
            ClusterApiException unknown = new ClusterApiException("the live color at the end of " + subject()
                    + " is unknown: " + switcher.target() + " could not be read (" + e.getMessage() + "); check which "
                    + "color it selects before doing anything else", switcher.target(), 0, e);
            if (error == null) {
                error = unknown;
            } else {
                error.addSuppressed(unknown);
            }
            warnings.add(unknown.getMessage());
            return null;
        }
    }

    /** Writes the final record, gives the lock up and stops following the router. */
    private void finish() {
        RouteWatch watch = routeWatch;
        if (watch != null) {
            watch.close();
        }
        LockKeeper current = keeper;
        if (current != null) {
            current.stop();
        }
        LockHandle handle = lock;
        if (handle != null && control.lockLost() == null) {
            try {
                handle.release(record.at(phase, "end").stamped(holder, clock.now()));
            } catch (RuntimeException e) {
                warnings.add("the release lock of " + app + " could not be given up (" + e.getMessage()
                        + "); it expires after " + handle.timing().leaseDuration());
            }
        }
        if (record != null) {
            record = record.at(phase, "end");
        }
    }

    void failWith(BlueGreenException cause) {
        if (error == null) {
            error = cause;
        }
    }

    ReleaseCancelledException cancelled(String where) {
        return new ReleaseCancelledException(subject() + " was cancelled " + where);
    }

    /**
     * Moves to a phase and records it. A store failure other than a lost lock is a warning: the
     * release has decided (observation passed, say) and goes on; a lost lock stops it.
     */
    private void enter(Phase next, String step) {
        move(next);
        ReleaseRecord entered = next == Phase.OBSERVING ? record.at(Phase.OBSERVING, step)
                : next == Phase.FINISHING ? record.withCommitted().at(Phase.FINISHING, step) : null;
        if (entered != null) {
            journalQuietly(entered);
            if (control.lockLost() != null) {
                throw control.lockLost();
            }
        }
    }

    /**
     * Before a write to the platform: the lock must have been renewed within its renew deadline, or
     * another release may already hold it (a process that was paused longer than the lease learns
     * it here, before it writes).
     *
     * @throws LockLostException when the lock is lost or stale
     */
    void requireLock() {
        LockLostException lost = control.lockLost();
        if (lost != null) {
            throw lost;
        }
        LockKeeper current = keeper;
        if (current != null) {
            current.requireFresh();
        }
    }

    void move(Phase next) {
        Phase current = phase;
        if (!current.canMoveTo(next)) {
            throw new IllegalPhaseTransitionException(app.app(), current, next);
        }
        phase = next;
        LOG.info("{}: phase {} -> {}", subject(), current, next);
        events.emit(new PhaseChanged(id, app.app(), app.namespace(), clock.now(), current, next));
    }

    Phase currentPhase() {
        return phase;
    }

    // ---------------------------------------------------------------- running steps

    private Attempt runPlanned(PlannedStep step) {
        if (step.customStep().isPresent()) {
            return runCustom(step.customStep().get());
        }
        StandardStep standard = step.standardStep().orElseThrow();
        Duration timeout = step.timeout();
        boolean cancellable = true;
        switch (standard) {
            case PREFLIGHT:
                return runStep(step.name(), timeout, cancellable, false, new PreflightStep(this));
            case DEPLOY:
                return runStep(step.name(), timeout, cancellable, true, new DeployStep(this));
            case AWAIT_READY:
                return runStep(step.name(), timeout, cancellable, true, new AwaitReadyStep(this));
            case PRE_SWITCH_GATES:
                return runStep(step.name(), timeout, cancellable, true, new PreSwitchGatesStep(this));
            case SWITCH:
                return runStep(step.name(), timeout, cancellable, true, new SwitchStep(this));
            case OBSERVE:
                return runStep(step.name(), timeout, cancellable, true, new ObserveStep(this));
            case RETIRE_PREVIOUS:
                Duration retention = plan.retention().scaleDownAfter().orElse(Duration.ZERO);
                return runStep(step.name(), retention.plus(timeout), cancellable, true, new RetireStep(this));
            case CLEAN_UP:
                // Not cancellable: a cancel would leave temporary resources behind; the timeout still bounds it.
                return runStep(step.name(), timeout, false, false, this::runCleanUpActions);
            default:
                throw new IllegalStateException("no work defined for standard step " + standard);
        }
    }

    private Attempt runCustom(CustomStep custom) {
        Attempt attempt = runStep(custom.name(), custom.timeout(), true, true, deadline -> {
            if (record.phase() != phase || !record.step().equals(custom.name())) {
                journal(record.at(phase, custom.name()));
            }
            deadline.interruptibly(() -> {
                custom.action().run(new RunStepContext(custom.name(), custom.timeout()));
                return null;
            });
            return Done.of("completed");
        });
        if (attempt.ok()) {
            wrote();
            if (custom.compensation().isPresent()) {
                compensations.push(custom);
            }
            journalQuietly(record.withCompleted(custom.name()));
        }
        return attempt;
    }

    private Attempt runRecovery(String name, Duration timeout, StepWork work) {
        return runStep(name, timeout, false, false, work);
    }

    /**
     * Runs one step on this thread with its deadline: the scheduler interrupts its interruptible
     * regions when the time is up; waits end on a stop that concerns it. Records the step in the
     * timeline and emits its events.
     */
    Attempt runStep(String name, Duration timeout, boolean cancellable, boolean guarded, StepWork work) {
        Instant stepStart = clock.now();
        Phase runningIn = phase;
        events.emit(new StepStarted(id, app.app(), app.namespace(), stepStart, name, timeout));
        StepDeadline deadline = new StepDeadline(control, name, timeout, cancellable, guarded);
        ScheduledFuture<?> expiry = engine.scheduler().schedule(deadline::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        Attempt attempt;
        try (StepDeadline.Scope ignored = deadline.activate()) {
            // A stop that arrived before the work began (a listener of StepStarted may cancel) keeps it from running.
            deadline.checkStopping();
            Done result = work.run(deadline);
            attempt = new Attempt(result.skipped() ? StepStatus.SKIPPED : StepStatus.SUCCEEDED, result.detail(), null);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            attempt = classify(name, timeout, deadline, t);
        } finally {
            expiry.cancel(false);
            deadline.close();
        }
        StepRecord step = new StepRecord(name, runningIn, attempt.status(), stepStart,
                Duration.between(stepStart, clock.now()), attempt.detail(), attempt.error());
        timeline.add(step);
        if (attempt.ok()) {
            LOG.info("{}: {}", subject(), step);
        } else {
            LOG.warn("{}: {}", subject(), step);
        }
        events.emit(new StepFinished(id, app.app(), app.namespace(), clock.now(), step));
        return attempt;
    }

    private Attempt classify(String step, Duration timeout, StepDeadline deadline, Throwable t) {
        BlueGreenException stop = deadline.stopCause();
        boolean interruption = isInterruption(t);
        if (t instanceof ReleaseCancelledException || (interruption && stop instanceof ReleaseCancelledException)) {
            ReleaseCancelledException cancelled = cancelled("during step '" + step + "'");
            return new Attempt(StepStatus.CANCELLED, cancelled.getMessage(), cancelled);
        }
        if (t instanceof LockLostException || t instanceof RouteChangedException) {
            BlueGreenException e = (BlueGreenException) t;
            return new Attempt(StepStatus.FAILED, e.getMessage(), e);
        }
        if (interruption && stop != null) {
            return new Attempt(StepStatus.FAILED, stop.getMessage(), stop);
        }
        boolean diagnosed = t instanceof NotReadyException || t instanceof VerificationException
                || t instanceof GateFailedException || t instanceof dev.bluegreen.PreflightException
                || t instanceof ConflictException;
        if (t instanceof TimeoutException || t instanceof StepTimeoutException
                || (deadline.timedOut() && !diagnosed && (interruption || !(t instanceof BlueGreenException)
                || t instanceof ClusterApiException))) {
            if (t instanceof StepTimeoutException) {
                return new Attempt(StepStatus.TIMED_OUT, t.getMessage(), (StepTimeoutException) t);
            }
            Throwable last = deadline.lastFailure() != null ? deadline.lastFailure()
                    : (t instanceof TimeoutException || interruption ? null : t);
            StepTimeoutException timedOut = new StepTimeoutException(step, timeout, subject() + ": step '" + step
                    + "' did not finish within " + timeout + (last == null ? "" : "; last failure: " + describe(last)), last);
            return new Attempt(StepStatus.TIMED_OUT, timedOut.getMessage(), timedOut);
        }
        BlueGreenException error = t instanceof BlueGreenException ? (BlueGreenException) t
                : new StepFailedException(step, subject() + ": step '" + step + "' failed: "
                        + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()), t);
        return new Attempt(StepStatus.FAILED, error.getMessage(), error);
    }

    private static String describe(Throwable failure) {
        return failure instanceof BlueGreenException || failure.getMessage() != null && failure.getMessage().length() > 0
                ? failure.getMessage() : failure.toString();
    }

    private static boolean isInterruption(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String names(List<PlannedStep> steps) {
        return steps.stream().map(PlannedStep::name).toList().toString();
    }

    /** A clean-up action a step registered. */
    private record CleanUp(String description, StepAction action) {
    }

    /** What custom steps, compensations and clean-up actions see. */
    private final class RunStepContext implements StepContext {
        private final String stepName;
        private final Duration timeout;

        RunStepContext(String stepName, Duration timeout) {
            this.stepName = stepName;
            this.timeout = timeout;
        }

        @Override
        public String releaseId() {
            return id;
        }

        @Override
        public String app() {
            return app.app();
        }

        @Override
        public String namespace() {
            return app.namespace();
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public Color previousColor() {
            return from;
        }

        @Override
        public Color targetColor() {
            return to;
        }

        @Override
        public String stepName() {
            return stepName;
        }

        @Override
        public Duration timeout() {
            return timeout;
        }

        @Override
        public TimeSource time() {
            return time;
        }

        @Override
        public void registerCleanUp(String description, StepAction action) {
            Checks.nonBlank("clean-up description", description);
            Checks.nonNull("clean-up action '" + description + "'", action);
            ReleaseRun.this.registerCleanUp(description, action);
        }

        @Override
        public String toString() {
            return "StepContext[" + app + " " + id + " step " + stepName + "]";
        }
    }
}
