package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.Signal;
import dev.bluegreen.gates.Approval;
import dev.bluegreen.gates.ApprovalGate;
import dev.bluegreen.gates.ApprovalSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The {@link ApprovalGate} implementation. */
public final class DefaultApprovalGate implements ApprovalGate {
    private final String name;
    private final String approve;
    private final String reject;
    private final Duration timeout;
    private final GateStatus onTimeout;
    private final ApprovalSource source;

    /** A decision and how it arrived. */
    private record Decision(Approval approval, String via) {
    }

    /**
     * @param name      the gate's name
     * @param approve   the signal that approves
     * @param reject    the signal that rejects
     * @param timeout   how long to wait
     * @param onTimeout the verdict after the timeout
     * @param source    the host's approvals, or null
     */
    public DefaultApprovalGate(String name, String approve, String reject, Duration timeout, GateStatus onTimeout,
                               ApprovalSource source) {
        this.name = name;
        this.approve = approve;
        this.reject = reject;
        this.timeout = timeout;
        this.onTimeout = onTimeout;
        this.source = source;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String approveSignal() {
        return approve;
    }

    @Override
    public String rejectSignal() {
        return reject;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        Instant start = context.time().now();
        Instant until = start.plus(timeout);
        CompletableFuture<Decision> decided = new CompletableFuture<>();
        // The rejection is listened to first: when both signals arrived before, it wins.
        context.signal(reject).thenAccept(signal -> decided.complete(fromSignal(signal, false)));
        context.signal(approve).thenAccept(signal -> decided.complete(fromSignal(signal, true)));
        if (source != null) {
            Objects.requireNonNull(source.decision(context), "approval source of gate '" + name + "' returned null")
                    .whenComplete((approval, failure) -> {
                        if (failure != null) {
                            decided.completeExceptionally(failure);
                        } else if (approval == null) {
                            decided.completeExceptionally(new IllegalStateException("it completed with null"));
                        } else {
                            decided.complete(new Decision(approval, "the host's approval source"));
                        }
                    });
        }
        String release = "release " + context.releaseId() + " of " + context.namespace() + "/" + context.app() + " ("
                + context.version() + " on " + context.candidate().color() + ")";
        if (!decided.isDone()) {
            context.reportInterim(name, GateResult.inconclusive("waiting until " + until + " for a decision on " + release
                    + ": signal '" + approve + "' or '" + reject + "'" + (source == null ? "" : ", or the host's approval "
                    + "source")));
        }
        boolean done = context.time().awaitUntil(decided, until);
        long waited = Duration.between(start, context.time().now()).toMillis();
        if (!done) {
            return GateResult.of(onTimeout, "no decision on " + release + " within " + Text.human(timeout)
                    + " (signal '" + approve + "' or '" + reject + "' never came)").withMeasurement("waited_ms", waited);
        }
        Decision decision;
        try {
            decision = decided.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return GateResult.inconclusive("the host's approval source failed for " + release + ": " + cause)
                    .withMeasurement("waited_ms", waited);
        }
        Approval approval = decision.approval();
        String text = (approval.approved() ? "approved" : "rejected") + " by " + approval.by() + " via " + decision.via()
                + (approval.note().isEmpty() ? "" : ": " + approval.note());
        GateResult result = approval.approved() ? GateResult.passed(text) : GateResult.failed(text);
        return result.withMeasurement("waited_ms", waited);
    }

    private static Decision fromSignal(Signal signal, boolean approved) {
        return new Decision(new Approval(approved, signal.by(), signal.note()), "signal '" + signal.name() + "'");
    }

    @Override
    public String toString() {
        return "ApprovalGate[" + name + ": signals '" + approve + "'/'" + reject + "'" + (source == null ? ""
                : " or the host's approval source") + ", timeout " + timeout + " then " + onTimeout + "]";
    }
}
