package dev.bluegreen.examples;

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
import dev.bluegreen.UnfinishedReleaseException;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.event.TrafficSwitched;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.Fault;
import dev.bluegreen.testkit.FaultRule;
import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The chaos matrix: releases of myapp v1 -> v2 on the embedded simulated cluster, each under one
 * attack, each followed by the invariant checks of {@link ChaosRun}:
 * <ol>
 *   <li>API faults (500, 429, 409, connection reset, response lost after the write applied) at
 *       every request index of a clean release, with the client's own retries off so that every
 *       fault reaches the SDK, and a smaller pass with the client's default retries;</li>
 *   <li>cancel at every step and during each write (held by the server while the cancel arrives);
 *       interrupting the thread that called {@code engine.run} at every step;</li>
 *   <li>a crash at every step, right before and after the switch write and during each write to the
 *       app, also those of a rollback (the server holding it until after the recovery), the lease running out,
 *       the next release refusing, recovery by a new engine rolling back or forward, and the
 *       crashed release's zombie made harmless;</li>
 *   <li>two concurrent releases of the same app, with varied start offsets;</li>
 *   <li>foreign edits (switch, scale, annotation) at every step, and (5b) a switch or a scale right
 *       before each request the release thread sends, inside its read-then-write windows.</li>
 * </ol>
 * Prints a table and ends with {@code chaos: <N> runs, <V> invariant violations}. One kind of
 * finding is counted apart, as a documented limitation, and printed in full: a foreign switch that
 * lands between the SDK's read of the Service and its write to a Deployment (see
 * {@code ChaosRun.raceWindow}); everything else is a violation.
 */
public final class Chaos {
    static final String LOCKED = "LOCKED";
    static final String REFUSED = "REFUSED";
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);
    /** How long the server holds the write a release crashed during: it lands after the recovery (usually). */
    private static final Duration IN_FLIGHT = Duration.ofSeconds(3);
    private static final List<String> OUTCOME_COLUMNS = List.of("SUCCEEDED", "ROLLED_BACK", "ABORTED", "FAILED", LOCKED,
            REFUSED);

    /** How much of the matrix to run. */
    static final class Options {
        /** Family 1, client retries off: every n-th request index. */
        int faultStride = 1;
        /** Family 1, default client retries: every n-th request index. */
        int retriedStride = 3;
        /** Family 2, cancel during a write: every n-th write. */
        int writeStride = 1;
        /** Families 2, 3 and 5: steps to attack; null for every step of a clean release. */
        Set<String> steps;
        /** Family 3: crash points (steps, before / during each write / after the switch write); null for all. */
        Predicate<String> crashPoints;
        /** Family 4: how many concurrent-release runs. */
        int concurrentRuns = 24;
        /** Family 5: foreign edits to make; null for all. */
        Set<String> edits;
        /** Only the families whose number is listed, e.g. "13"; null for all. */
        String families;
        /** Print every run with its outcomes and notes. */
        boolean verbose;

        static Options full() {
            return new Options();
        }

        /** A bounded sample of every family, for {@code mvn verify}. */
        static Options bounded() {
            Options options = new Options();
            options.faultStride = 11;
            options.retriedStride = 100;
            options.writeStride = 12;
            options.steps = Set.of("switch", "observe");
            options.crashPoints = point -> Set.of("deploy", "after-switch-write",
                    "during PATCH deployments/" + ChaosRun.APP + "-blue").contains(point);
            options.concurrentRuns = 3;
            options.edits = Set.of("switch", "scale-blue", "annotate-service");
            return options;
        }
    }

    /** What one run did and found. */
    record RunRecord(String family, String kind, String label, List<String> outcomes, List<String> violations,
                     List<String> limitations, List<String> notes, boolean attacked, long nanos) {
    }

    /** Every run of one invocation. */
    static final class Report {
        final List<RunRecord> runs = new ArrayList<>();
        long nanos;

        int violations() {
            return runs.stream().mapToInt(r -> r.violations().size()).sum();
        }

        int limitations() {
            return runs.stream().mapToInt(r -> r.limitations().size()).sum();
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Report report = new Report();
    private SimulatedCluster cluster;
    private KubernetesClient observer;
    private final AtomicInteger namespaces = new AtomicInteger();
    private List<String> steps;
    private int requests;
    private int releaseThreadRequests;
    private List<String> writeNames;
    private int writes;

    private Chaos(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * @param args {@code --quick} runs the bounded sample instead of the full matrix; {@code --families 13}
     *             runs only families 1 and 3; {@code --verbose} prints every run
     * @param out  where to print the table
     * @return 0 when no invariant was violated, 1 otherwise, 2 on bad arguments
     */
    public static int run(String[] args, PrintStream out) {
        Options options = Options.full();
        String families = null;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                options = Options.bounded();
            } else if (args[i].equals("--families") && i + 1 < args.length && args[i + 1].matches("[1-5]+")) {
                families = args[++i];
            } else if (args[i].equals("--verbose")) {
                verbose = true;
            } else {
                System.err.println("unknown argument '" + args[i] + "'; expected --quick, --families <digits 1-5>, --verbose");
                return 2;
            }
        }
        options.families = families;
        options.verbose = verbose;
        Report report = run(options, out);
        return report.violations() == 0 ? 0 : 1;
    }

    static Report run(Options options, PrintStream out) {
        return new Chaos(options, out).runAll();
    }

    private Report runAll() {
        long start = System.nanoTime();
        try (SimulatedCluster simulated = SimulatedCluster.builder().startDelay(Duration.ZERO).start()) {
            cluster = simulated;
            observer = cluster.newClient(config -> config.withUserAgent(SimulatedCluster.CONTROLLER_USER_AGENT));
            baseline();
            out.printf("clean release: %d steps %s, %d API requests (%d writes, %d sent by the release's own thread)%n",
                    steps.size(), steps, requests, writes, releaseThreadRequests);
            List<Runnable> families = List.of(this::apiFaults, this::cancels, this::crashes, this::concurrentReleases,
                    this::foreignEdits);
            for (int f = 0; f < families.size(); f++) {
                if (options.families == null || options.families.contains(String.valueOf(f + 1))) {
                    families.get(f).run();
                }
            }
        }
        report.nanos = System.nanoTime() - start;
        print();
        return report;
    }

    // ---------------------------------------------------------------- running one case

    /** One case: builds a run, attacks and checks it, records the result; a harness failure counts as a violation. */
    private void attempt(String family, String kind, String label, CaseBody body) {
        long start = System.nanoTime();
        Case c = new Case();
        ChaosRun run = null;
        try {
            run = new ChaosRun(cluster, observer, "chaos-" + namespaces.incrementAndGet());
            body.run(run, c);
        } catch (Throwable t) {
            c.violations.add("harness: the run could not complete: " + t);
        } finally {
            cluster.faults().clear();
            if (run != null) {
                c.violations.addAll(0, run.violations);
                c.limitations.addAll(run.limitations);
                c.notes.addAll(run.notes);
                run.close();
            }
            cluster.requests().clear();
        }
        RunRecord record = new RunRecord(family, kind, label, c.outcomes, c.violations, c.limitations, c.notes,
                c.attacked, System.nanoTime() - start);
        report.runs.add(record);
        if (options.verbose) {
            out.printf("%-30s %-44s %-26s %5d ms%s%s%n", family, label, record.outcomes(), record.nanos() / 1_000_000,
                    record.attacked() ? "" : " (attack did not happen)", record.notes().isEmpty() ? ""
                            : "\n    " + String.join("\n    ", record.notes()));
        }
    }

    /** The attack and checks of one case. */
    @FunctionalInterface
    private interface CaseBody {
        void run(ChaosRun run, Case c) throws Exception;
    }

    /** What a case records besides the run's own findings. */
    private static final class Case {
        final List<String> outcomes = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        final List<String> limitations = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        boolean attacked;

        void outcome(ReleaseResult result) {
            Throwable error = result.error().orElse(null);
            outcomes.add(error instanceof ReleaseLockedException ? LOCKED
                    : error instanceof UnfinishedReleaseException && result.outcome() == Outcome.ABORTED ? REFUSED
                    : result.outcome().name());
        }
    }

    private static ReleaseResult await(ReleaseExecution execution) throws InterruptedException {
        Optional<ReleaseResult> result = execution.await(RUN_LIMIT);
        if (result.isEmpty()) {
            execution.cancel();
            throw new IllegalStateException("release " + execution.releaseId() + " did not end within " + RUN_LIMIT
                    + " (phase " + execution.phase() + ")");
        }
        return result.get();
    }

    /** The checks after a run with one release. */
    private static void checkSingle(ChaosRun run, ReleaseResult result, Case c) {
        ChaosRun.Read end = run.settled();
        run.checkTimeline(run.startRv);
        run.checkEnd(end.state(), ChaosRun.committed(result));
        run.checkResult("release", result, run.resultView(end.state(), result), run.sdkSwitched(run.startRv, end.rv()), "blue");
        checkRecord(run, result, c);
        c.outcome(result);
    }

    /** The app's release record agrees with the result, so the next release is not refused. */
    private static void checkRecord(ChaosRun run, ReleaseResult result, Case c) {
        ReleaseStatus status = run.engine("checker").build().status(run.plan(run.observer, ChaosRun.V2));
        Optional<ReleaseRecord> record = status.record();
        if (record.isPresent() && record.get().releaseId().equals(result.releaseId())) {
            if (!record.get().finished() || record.get().outcome() != result.outcome()) {
                run.violation("I4: " + result.releaseId() + " ended " + result.outcome() + ", but the app's release record "
                        + "says " + record.get().phase() + " (" + record.get() + "); the next release would "
                        + (record.get().finished() ? "see a wrong outcome" : "be refused as unfinished"));
            }
        }
        if (status.running()) {
            c.notes.add("the release lock was still held after " + result.releaseId() + " ended: " + status.lock().orElseThrow());
        }
    }

    private static ReleaseListener atStep(String step, Runnable action) {
        AtomicBoolean once = new AtomicBoolean();
        return event -> {
            if (event instanceof StepStarted started && started.step().equals(step) && once.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    private List<String> attackedSteps() {
        return steps.stream().filter(s -> options.steps == null || options.steps.contains(s)).toList();
    }

    // ---------------------------------------------------------------- the clean release

    private void baseline() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger fromReleaseThread = new AtomicInteger();
        List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();
        attempt("0 baseline", "clean release", "clean", (run, c) -> {
            KubernetesClient client = run.client("release", false);
            String agent = run.agent("release");
            // Counts the requests the release thread sends (family 5b edits before each); consumed by the
            // release's last request, which gives the lock up.
            cluster.beforeNextRequest(request -> {
                if (agent.equals(request.userAgent()) && Thread.currentThread().getName().startsWith("bluegreen-release")) {
                    fromReleaseThread.incrementAndGet();
                }
                return agent.equals(request.userAgent()) && request.method().equals("PATCH")
                        && request.pathWithoutQuery().endsWith("/leases/" + ChaosRun.LEASE)
                        && request.body().contains("\"holderIdentity\":\"\"");
            }, () -> { });
            ReleaseResult result = run.engine("chaos").build().run(run.plan(client, ChaosRun.V2), event -> {
                if (event instanceof StepStarted started) {
                    seen.add(started.step());
                }
            });
            List<ClientRequest> requests = run.requestsOf("release");
            sent.set(requests.size());
            written.set((int) requests.stream().filter(ChaosRun::isWrite).count());
            requests.stream().filter(ChaosRun::isWrite).forEach(write -> names.add(describe(write)));
            checkSingle(run, result, c);
            if (result.outcome() != Outcome.SUCCEEDED) {
                c.violations.add("the clean release did not succeed: " + result.summary());
            }
        });
        steps = List.copyOf(seen);
        requests = sent.get();
        releaseThreadRequests = fromReleaseThread.get();
        writeNames = List.copyOf(names);
        writes = written.get();
        if (steps.isEmpty() || requests == 0) {
            throw new IllegalStateException("the clean release made no requests; see the table: " + report.runs);
        }
    }

    // ---------------------------------------------------------------- 1. API faults

    private void apiFaults() {
        Map<String, Fault> faults = new LinkedHashMap<>();
        faults.put("500", Fault.status(500));
        faults.put("429", Fault.tooManyRequests(Duration.ofSeconds(1)));
        faults.put("409", Fault.conflict());
        faults.put("connection reset", Fault.connectionReset());
        faults.put("response lost after apply", Fault.applyThenLoseResponse());
        for (boolean ownRetries : new boolean[] {false, true}) {
            int stride = ownRetries ? options.retriedStride : options.faultStride;
            String family = ownRetries ? "1b faults, client retries on" : "1a faults, client retries off";
            for (Map.Entry<String, Fault> fault : faults.entrySet()) {
                for (int i = 0; i < requests; i += stride) {
                    int index = i;
                    attempt(family, fault.getKey(), fault.getKey() + " at request " + index, (run, c) -> {
                        KubernetesClient client = run.client("release", ownRetries);
                        FaultRule rule = cluster.faults().atUserRequest(index).inject(fault.getValue());
                        ReleaseResult result = run.engine("chaos").build().run(run.plan(client, ChaosRun.V2));
                        c.attacked = rule.timesFired() > 0;
                        if (c.attacked) {
                            c.notes.add("fault hit " + cluster.faults().injected().get(0).toString());
                        }
                        cluster.faults().clear();
                        checkSingle(run, result, c);
                    });
                }
            }
        }
    }

    // ---------------------------------------------------------------- 2. cancel and interrupt

    private void cancels() {
        String family = "2 cancel / interrupt";
        for (String step : attackedSteps()) {
            attempt(family, "cancel at step", "cancel at " + step, (run, c) -> {
                KubernetesClient client = run.client("release", false);
                CompletableFuture<ReleaseExecution> handle = new CompletableFuture<>();
                ReleaseExecution execution = run.engine("chaos").build().start(run.plan(client, ChaosRun.V2),
                        atStep(step, () -> c.attacked = handle.join().cancel()));
                handle.complete(execution);
                checkSingle(run, await(execution), c);
            });
        }
        for (int w = 0; w < writes; w += options.writeStride) {
            int index = w;
            attempt(family, "cancel during write", "cancel during write " + index, (run, c) -> {
                KubernetesClient client = run.client("release", false);
                CompletableFuture<ReleaseExecution> handle = new CompletableFuture<>();
                CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
                String agent = run.agent("release");
                AtomicInteger seen = new AtomicInteger();
                Predicate<ClientRequest> nthWrite = request -> {
                    if (!agent.equals(request.userAgent()) || !ChaosRun.isWrite(request)
                            || seen.getAndIncrement() != index) {
                        return false;
                    }
                    // The server holds this write while the cancel arrives.
                    CompletableFuture.runAsync(() -> cancelled.complete(handle.join().cancel()));
                    return true;
                };
                FaultRule rule = cluster.faults().when(nthWrite).inject(Fault.delay(Duration.ofMillis(100)));
                ReleaseExecution execution = run.engine("chaos").build().start(run.plan(client, ChaosRun.V2));
                handle.complete(execution);
                ReleaseResult result = await(execution);
                c.attacked = rule.timesFired() > 0 && cancelled.getNow(false);
                checkSingle(run, result, c);
            });
        }
        for (String step : attackedSteps()) {
            attempt(family, "interrupt at step", "interrupt at " + step, (run, c) -> {
                KubernetesClient client = run.client("release", false);
                ReleasePlan plan = run.plan(client, ChaosRun.V2);
                ReleaseEngine engine = run.engine("chaos").build();
                AtomicReference<Thread> caller = new AtomicReference<>();
                CompletableFuture<ReleaseResult> result = new CompletableFuture<>();
                AtomicBoolean flagKept = new AtomicBoolean();
                Thread thread = new Thread(() -> {
                    try {
                        result.complete(engine.run(plan, atStep(step, () -> {
                            c.attacked = true;
                            caller.get().interrupt();
                        })));
                        flagKept.set(Thread.interrupted());
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                }, "chaos-caller");
                caller.set(thread);
                thread.start();
                ReleaseResult ended = result.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
                thread.join(RUN_LIMIT.toMillis());
                if (c.attacked && !flagKept.get()) {
                    run.violation("contract: engine.run was interrupted at " + step + " but did not set the interrupt flag "
                            + "again on return");
                }
                checkSingle(run, ended, c);
            });
        }
    }

    // ---------------------------------------------------------------- 3. crash and recovery

    private void crashes() {
        List<String> points = new ArrayList<>(steps);
        points.add("before-switch-write");
        // During each write to the app and the Lease's creation (a late write to the Lease in flight is refused
        // anyway: the recovery's takeover changed its resourceVersion).
        writeNames.stream().filter(w -> w.startsWith("POST leases") || w.contains("deployments/") || w.contains("services/"))
                .distinct().forEach(w -> points.add("during " + w));
        // During the writes of a release that rolls back (its observation fails): switching back, giving up.
        points.add("during rollback's PATCH services/" + ChaosRun.SERVICE);
        points.add("during rollback's PATCH deployments/" + ChaosRun.APP + "-green");
        points.add("after-switch-write");
        points.removeIf(point -> options.crashPoints != null && !options.crashPoints.test(point));
        for (String point : points) {
            for (RecoveryPolicy policy : List.of(RecoveryPolicy.ROLL_BACK, RecoveryPolicy.ROLL_FORWARD)) {
                attempt("3 crash + recovery", policy.name(), "crash at " + point + ", recover " + policy,
                        (run, c) -> crash(run, c, point, policy));
            }
        }
    }

    private void crash(ChaosRun run, Case c, String point, RecoveryPolicy policy) throws Exception {
        ExecutorService zombieThreads = Executors.newCachedThreadPool(daemons("chaos-zombie"));
        ScheduledExecutorService zombieScheduler = Executors.newSingleThreadScheduledExecutor(daemons("chaos-zombie-scheduler"));
        CountDownLatch unblock = new CountDownLatch(1);
        CompletableFuture<String> crashed = new CompletableFuture<>();
        AtomicBoolean once = new AtomicBoolean();
        Runnable block = () -> {
            if (once.compareAndSet(false, true)) {
                crashed.complete(Thread.currentThread().getName());
                awaitUninterruptibly(unblock);
            }
        };
        CompletableFuture<Void> woke = new CompletableFuture<>();
        try {
            KubernetesClient zombieClient = run.client("zombie", false);
            String zombieAgent = run.agent("zombie");
            String servicePath = "/api/v1/namespaces/" + run.namespace + "/services/" + ChaosRun.SERVICE;
            ReleaseListener listener;
            if (point.startsWith("during ")) {
                // The write is on the wire when the process dies: the server holds it and applies it (or
                // refuses it) only after the recovery. Whatever the zombie does next, it stops there.
                boolean rollback = point.startsWith("during rollback's ");
                String write = point.substring(rollback ? "during rollback's ".length() : "during ".length());
                // The rollback's write is the second of its kind: the switch back, the giving up of the candidate.
                int occurrence = rollback ? 2 : 1;
                AtomicInteger seen = new AtomicInteger();
                Runnable stop = () -> {
                    woke.complete(null);
                    awaitUninterruptibly(unblock);
                };
                listener = event -> {
                    if (crashed.isDone() && onZombieThread()) {
                        stop.run();
                    }
                };
                cluster.faults().when(request -> {
                    if (!zombieAgent.equals(request.userAgent()) || !ChaosRun.isWrite(request)
                            || !describe(request).equals(write) || seen.incrementAndGet() != occurrence) {
                        return false;
                    }
                    cluster.beforeNextRequest(next -> zombieAgent.equals(next.userAgent()) && !next.isWatch()
                            && onZombieThread(), stop);
                    crashed.complete("in flight");
                    return true;
                }).inject(Fault.delay(IN_FLIGHT));
            } else if (point.equals("after-switch-write")) {
                listener = event -> {
                    if (event instanceof TrafficSwitched) {
                        block.run();
                    }
                };
            } else if (point.equals("before-switch-write")) {
                cluster.beforeNextRequest(r -> r.method().equals("PATCH") && r.pathWithoutQuery().equals(servicePath)
                        && r.body().contains("selector"), block);
                listener = event -> { };
            } else {
                listener = atStep(point, block);
            }
            ReleaseEngine zombieEngine = run.engine("zombie-host").executor(zombieThreads).scheduler(zombieScheduler).build();
            ReleaseExecution zombie = zombieEngine.start(run.plan(zombieClient, ChaosRun.V2,
                    point.startsWith("during rollback's ")), listener);
            CompletableFuture.anyOf(crashed, zombie.completion().toCompletableFuture())
                    .get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (!crashed.isDone()) {
                c.notes.add("the release ended before its crash point " + point);
                checkSingle(run, await(zombie), c);
                return;
            }
            c.attacked = true;
            // The process is gone: nothing renews its lock any more; time passes beyond the lease.
            zombieScheduler.shutdownNow();
            run.time.advance(LockTiming.DEFAULT.leaseDuration().plusSeconds(5));
            ChaosRun.Read before = run.settled();

            KubernetesClient nextClient = run.client("next", false);
            ReleasePlan nextPlan = run.plan(nextClient, ChaosRun.V2);
            ReleaseEngine nextEngine = run.engine("next-host").build();
            ReleaseStatus status = nextEngine.status(nextPlan);
            boolean unfinished = status.record().isPresent() && !status.record().get().finished();
            ReleaseResult next = nextEngine.run(nextPlan);
            ChaosRun.Read afterNext = run.settled();
            c.outcome(next);
            boolean succeeded;
            if (unfinished) {
                if (!(next.error().orElse(null) instanceof UnfinishedReleaseException)) {
                    run.violation("I4: the release after the crash did not refuse with UnfinishedReleaseException: "
                            + next.outcome() + next.error().map(e -> ", " + e.getMessage()).orElse(""));
                }
                run.requestsOf("next").stream().filter(ChaosRun::isWrite).findFirst().ifPresent(write ->
                        run.violation("I4: the refused release wrote: " + write));
                if (!sameSpecs(before.state(), afterNext.state())) {
                    run.violation("I4: the app changed while the next release was refused: " + before.state().describe()
                            + " -> " + afterNext.state().describe());
                }
                run.checkResult("refused release", next, afterNext.state(), false, before.state().selector());

                KubernetesClient recoveryClient = run.client("recovery", false);
                ReleasePlan recoveryPlan = run.plan(recoveryClient, ChaosRun.V2);
                ReleaseResult recovered = run.engine("recovery-host").build().recover(recoveryPlan, policy);
                ChaosRun.Read afterRecovery = run.settled();
                c.outcome(recovered);
                String abortedColor = recovered.outcome() == Outcome.ABORTED ? before.state().selector()
                        : recovered.previousColor().map(Object::toString).orElse(before.state().selector());
                run.checkResult("recovery " + policy, recovered, afterRecovery.state(),
                        run.sdkSwitched(afterNext.rv(), afterRecovery.rv()), abortedColor);
                if (recovered.outcome() == Outcome.ABORTED && !sameSpecs(afterNext.state(), afterRecovery.state())) {
                    run.violation("I3: recovery " + policy + " ended ABORTED but changed the app: "
                            + afterNext.state().describe() + " -> " + afterRecovery.state().describe());
                }
                if (recovered.outcome() == Outcome.ROLLED_BACK || recovered.outcome() == Outcome.SUCCEEDED) {
                    checkRecord(run, recovered, c);
                }
                c.notes.add("recovery " + policy + ": " + recovered.outcome()
                        + recovered.error().map(e -> " (" + e.getMessage() + ")").orElse(""));
                succeeded = ChaosRun.committed(recovered);
            } else {
                // Crashed before it took the lock: the next release runs normally.
                run.checkResult("next release", next, afterNext.state(), run.sdkSwitched(before.rv(), afterNext.rv()),
                        before.state().selector());
                succeeded = ChaosRun.committed(next);
            }

            if (point.startsWith("during ")) {
                // Its write, held by the server until now, lands (or is refused) after the recovery: no client
                // can recall a write on the wire, so the invariants must hold with it (checked below).
                ChaosRun.Read recovered = run.settled();
                boolean afterRecovery = !woke.isDone();
                CompletableFuture.anyOf(woke, zombie.completion().toCompletableFuture())
                        .get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
                ChaosRun.Read landed = run.settled();
                c.notes.add("the write in flight was answered " + (afterRecovery ? "after" : "before") + " the recovery ended"
                        + (sameSpecs(recovered.state(), landed.state()) ? ", changing nothing"
                        : ", changing " + recovered.state().describe() + " -> " + landed.state().describe()));
            }
            // The zombie wakes up; its client was closed first, so it can change nothing.
            ChaosRun.Read beforeZombie = run.settled();
            zombieClient.close();
            unblock.countDown();
            Optional<ReleaseResult> zombieResult = zombie.await(RUN_LIMIT);
            if (zombieResult.isEmpty()) {
                run.violation("harness: the crashed release did not end within " + RUN_LIMIT + " after it was unblocked");
            }
            ChaosRun.Read end = run.settled();
            if (!sameSpecs(beforeZombie.state(), end.state())) {
                run.violation("the crashed release changed the app after it woke up: " + beforeZombie.state().describe()
                        + " -> " + end.state().describe());
            }
            run.checkTimeline(run.startRv);
            run.checkEnd(end.state(), succeeded);
        } finally {
            unblock.countDown();
            zombieScheduler.shutdownNow();
            zombieThreads.shutdown();
        }
    }

    /** @return whether the calling thread is the crashed release's own (not a watch's or the scheduler's) */
    private static boolean onZombieThread() {
        return Thread.currentThread().getName().matches("chaos-zombie-\\d+");
    }

    /** @return e.g. {@code PATCH services/myapp-service} */
    private static String describe(ClientRequest request) {
        return request.method() + " " + request.pathWithoutQuery().replaceAll(".*/namespaces/[^/]+/", "");
    }

    private static boolean sameSpecs(ChaosRun.State a, ChaosRun.State b) {
        if (!Objects.equals(a.selector(), b.selector())) {
            return false;
        }
        for (String name : List.of(ChaosRun.APP + "-blue", ChaosRun.APP + "-green")) {
            ChaosTimeline.Entry x = a.deployments().get(name);
            ChaosTimeline.Entry y = b.deployments().get(name);
            if (x == null || y == null || x.replicas() != y.replicas() || !Objects.equals(x.image(), y.image())) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- 4. concurrent releases

    private void concurrentReleases() {
        List<String> offsets = new ArrayList<>();
        List<String> attacked = attackedSteps();
        for (int i = 0; offsets.size() < options.concurrentRuns; i++) {
            switch (i % 4) {
                case 0 -> offsets.add("together");
                case 1 -> offsets.add("at-step:" + attacked.get((i / 4) % attacked.size()));
                case 2 -> offsets.add("at-request:" + ((i / 4) * 3) % Math.max(1, requests));
                default -> offsets.add("b-first");
            }
        }
        for (String offset : offsets) {
            attempt("4 concurrent releases", offset.replaceAll(":.*", ""), "B starts " + offset,
                    (run, c) -> concurrent(run, c, offset));
        }
    }

    private void concurrent(ChaosRun run, Case c, String offset) throws Exception {
        KubernetesClient clientA = run.client("a", false);
        KubernetesClient clientB = run.client("b", false);
        ReleaseEngine engineA = run.engine("a-host").build();
        ReleaseEngine engineB = run.engine("b-host").build();
        ReleasePlan planA = run.plan(clientA, ChaosRun.V2);
        ReleasePlan planB = run.plan(clientB, ChaosRun.V3);
        CompletableFuture<ReleaseExecution> b = new CompletableFuture<>();
        AtomicBoolean bStarted = new AtomicBoolean();
        Runnable startB = () -> {
            if (bStarted.compareAndSet(false, true)) {
                b.complete(engineB.start(planB));
            }
        };
        ReleaseListener listenerA = event -> { };
        if (offset.startsWith("at-step:")) {
            listenerA = atStep(offset.substring("at-step:".length()), startB);
        } else if (offset.startsWith("at-request:")) {
            int index = Integer.parseInt(offset.substring("at-request:".length()));
            String agentA = run.agent("a");
            AtomicInteger seen = new AtomicInteger();
            cluster.faults().when(request -> {
                if (agentA.equals(request.userAgent()) && seen.getAndIncrement() == index) {
                    CompletableFuture.runAsync(startB);
                }
                return false;
            }).always().inject(Fault.status(500));
        }
        if (offset.equals("b-first")) {
            startB.run();
        }
        ReleaseExecution a = engineA.start(planA, listenerA);
        if (offset.equals("together")) {
            startB.run();
        }
        ReleaseResult resultA = await(a);
        c.attacked = bStarted.get();
        if (!bStarted.get()) {
            c.notes.add("B's start offset was never reached; B started after A ended");
            startB.run();
        }
        ReleaseResult resultB = await(b.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS));
        c.outcome(resultA);
        c.outcome(resultB);
        checkConcurrent(run, Map.of("a", resultA, "b", resultB));
    }

    /** I4 and I3 for two releases of one app that ran side by side. */
    private static void checkConcurrent(ChaosRun run, Map<String, ReleaseResult> results) {
        ChaosRun.Read end = run.settled();
        List<ChaosTimeline.Entry> leases = run.timeline.of("Lease");
        String holder = "";
        for (ChaosTimeline.Entry entry : leases) {
            if (!holder.isEmpty() && !entry.holder().isEmpty() && !entry.holder().equals(holder)) {
                run.violation("I4: the lock went from " + holder + " to " + entry.holder() + " without being given up "
                        + "(rv " + entry.rv() + "), although no time passed");
            }
            holder = entry.holder();
        }
        List<ClientRequest> all = run.cluster.requests().fromUsersSince(run.mark);
        int lastA = -1;
        int firstA = Integer.MAX_VALUE;
        int lastB = -1;
        int firstB = Integer.MAX_VALUE;
        for (int i = 0; i < all.size(); i++) {
            ClientRequest request = all.get(i);
            if (!ChaosRun.isAppWrite(request)) {
                continue;
            }
            if (run.agent("a").equals(request.userAgent())) {
                firstA = Math.min(firstA, i);
                lastA = i;
            } else if (run.agent("b").equals(request.userAgent())) {
                firstB = Math.min(firstB, i);
                lastB = i;
            }
        }
        if (lastA >= 0 && lastB >= 0 && !(lastA < firstB || lastB < firstA)) {
            run.violation("I4: the writes of A and B to the Deployments and the Service interleave: A wrote requests "
                    + firstA + ".." + lastA + ", B " + firstB + ".." + lastB);
        }
        Set<String> colorsSeen = new HashSet<>();
        run.timeline.of("Service").forEach(e -> colorsSeen.add(e.color()));
        boolean anySucceeded = false;
        for (Map.Entry<String, ReleaseResult> entry : results.entrySet()) {
            String who = entry.getKey();
            ReleaseResult result = entry.getValue();
            String holderId = result.releaseId() + "@" + who + "-host";
            anySucceeded |= ChaosRun.committed(result);
            boolean held = leases.stream().anyMatch(e -> e.holder().equals(holderId));
            boolean locked = result.error().orElse(null) instanceof ReleaseLockedException;
            if (locked && held) {
                run.violation("I4: " + who + " failed with ReleaseLockedException but held the lock");
            }
            if (!held) {
                // It lost the race for the lock: it must fail fast, saying so, without writing anything.
                if (!locked) {
                    run.violation("I4: " + who + " never held the lock but ended " + result.outcome() + " with "
                            + result.error().map(e -> e.getClass().getSimpleName() + ": " + e.getMessage()).orElse("no error")
                            + ", not with ReleaseLockedException");
                }
                run.requestsOf(who).stream().filter(ChaosRun::isAppWrite).findFirst().ifPresent(write ->
                        run.violation("I4: " + who + " never held the lock but wrote " + write));
                if (result.liveColor().isPresent() && !colorsSeen.contains(result.liveColor().get().name())) {
                    run.violation("I3 (" + who + "): live color " + result.liveColor().get() + " was never selected");
                }
                continue;
            }
            // Its state is the one it left when it gave the lock up (the other may have run after it).
            long releasedAt = Long.MAX_VALUE;
            for (int i = 1; i < leases.size(); i++) {
                if (leases.get(i - 1).holder().equals(holderId) && leases.get(i).holder().isEmpty()) {
                    releasedAt = leases.get(i).rv();
                }
            }
            ChaosRun.State state = releasedAt == Long.MAX_VALUE ? end.state() : run.stateAt(releasedAt);
            run.checkResult(who, result, state, run.sdkSwitched(run.startRv, releasedAt == Long.MAX_VALUE ? end.rv()
                    : releasedAt), "blue");
        }
        if (results.values().stream().filter(r -> r.outcome() == Outcome.SUCCEEDED).count() == 2
                && !(lastA < firstB || lastB < firstA)) {
            run.violation("I4: both releases succeeded while running side by side");
        }
        run.checkTimeline(run.startRv);
        run.checkEnd(end.state(), anySucceeded);
    }

    // ---------------------------------------------------------------- 5. foreign edits

    private void foreignEdits() {
        List<String> kinds = List.of("switch", "scale-blue", "scale-green", "annotate-service", "annotate-green");
        for (String step : attackedSteps()) {
            for (String kind : kinds) {
                if (options.edits != null && !options.edits.contains(kind)) {
                    continue;
                }
                attempt("5 foreign edits", kind, kind + " at " + step, (run, c) -> {
                    KubernetesClient client = run.client("release", false);
                    KubernetesClient operator = run.client("operator", true);
                    String when = "step " + step;
                    boolean afterRead = !step.equals("preflight");
                    ReleaseResult result = run.engine("chaos").build().run(run.plan(client, ChaosRun.V2), atStep(step, () -> {
                        c.attacked = true;
                        switch (kind) {
                            case "switch" -> run.foreignSwitch(operator, when, afterRead);
                            case "scale-blue" -> run.foreignScale(operator, "blue", 5, when, afterRead);
                            case "scale-green" -> run.foreignScale(operator, "green", 1, when, afterRead);
                            case "annotate-service" -> run.foreignAnnotation(operator, "Service/" + ChaosRun.SERVICE, when,
                                    afterRead);
                            default -> run.foreignAnnotation(operator, "Deployment/" + ChaosRun.APP + "-green", when,
                                    afterRead);
                        }
                    }));
                    checkSingle(run, result, c);
                });
            }
        }
        // The same edits right before each request of the release: inside its read-then-write windows.
        for (String kind : List.of("switch", "scale-blue")) {
            if (options.edits != null && !options.edits.contains(kind)) {
                continue;
            }
            for (int i = 0; i < releaseThreadRequests; i += options.faultStride) {
                int index = i;
                attempt("5b foreign edits at request", kind, kind + " before request " + index, (run, c) -> {
                    KubernetesClient client = run.client("release", false);
                    KubernetesClient operator = run.client("operator", true);
                    String agent = run.agent("release");
                    AtomicInteger seen = new AtomicInteger();
                    AtomicReference<ClientRequest> before = new AtomicReference<>();
                    cluster.beforeNextRequest(request -> {
                        // Requests the release thread sends (not informers' or watches' on client threads,
                        // which must not block on an edit).
                        if (!agent.equals(request.userAgent())
                                || !Thread.currentThread().getName().startsWith("bluegreen-release")
                                || seen.getAndIncrement() != index) {
                            return false;
                        }
                        before.set(request);
                        return true;
                    }, () -> {
                        c.attacked = true;
                        String when = "before " + before.get().method() + " " + before.get().pathWithoutQuery();
                        if (kind.equals("switch")) {
                            run.foreignSwitch(operator, when, run.sdkHasRead("/services/" + ChaosRun.SERVICE));
                        } else {
                            run.foreignScale(operator, "blue", 5, when, run.sdkHasRead("/deployments/" + ChaosRun.APP + "-blue"));
                        }
                    });
                    ReleaseResult result = run.engine("chaos").build().run(run.plan(client, ChaosRun.V2));
                    checkSingle(run, result, c);
                });
            }
        }
    }

    // ---------------------------------------------------------------- the report

    private void print() {
        Map<String, List<RunRecord>> rows = new LinkedHashMap<>();
        for (RunRecord run : report.runs) {
            rows.computeIfAbsent(run.family() + "|" + run.kind(), k -> new ArrayList<>()).add(run);
        }
        out.println();
        StringBuilder header = new StringBuilder(String.format("%-30s %-22s %5s %10s %6s %8s", "family", "case", "runs",
                "violations", "limits", "attacked"));
        OUTCOME_COLUMNS.forEach(o -> header.append(String.format(" %11s", o)));
        header.append(String.format(" %8s", "ms/run"));
        out.println(header);
        for (Map.Entry<String, List<RunRecord>> row : rows.entrySet()) {
            List<RunRecord> runs = row.getValue();
            String[] key = row.getKey().split("\\|");
            StringBuilder line = new StringBuilder(String.format("%-30s %-22s %5d %10d %6d %8d", key[0], key[1], runs.size(),
                    runs.stream().mapToInt(r -> r.violations().size()).sum(),
                    runs.stream().mapToInt(r -> r.limitations().size()).sum(),
                    runs.stream().filter(RunRecord::attacked).count()));
            for (String outcome : OUTCOME_COLUMNS) {
                line.append(String.format(" %11d", runs.stream().mapToLong(r -> r.outcomes().stream()
                        .filter(outcome::equals).count()).sum()));
            }
            line.append(String.format(" %8d", runs.stream().mapToLong(RunRecord::nanos).sum() / runs.size() / 1_000_000));
            out.println(line);
        }
        List<RunRecord> failing = report.runs.stream().filter(r -> !r.violations().isEmpty()).toList();
        if (!failing.isEmpty()) {
            out.println();
            out.println("violations:");
            for (RunRecord run : failing) {
                for (String violation : run.violations()) {
                    out.println("  [" + run.family() + " / " + run.label() + "] " + violation);
                }
            }
        }
        List<RunRecord> limited = report.runs.stream().filter(r -> !r.limitations().isEmpty()).toList();
        if (!limited.isEmpty()) {
            out.println();
            out.println("documented limitation (column 'limits', not counted as violations): a foreign switch that lands");
            out.println("between the SDK's read of the Service and its write to a Deployment cannot be excluded by any");
            out.println("client, because Kubernetes cannot condition a write of a Deployment on the Service's");
            out.println("resourceVersion (no multi-object transactions). The SDK reads the Service right before each such");
            out.println("write (and after a scale-down reads it again and gives the replicas back at once); what is left");
            out.println("is that one round trip:");
            for (RunRecord run : limited) {
                for (String limitation : run.limitations()) {
                    out.println("  [" + run.family() + " / " + run.label() + "] " + limitation);
                }
            }
        }
        out.println();
        out.println("attacked: runs in which the attack happened (the fault fired, the cancel, interrupt or crash point was");
        out.println("reached, B started while A ran, the edit was made); limits: documented limitations, not violations");
        out.printf("total time %.1f s; %d documented limitations%n", report.nanos / 1e9, report.limitations());
        out.println("chaos: " + report.runs.size() + " runs, " + report.violations() + " invariant violations");
    }

    // ---------------------------------------------------------------- helpers

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
