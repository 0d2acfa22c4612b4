package dev.bluegreen.internal;

import dev.bluegreen.AppId;
import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.CustomStep;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateFailedException;
import dev.bluegreen.GateStage;
import dev.bluegreen.IllegalPhaseTransitionException;
import dev.bluegreen.LockLostException;
import dev.bluegreen.Outcome;
import dev.bluegreen.Phase;
import dev.bluegreen.PlannedStep;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseCancelledException;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepAction;
import dev.bluegreen.StepContext;
import dev.bluegreen.StepRecord;
import dev.bluegreen.StepStatus;
import dev.bluegreen.TimeSource;
import dev.bluegreen.event.PhaseChanged;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.TrafficSwitcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

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
    final StepRunner steps = new StepRunner(this);
    final RouteGuard route = new RouteGuard(this);
    private final CrashRecovery crash = new CrashRecovery(this);
    final Unwinding unwind = new Unwinding(this);
    final TrafficSwitcher switcher;
    final ColorEnvironments environments;
    final ReleaseStore store;
    private final List<dev.bluegreen.ReleaseListener> runListeners;
    /** Signals received from outside (approvals), read by gates through their context. */
    private final dev.bluegreen.Signals signals;

    private final AtomicBoolean executed = new AtomicBoolean();
    private final CompletableFuture<ReleaseResult> done = new CompletableFuture<>();
    private final Instant startedAt;

    volatile Phase phase = Phase.PENDING;
    volatile ReleaseRecord record;
    volatile LockHandle lock;
    LockKeeper keeper;

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
    final List<StepRecord> timeline = new ArrayList<>();
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final List<GateEvaluation> gateEvaluations = Collections.synchronizedList(new ArrayList<>());
    BlueGreenException error;
    /** What the environments showed about the candidate when the release failed; null until then. */
    volatile dev.bluegreen.Diagnosis diagnosis;
    ReleaseResult recovered;

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
                    crash.recoverCrashed();
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
            Color liveAtEnd = route.finalRead();
            finish();
            Outcome outcome = phase.outcome().orElse(Outcome.FAILED);
            ReleaseResult result = new ReleaseResult(id, app.app(), app.namespace(), version, outcome, from, to,
                    liveAtEnd, colors, timeline, List.copyOf(gateEvaluations),
                    outcome == Outcome.SUCCEEDED && liveAtEnd != null ? null : error, List.copyOf(warnings), startedAt,
                    clock.now(), recovered, outcome == Outcome.SUCCEEDED ? null : diagnosis);
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
            unwind.abort();
            return;
        }
        move(Phase.PREPARING);
        List<PlannedStep> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            PlannedStep step = steps.get(i);
            BlueGreenException stop = control.stopCause(step.phase() != Phase.FINISHING, route.routeGuard);
            if (stop != null && !(stop instanceof ReleaseCancelledException && step.phase() == Phase.FINISHING)) {
                unwind.recover(stop instanceof ReleaseCancelledException ? cancelled("before step '" + step.name() + "'") : stop);
                return;
            }
            if (step.phase() != phase) {
                try {
                    enter(step.phase(), step.name());
                } catch (BlueGreenException e) {
                    unwind.recover(e);
                    return;
                }
            }
            if (control.cancelled() != null && phase == Phase.FINISHING) {
                warnings.add("cancelled after the release was committed; skipped: " + names(steps.subList(i, steps.size())));
                break;
            }
            if (!recordStep(step)) {
                unwind.recover(control.lockLost());
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
                unwind.recover(attempt.error());
                return;
            }
            warnings.add("step '" + step.name() + "' " + attempt.status().name().toLowerCase().replace('_', ' ')
                    + " after the release was committed: " + attempt.error().getMessage());
            if (attempt.status() == StepStatus.CANCELLED) {
                warnings.add("cancelled after the release was committed; skipped: " + names(steps.subList(i + 1, steps.size())));
                break;
            }
        }
        unwind.runRemainingCleanUps();
        RouteChangedException moved = route.routeMovedAway();
        if (moved != null) {
            unwind.recover(moved);
            return;
        }
        move(Phase.SUCCEEDED);
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

    // ---------------------------------------------------------------- recovering a crashed release

    // ---------------------------------------------------------------- shared by steps

    /** Takes the app's lock with the first record, then keeps it renewed. */
    void acquire(ReleaseRecord first, StepDeadline deadline) {
        ReleaseRecord stamped = first.stamped(holder, clock.now());
        LockHandle handle = store.acquire(app, holder, stamped, deadline);
        lock = handle;
        record = stamped;
        keeper = LockKeeper.start(handle, engine.scheduler(), clock, control, app);
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
    void journalQuietly(ReleaseRecord next) {
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

    /**
     * Whether a gate's evaluation stops the release: a failure always does, an inconclusive result per the
     * plan's {@link dev.bluegreen.InconclusivePolicy} (when it does not, the result carries a warning).
     */
    boolean stops(GateEvaluation evaluation) {
        dev.bluegreen.GateResult result = evaluation.result();
        if (result.passed()) {
            return false;
        }
        if (result.status() == dev.bluegreen.GateStatus.INCONCLUSIVE
                && plan.inconclusivePolicy() == dev.bluegreen.InconclusivePolicy.PROCEED) {
            String warning = "gate '" + evaluation.gate() + "' was inconclusive (" + result.reason()
                    + "); the plan proceeds on inconclusive gates";
            synchronized (warnings) {
                if (!warnings.contains(warning)) {
                    warnings.add(warning);
                }
            }
            return false;
        }
        return true;
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

    // ---------------------------------------------------------------- the end

    /** Writes the final record, gives the lock up and stops following the router. */
    private void finish() {
        RouteWatch watch = route.routeWatch;
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

    /**
     * Asks the environments, once, what the candidate looks like, before anything is given up. Only
     * reads, bounded by {@link #DIAGNOSIS_TIMEOUT}; a failure to diagnose is a warning.
     */
    void diagnoseCandidate() {
        Color target = to;
        if (diagnosis != null || target == null || !deployAttempted) {
            return;
        }
        try {
            diagnosis = environments.diagnose(target, dev.bluegreen.spi.Deadline.after(DIAGNOSIS_TIMEOUT)).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("{}: could not diagnose {}: {}", subject(), environments.describe(target), e.toString());
            warnings.add("no diagnosis of " + environments.describe(target) + ": " + e.getMessage());
        }
    }

    /** How long gathering a diagnosis may take. */
    static final Duration DIAGNOSIS_TIMEOUT = Duration.ofSeconds(15);

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
    void enter(Phase next, String step) {
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
                return steps.runStep(step.name(), timeout, cancellable, false, new PreflightStep(this));
            case DEPLOY:
                return steps.runStep(step.name(), timeout, cancellable, true, new DeployStep(this));
            case AWAIT_READY:
                return steps.runStep(step.name(), timeout, cancellable, true, new AwaitReadyStep(this));
            case PRE_SWITCH_GATES:
                return steps.runStep(step.name(), timeout, cancellable, true, new PreSwitchGatesStep(this));
            case SWITCH:
                return steps.runStep(step.name(), timeout, cancellable, true, new SwitchStep(this));
            case OBSERVE:
                return steps.runStep(step.name(), timeout, cancellable, true, new ObserveStep(this));
            case RETIRE_PREVIOUS:
                Duration retention = plan.retention().scaleDownAfter().orElse(Duration.ZERO);
                return steps.runStep(step.name(), retention.plus(timeout), cancellable, true, new RetireStep(this));
            case CLEAN_UP:
                // Not cancellable: a cancel would leave temporary resources behind; the timeout still bounds it.
                return steps.runStep(step.name(), timeout, false, false, unwind::runCleanUpActions);
            default:
                throw new IllegalStateException("no work defined for standard step " + standard);
        }
    }

    private Attempt runCustom(CustomStep custom) {
        Attempt attempt = steps.runStep(custom.name(), custom.timeout(), true, true, deadline -> {
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
            route.wrote();
            if (custom.compensation().isPresent()) {
                unwind.compensations.push(custom);
            }
            journalQuietly(record.withCompleted(custom.name()));
        }
        return attempt;
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String names(List<PlannedStep> steps) {
        return steps.stream().map(PlannedStep::name).toList().toString();
    }

    /** What custom steps, compensations and clean-up actions see. */
    final class RunStepContext implements StepContext {
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
            unwind.registerCleanUp(description, action);
        }

        @Override
        public String toString() {
            return "StepContext[" + app + " " + id + " step " + stepName + "]";
        }
    }
}
