package dev.bluegreen.internal;

import dev.bluegreen.AbortPolicy;
import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.ColorEnvironments;
import dev.bluegreen.CustomStep;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateFailedException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStage;
import dev.bluegreen.HealthGate;
import dev.bluegreen.IllegalPhaseTransitionException;
import dev.bluegreen.Outcome;
import dev.bluegreen.Phase;
import dev.bluegreen.PlannedStep;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseCancelledException;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.RollbackPolicy;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepAction;
import dev.bluegreen.StepContext;
import dev.bluegreen.StepFailedException;
import dev.bluegreen.StepRecord;
import dev.bluegreen.StepStatus;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.SwitchResult;
import dev.bluegreen.TimeSource;
import dev.bluegreen.TrafficSwitcher;
import dev.bluegreen.TrafficVerification;
import dev.bluegreen.event.GateEvaluated;
import dev.bluegreen.event.PhaseChanged;
import dev.bluegreen.event.RolledBack;
import dev.bluegreen.event.StepFinished;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.event.TrafficSwitched;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One release, from {@link Phase#PENDING} to a terminal phase. The runner thread (the caller of
 * {@link #execute()}) drives phases and owns the timeline; each step's work runs on a worker thread
 * so that its timeout and cancellation can interrupt it while the runner stays in control.
 * Recovery actions (abort, rollback, compensation, clean-up) are never cancelled.
 */
final class ReleaseRun implements ReleaseExecution {
    private static final Logger LOG = LoggerFactory.getLogger("dev.bluegreen.ReleaseEngine");
    /** The least a stopped worker is given to wind down before the release moves on. */
    private static final Duration MIN_STOP_WAIT = Duration.ofSeconds(1);

    private final ReleasePlan plan;
    private final TimeSource time;
    private final EventDispatcher events;
    private final Duration grace;
    private final Retry rollbackRetry;
    private final String app;
    private final String namespace;
    private final TrafficSwitcher switcher;
    private final ColorEnvironments environments;

    private final AtomicBoolean executed = new AtomicBoolean();
    private final CompletableFuture<Void> cancelSignal = new CompletableFuture<>();
    private final CompletableFuture<ReleaseResult> done = new CompletableFuture<>();
    private final AtomicInteger workerCount = new AtomicInteger();

    private volatile Phase phase = Phase.PENDING;
    // Written by step workers, read by the runner once the step has ended.
    private volatile Color live;
    private volatile Color idle;
    private volatile int replicas;
    private volatile boolean deployStarted;
    private volatile boolean switchWritten;

    // Owned by the runner thread.
    private final List<StepRecord> timeline = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Deque<CustomStep> compensations = new ArrayDeque<>();
    private BlueGreenException error;
    private boolean compensationFailed;
    private boolean interruptedExternally;

    private final List<GateEvaluation> gateEvaluations = Collections.synchronizedList(new ArrayList<>());
    private final Deque<CleanUp> cleanUps = new ConcurrentLinkedDeque<>();

    ReleaseRun(ReleasePlan plan, TimeSource time, EventDispatcher events, Duration grace, int rollbackAttempts) {
        this.plan = plan;
        this.time = time;
        this.events = events;
        this.grace = grace;
        this.app = plan.app();
        this.namespace = plan.namespace();
        this.switcher = plan.switcher();
        this.environments = plan.environments();
        this.rollbackRetry = Retry.of("rollback-" + namespace + "-" + app, RetryConfig.custom()
                .maxAttempts(rollbackAttempts)
                .waitDuration(Duration.ofMillis(100))
                .retryExceptions(SwitchConflictException.class)
                .build());
    }

    // ---------------------------------------------------------------- ReleaseExecution

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
        return !done.isDone() && cancelSignal.complete(null);
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

    ReleaseResult execute() {
        if (!executed.compareAndSet(false, true)) {
            throw new IllegalStateException("release of " + app + " in namespace " + namespace + " already ran");
        }
        Instant startedAt = time.now();
        LOG.info("release of {} in namespace {} to {} started via {}", app, namespace, plan.version(), switcher.target());
        try {
            forward();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw (VirtualMachineError) e;
            }
            LOG.error("release of {} in namespace {}: unexpected failure in phase {}", app, namespace, phase, e);
            failWith(new BlueGreenException("release of " + app + " in namespace " + namespace
                    + " failed unexpectedly in phase " + phase + ": " + e, e));
            if (!phase.isTerminal()) {
                move(Phase.FAILED);
            }
        }
        Color liveAtEnd = readLiveColorAtEnd();
        Outcome outcome = phase.outcome().orElse(Outcome.FAILED);
        ReleaseResult result = new ReleaseResult(app, namespace, plan.version(), outcome, live, idle, liveAtEnd,
                timeline, List.copyOf(gateEvaluations), outcome == Outcome.SUCCEEDED ? null : error, warnings,
                startedAt, time.now());
        LOG.info("release of {} in namespace {} to {} ended {}; live color {}{}", app, namespace, plan.version(),
                outcome, liveAtEnd, error == null ? "" : "; " + error.getMessage());
        done.complete(result);
        if (interruptedExternally) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private void forward() {
        if (cancelSignal.isDone()) {
            failWith(cancelled("before it started"));
            abort();
            return;
        }
        move(Phase.PREPARING);
        List<PlannedStep> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            PlannedStep step = steps.get(i);
            if (cancelSignal.isDone() && step.phase() != Phase.FINISHING) {
                recover(cancelled("before step '" + step.name() + "'"));
                return;
            }
            if (step.phase() != phase) {
                move(step.phase());
            }
            if (cancelSignal.isDone()) {
                warnings.add("cancelled after the release was committed; skipped: " + names(steps.subList(i, steps.size())));
                break;
            }
            Attempt attempt = runPlanned(step);
            if (attempt.ok()) {
                continue;
            }
            if (phase != Phase.FINISHING) {
                recover(attempt.error);
                return;
            }
            warnings.add("step '" + step.name() + "' " + attempt.status.name().toLowerCase().replace('_', ' ')
                    + " after the release was committed: " + attempt.error.getMessage());
            if (attempt.status == StepStatus.CANCELLED) {
                warnings.add("cancelled after the release was committed; skipped: " + names(steps.subList(i + 1, steps.size())));
                break;
            }
        }
        runRemainingCleanUps();
        move(Phase.SUCCEEDED);
    }

    /** Brings a release that failed before being committed to a safe end. */
    private void recover(BlueGreenException cause) {
        failWith(cause);
        if (phase == Phase.PREPARING || (phase == Phase.SWITCHING && !trafficMayHaveMoved(cause))) {
            abort();
        } else {
            rollBack(cause);
        }
    }

    private boolean trafficMayHaveMoved(BlueGreenException cause) {
        if (switchWritten) {
            return true;
        }
        if (cause instanceof PreflightException || cause instanceof SwitchConflictException) {
            return false;
        }
        try {
            return !live.equals(switcher.liveColor());
        } catch (RuntimeException e) {
            LOG.warn("release of {} in namespace {}: cannot tell whether traffic moved ({}); switching back to be safe",
                    app, namespace, e.toString());
            return true;
        }
    }

    private void abort() {
        move(Phase.ABORTING);
        compensate();
        releaseIdleColor();
        runRemainingCleanUps();
        move(compensationFailed ? Phase.FAILED : Phase.ABORTED);
    }

    private void rollBack(BlueGreenException cause) {
        if (plan.rollbackPolicy() == RollbackPolicy.MANUAL) {
            warnings.add("rollback policy is MANUAL: traffic left on " + idle + " via " + switcher.target()
                    + "; switch back to " + live + " by hand if needed");
            runRemainingCleanUps();
            move(Phase.FAILED);
            return;
        }
        move(Phase.ROLLING_BACK);
        Duration timeout = plan.timeout(StandardStep.SWITCH);
        Attempt back = runRecovery("rollback", timeout, timeout.plus(grace), () -> switchBack(cause, timeout));
        if (!back.ok()) {
            warnings.add("switching traffic back to " + live + " failed, traffic may still reach " + idle + ": "
                    + back.error.getMessage());
            cause.addSuppressed(back.error);
            runRemainingCleanUps();
            move(Phase.FAILED);
            return;
        }
        compensate();
        releaseIdleColor();
        runRemainingCleanUps();
        move(compensationFailed ? Phase.FAILED : Phase.ROLLED_BACK);
    }

    private Done switchBack(BlueGreenException cause, Duration timeout) {
        long start = System.nanoTime();
        SwitchResult result = Retry.decorateSupplier(rollbackRetry, () -> switcher.switchTo(live)).get();
        events.emit(new RolledBack(app, namespace, time.now(), result, cause.getMessage()));
        TrafficVerification verification = switcher.verify(live, remaining(timeout, start));
        return Done.of(result + "; verified: " + verification);
    }

    private void compensate() {
        while (!compensations.isEmpty()) {
            CustomStep step = compensations.pop();
            StepAction compensation = step.compensation().orElseThrow();
            String name = "compensate:" + step.name();
            Attempt attempt = runRecovery(name, step.timeout(), step.timeout(), () -> {
                compensation.run(new RunStepContext(name, step.timeout()));
                return Done.of("compensated step '" + step.name() + "'");
            });
            if (!attempt.ok()) {
                compensationFailed = true;
                warnings.add("compensation of step '" + step.name() + "' " + attempt.status.name().toLowerCase()
                        + ": " + attempt.error.getMessage());
            }
        }
    }

    /** Handles the new color of a release that did not go through, per the abort policy. */
    private void releaseIdleColor() {
        if (!deployStarted) {
            return;
        }
        Duration timeout = plan.timeout(StandardStep.RETIRE_PREVIOUS);
        if (plan.abortPolicy() == AbortPolicy.KEEP_IDLE) {
            runRecovery("scale-down-idle", timeout, timeout, () -> Done.skipped("abort policy KEEP_IDLE keeps "
                    + environments.describe(idle) + " as it is"));
            return;
        }
        Attempt attempt = runRecovery("scale-down-idle", timeout, timeout, () -> {
            environments.scaleDown(idle);
            return Done.of(environments.describe(idle) + " scaled down to 0 replicas");
        });
        if (!attempt.ok()) {
            warnings.add("idle color " + idle + " was not scaled down: " + attempt.error.getMessage());
        }
    }

    private void runRemainingCleanUps() {
        if (cleanUps.isEmpty()) {
            return;
        }
        Duration timeout = plan.timeout(StandardStep.CLEAN_UP);
        Attempt attempt = runRecovery(StandardStep.CLEAN_UP.stepName(), timeout, timeout, this::runCleanUpActions);
        if (!attempt.ok()) {
            warnings.add("clean-up incomplete: " + attempt.error.getMessage());
        }
    }

    private void failWith(BlueGreenException cause) {
        if (error == null) {
            error = cause;
        }
    }

    private ReleaseCancelledException cancelled(String where) {
        return new ReleaseCancelledException("release of " + app + " in namespace " + namespace + " was cancelled " + where);
    }

    private Color readLiveColorAtEnd() {
        try {
            return switcher.liveColor();
        } catch (RuntimeException e) {
            if (live != null) {
                warnings.add("could not read the live color at the end: " + e.getMessage());
            }
            return null;
        }
    }

    private void move(Phase to) {
        Phase from = phase;
        if (!from.canMoveTo(to)) {
            throw new IllegalPhaseTransitionException(app, from, to);
        }
        phase = to;
        LOG.info("release of {} in namespace {}: phase {} -> {}", app, namespace, from, to);
        events.emit(new PhaseChanged(app, namespace, time.now(), from, to));
    }

    // ---------------------------------------------------------------- steps

    private Attempt runPlanned(PlannedStep step) {
        if (step.customStep().isPresent()) {
            CustomStep custom = step.customStep().get();
            Attempt attempt = runStep(step.name(), step.timeout(), step.timeout(), true, () -> {
                custom.action().run(new RunStepContext(custom.name(), custom.timeout()));
                return Done.of("completed");
            });
            if (attempt.ok() && custom.compensation().isPresent()) {
                compensations.push(custom);
            }
            return attempt;
        }
        StandardStep standard = step.standardStep().orElseThrow();
        Duration timeout = step.timeout();
        switch (standard) {
            case PREFLIGHT:
                return runStep(step.name(), timeout, timeout, true, this::preflight);
            case DEPLOY:
                return runStep(step.name(), timeout, timeout, true, this::deploy);
            case AWAIT_READY:
                return runStep(step.name(), timeout, timeout.plus(grace), true, () -> awaitReady(timeout));
            case PRE_SWITCH_GATES:
                return runStep(step.name(), timeout, timeout, true, this::preSwitchGates);
            case SWITCH:
                return runStep(step.name(), timeout, timeout.plus(grace), true, () -> switchTraffic(timeout));
            case OBSERVE:
                return runStep(step.name(), timeout, timeout, true, this::observe);
            case RETIRE_PREVIOUS:
                Duration retention = plan.retention().scaleDownAfter().orElse(Duration.ZERO);
                return runStep(step.name(), timeout, retention.plus(timeout), true, this::retirePrevious);
            case CLEAN_UP:
                return runStep(step.name(), timeout, timeout, true, this::runCleanUpActions);
            default:
                throw new IllegalStateException("no work defined for standard step " + standard);
        }
    }

    private Done preflight() {
        Color current = switcher.liveColor();
        live = current;
        if (!plan.colors().contains(current)) {
            throw new PreflightException(subject(), List.of(switcher.target() + " routes traffic to color '" + current
                    + "', which is not one of the plan's colors " + plan.colors()));
        }
        Color target = plan.otherColor(current);
        idle = target;
        List<String> problems = new ArrayList<>();
        collectProblems(problems, () -> switcher.checkRoutable(target));
        collectProblems(problems, () -> environments.checkDeployable(target));
        int wanted = 0;
        if (plan.replicas().isPresent()) {
            wanted = plan.replicas().getAsInt();
        } else {
            try {
                wanted = environments.replicas(current);
                if (wanted < 1) {
                    problems.add(environments.describe(current) + " asks for " + wanted
                            + " replicas, so there is no replica count to match; set the plan's replicas explicitly");
                }
            } catch (PreflightException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(subject(), problems);
        }
        replicas = wanted;
        return Done.of("live color " + current + " via " + switcher.target() + "; " + plan.version() + " goes to "
                + target + " (" + environments.describe(target) + ") with " + wanted + " replicas");
    }

    private String subject() {
        return "release of " + app + " in namespace " + namespace + " to " + plan.version();
    }

    private static void collectProblems(List<String> problems, Runnable check) {
        try {
            check.run();
        } catch (PreflightException e) {
            problems.addAll(e.problems());
        }
    }

    private Done deploy() {
        deployStarted = true;
        environments.deploy(idle, plan.version(), replicas);
        return Done.of(environments.describe(idle) + " now runs " + plan.version() + " with " + replicas + " replicas requested");
    }

    private Done awaitReady(Duration timeout) {
        environments.awaitReady(idle, timeout);
        return Done.of(environments.describe(idle) + ": " + replicas + " of " + replicas + " replicas available");
    }

    private Done preSwitchGates() throws InterruptedException {
        List<HealthGate> gates = plan.preSwitchGates();
        if (gates.isEmpty()) {
            return Done.skipped("no pre-switch gates");
        }
        GateContext context = gateContext(GateStage.PRE_SWITCH);
        for (HealthGate gate : gates) {
            GateEvaluation evaluation = recordGate(gate.name(), GateStage.PRE_SWITCH, Gates.evaluate(gate, context));
            if (!evaluation.result().passed()) {
                throw new GateFailedException(app, namespace, evaluation);
            }
        }
        return Done.of(count(gates.size(), "gate") + " passed against " + idle);
    }

    private Done switchTraffic(Duration timeout) {
        long start = System.nanoTime();
        SwitchResult result = switcher.switchTo(idle);
        switchWritten = true;
        events.emit(new TrafficSwitched(app, namespace, time.now(), result));
        TrafficVerification verification = switcher.verify(idle, remaining(timeout, start));
        return Done.of(result + "; verified: " + verification);
    }

    private Done observe() throws InterruptedException {
        List<HealthGate> gates = plan.postSwitchGates();
        if (gates.isEmpty()) {
            return Done.skipped("no post-switch gates");
        }
        GateContext context = gateContext(GateStage.POST_SWITCH);
        ExecutorService pool = Executors.newFixedThreadPool(gates.size(), runnable -> worker(runnable, "observe"));
        try {
            CompletionService<GateEvaluation> running = new ExecutorCompletionService<>(pool);
            for (HealthGate gate : gates) {
                running.submit(() -> recordGate(gate.name(), GateStage.POST_SWITCH, Gates.evaluate(gate, context)));
            }
            for (int i = 0; i < gates.size(); i++) {
                GateEvaluation evaluation = resultOf(running.take());
                if (!evaluation.result().passed()) {
                    throw new GateFailedException(app, namespace, evaluation);
                }
            }
        } finally {
            stopGates(pool);
        }
        return Done.of(count(gates.size(), "gate") + " passed against live color " + idle);
    }

    /** Interrupts the gates still running and lets them end, so none is left evaluating during a rollback. */
    private void stopGates(ExecutorService pool) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(MIN_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("release of {} in namespace {}: a post-switch gate ignored its interruption and still runs",
                        app, namespace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static GateEvaluation resultOf(Future<GateEvaluation> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InterruptedException) {
                throw (InterruptedException) e.getCause();
            }
            throw new IllegalStateException("gate evaluation failed unexpectedly", e.getCause());
        }
    }

    private Done retirePrevious() throws InterruptedException {
        Optional<Duration> after = plan.retention().scaleDownAfter();
        if (after.isEmpty()) {
            return Done.skipped("retention keeps " + environments.describe(live) + " running");
        }
        time.sleep(after.get());
        environments.scaleDown(live);
        return Done.of(environments.describe(live) + " scaled down to 0 replicas after a retention of " + after.get());
    }

    private Done runCleanUpActions() {
        if (cleanUps.isEmpty()) {
            return Done.skipped("nothing to clean up");
        }
        List<String> failures = new ArrayList<>();
        int ran = 0;
        for (CleanUp cleanUp = cleanUps.pollFirst(); cleanUp != null; cleanUp = cleanUps.pollFirst()) {
            ran++;
            try {
                cleanUp.action.run(new RunStepContext(StandardStep.CLEAN_UP.stepName(), plan.timeout(StandardStep.CLEAN_UP)));
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                failures.add("'" + cleanUp.description + "' failed: " + e);
            }
        }
        if (!failures.isEmpty()) {
            throw new BlueGreenException("release of " + app + " in namespace " + namespace + ": " + failures.size()
                    + " of " + ran + " clean-up actions failed: " + String.join("; ", failures));
        }
        return Done.of(count(ran, "clean-up action") + " done");
    }

    private GateContext gateContext(GateStage stage) {
        return GateContext.builder().app(app).namespace(namespace).version(plan.version()).candidate(idle)
                .previous(live).stage(stage).time(time)
                .onInterim((gate, result) -> emitGate(new GateEvaluation(gate, stage, result, time.now()), true))
                .build();
    }

    private GateEvaluation recordGate(String gate, GateStage stage, GateResult result) {
        GateEvaluation evaluation = new GateEvaluation(gate, stage, result, time.now());
        gateEvaluations.add(evaluation);
        emitGate(evaluation, false);
        return evaluation;
    }

    private void emitGate(GateEvaluation evaluation, boolean interim) {
        events.emit(new GateEvaluated(app, namespace, evaluation.at(), evaluation, interim));
    }

    private static Duration remaining(Duration timeout, long startNanos) {
        Duration left = timeout.minusNanos(System.nanoTime() - startNanos);
        return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String names(List<PlannedStep> steps) {
        return steps.stream().map(PlannedStep::name).toList().toString();
    }

    // ---------------------------------------------------------------- running one step

    private Attempt runRecovery(String name, Duration timeout, Duration hardTimeout, Work work) {
        return runStep(name, timeout, hardTimeout, false, work);
    }

    /**
     * Runs work on a worker thread and waits for it, its hard timeout or, when cancellable, a
     * cancellation; records the step in the timeline and emits its events.
     */
    private Attempt runStep(String name, Duration timeout, Duration hardTimeout, boolean cancellable, Work work) {
        Instant startedAt = time.now();
        Phase runningIn = phase;
        events.emit(new StepStarted(app, namespace, startedAt, name, timeout));
        CompletableFuture<Done> future = new CompletableFuture<>();
        Thread worker = worker(() -> {
            try {
                future.complete(work.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }, name);
        worker.start();

        Attempt attempt;
        try {
            Done result = await(future, hardTimeout, cancellable);
            attempt = result == null
                    ? stop(worker, future, StepStatus.CANCELLED, cancelled("during step '" + name + "'"))
                    : new Attempt(result.skipped ? StepStatus.SKIPPED : StepStatus.SUCCEEDED, result.detail, null);
        } catch (TimeoutException e) {
            attempt = stop(worker, future, StepStatus.TIMED_OUT, new StepFailedException(name, "release of " + app
                    + " in namespace " + namespace + ": step '" + name + "' did not finish within " + timeout, null));
        } catch (ExecutionException e) {
            attempt = failed(name, e.getCause());
        }
        StepRecord record = new StepRecord(name, runningIn, attempt.status, startedAt,
                Duration.between(startedAt, time.now()), attempt.detail, attempt.error);
        timeline.add(record);
        if (attempt.ok()) {
            LOG.info("release of {} in namespace {}: {}", app, namespace, record);
        } else {
            LOG.warn("release of {} in namespace {}: {}", app, namespace, record);
        }
        events.emit(new StepFinished(app, namespace, time.now(), record));
        return attempt;
    }

    /** @return the step's result, or null when the release was cancelled first */
    private Done await(CompletableFuture<Done> future, Duration hardTimeout, boolean cancellable)
            throws TimeoutException, ExecutionException {
        long deadline = System.nanoTime() + hardTimeout.toNanos();
        CompletableFuture<?> either = cancellable ? CompletableFuture.anyOf(future, cancelSignal) : future;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            try {
                either.get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // inspected through future below
            } catch (InterruptedException e) {
                // Someone interrupted the runner thread: that cancels the release, but recovery
                // actions must finish, so those keep waiting. The flag is restored on return.
                interruptedExternally = true;
                cancelSignal.complete(null);
                continue;
            }
            if (future.isDone()) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("unreachable: the future is done", e);
                }
            }
            return null;
        }
    }

    private Attempt stop(Thread worker, CompletableFuture<Done> future, StepStatus status, BlueGreenException error) {
        worker.interrupt();
        // Let the worker wind down so its writes cannot land after the recovery's writes.
        Duration wait = grace.compareTo(MIN_STOP_WAIT) > 0 ? grace : MIN_STOP_WAIT;
        try {
            future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            interruptedExternally = true;
        } catch (ExecutionException | TimeoutException e) {
            if (!future.isDone()) {
                LOG.warn("release of {} in namespace {}: worker {} still running {} after being interrupted",
                        app, namespace, worker.getName(), wait);
            }
        }
        return new Attempt(status, error.getMessage(), error);
    }

    private Attempt failed(String step, Throwable cause) {
        if (cause instanceof InterruptedException || cause instanceof ReleaseCancelledException) {
            ReleaseCancelledException cancelled = cancelled("during step '" + step + "'");
            return new Attempt(StepStatus.CANCELLED, cancelled.getMessage(), cancelled);
        }
        BlueGreenException error = cause instanceof BlueGreenException
                ? (BlueGreenException) cause
                : new StepFailedException(step, "release of " + app + " in namespace " + namespace + ": step '" + step
                        + "' failed: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        return new Attempt(StepStatus.FAILED, error.getMessage(), error);
    }

    private Thread worker(Runnable runnable, String purpose) {
        Thread thread = new Thread(runnable, "bluegreen-" + app + "-" + purpose + "-" + workerCount.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }

    /** The work of a step: returns what it did. */
    @FunctionalInterface
    private interface Work {
        Done call() throws Exception;
    }

    /** What a step's work reports. */
    private static final class Done {
        final String detail;
        final boolean skipped;

        private Done(String detail, boolean skipped) {
            this.detail = detail;
            this.skipped = skipped;
        }

        static Done of(String detail) {
            return new Done(detail, false);
        }

        static Done skipped(String why) {
            return new Done(why, true);
        }
    }

    /** How one step ended. */
    private static final class Attempt {
        final StepStatus status;
        final String detail;
        final BlueGreenException error;

        Attempt(StepStatus status, String detail, BlueGreenException error) {
            this.status = status;
            this.detail = detail;
            this.error = error;
        }

        boolean ok() {
            return status == StepStatus.SUCCEEDED || status == StepStatus.SKIPPED;
        }
    }

    /** A clean-up action a step registered. */
    private static final class CleanUp {
        final String description;
        final StepAction action;

        CleanUp(String description, StepAction action) {
            this.description = description;
            this.action = action;
        }
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
        public String app() {
            return app;
        }

        @Override
        public String namespace() {
            return namespace;
        }

        @Override
        public String version() {
            return plan.version();
        }

        @Override
        public Color previousColor() {
            return live;
        }

        @Override
        public Color targetColor() {
            return idle;
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
            cleanUps.addFirst(new CleanUp(description, action));
        }

        @Override
        public String toString() {
            return "StepContext[" + namespace + "/" + app + " step " + stepName + "]";
        }
    }
}
