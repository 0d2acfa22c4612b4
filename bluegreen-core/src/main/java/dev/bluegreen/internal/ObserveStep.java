package dev.bluegreen.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateStage;
import dev.bluegreen.HealthGate;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Evaluates the post-switch gates side by side while the router is watched: the first gate runs
 * on the release's thread, the others on the engine's executor. A gate that does not pass, or a
 * switch by someone else, stops the other gates (interrupting them) and ends the step; the release
 * waits for them to end before anything else happens.
 */
final class ObserveStep implements StepWork {
    private final ReleaseRun run;

    ObserveStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) throws Exception {
        List<HealthGate> gates = run.plan.postSwitchGates();
        if (gates.isEmpty()) {
            run.route.requireRoute(run.to, "ending the observation");
            return Done.skipped("no post-switch gates");
        }
        GateContext context = run.gateContext(GateStage.POST_SWITCH);
        List<CompletableFuture<GateEvaluation>> others = new ArrayList<>();
        AtomicReference<GateEvaluation> failedAside = new AtomicReference<>();
        String releaseId = run.id;
        for (HealthGate gate : gates.subList(1, gates.size())) {
            CompletableFuture<GateEvaluation> future = new CompletableFuture<>();
            run.executor().execute(() -> {
                MDC.put(ReleaseRun.MDC_KEY, releaseId);
                try {
                    future.complete(evaluate(gate, context, deadline));
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                } finally {
                    MDC.remove(ReleaseRun.MDC_KEY);
                }
            });
            // A gate that does not pass ends the observation at once, also for the gate on this thread.
            future.whenComplete((evaluation, failure) -> {
                if (evaluation != null && run.stops(evaluation) && failedAside.compareAndSet(null, evaluation)) {
                    deadline.interruptRegions();
                }
            });
            others.add(future);
        }
        try {
            GateEvaluation first;
            try {
                first = evaluate(gates.get(0), context, deadline);
            } catch (InterruptedException e) {
                if (failedAside.get() != null) {
                    throw run.gateFailed(failedAside.get());
                }
                throw e;
            }
            if (failedAside.get() != null) {
                throw run.gateFailed(failedAside.get());
            }
            if (run.stops(first)) {
                throw run.gateFailed(first);
            }
            for (CompletableFuture<GateEvaluation> other : others) {
                GateEvaluation evaluation = deadline.await(other);
                if (run.stops(evaluation)) {
                    throw run.gateFailed(evaluation);
                }
            }
        } finally {
            stop(others, deadline);
        }
        deadline.checkStopping();
        run.route.requireRoute(run.to, "ending the observation");
        return Done.of(ReleaseRun.count(gates.size(), "gate") + " passed against live color " + run.to);
    }

    private GateEvaluation evaluate(HealthGate gate, GateContext context, StepDeadline deadline) throws Exception {
        return run.recordGate(gate.name(), GateStage.POST_SWITCH,
                deadline.interruptibly(() -> Gates.evaluate(gate, context)));
    }

    /** Interrupts the gates still running and waits for them, so none evaluates during a rollback. */
    private static void stop(List<CompletableFuture<GateEvaluation>> others, StepDeadline deadline) {
        if (others.stream().allMatch(CompletableFuture::isDone)) {
            return;
        }
        deadline.interruptRegions();
        CompletableFuture<Void> all = CompletableFuture.allOf(others.toArray(new CompletableFuture<?>[0]));
        try {
            all.handle((ok, failure) -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // handled above
        }
    }
}
