package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The approval gate on a manual clock: decisions by signal and by the host's source, and the timeout. */
class ApprovalGateTest {
    private final Contexts contexts = new Contexts();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    /** Evaluates the gate on another thread and returns once it says it is waiting. */
    private Future<GateResult> waiting(ApprovalGate gate) throws Exception {
        Future<GateResult> result = thread.submit(() -> gate.evaluate(contexts.context()));
        assertTrue(contexts.awaitInterim(1), "the gate said it is waiting");
        return result;
    }

    @Test
    void anApprovalSignalPassesTheGateRecordingWhoApprovedAndWhy() throws Exception {
        Future<GateResult> result = waiting(ApprovalGate.builder("manual-judgement").build());
        contexts.time.advance(Duration.ofMinutes(12));

        contexts.signals.send("approve", "alice", "smoke dashboards look fine");

        GateResult approved = result.get(10, TimeUnit.SECONDS);
        assertEquals(GateStatus.PASSED, approved.status());
        assertEquals("approved by alice via signal 'approve': smoke dashboards look fine", approved.reason());
        assertEquals(12 * 60_000L, approved.measurements().get("waited_ms"));
        assertEquals(List.of("manual-judgement: INCONCLUSIVE: waiting until 2026-01-01T00:30:00Z for a decision on "
                + "release r-42 of shop/myapp (myapp:v2 on green): signal 'approve' or 'reject'"), contexts.interim());
    }

    @Test
    void aRejectionSignalFailsTheGate() throws Exception {
        Future<GateResult> result = waiting(ApprovalGate.builder("manual-judgement").signals("promote", "abort").build());

        contexts.signals.send("abort", "bob", "p95 doubled on the dashboard");

        GateResult rejected = result.get(10, TimeUnit.SECONDS);
        assertEquals(GateStatus.FAILED, rejected.status());
        assertEquals("rejected by bob via signal 'abort': p95 doubled on the dashboard", rejected.reason());
    }

    @Test
    void noDecisionWithinTheTimeoutFailsOrIsInconclusiveAsConfigured() throws Exception {
        Future<GateResult> failed = waiting(ApprovalGate.builder("manual-judgement").timeout(Duration.ofHours(2)).build());
        contexts.time.advance(Duration.ofMinutes(119));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> failed.get(50, TimeUnit.MILLISECONDS),
                "still waiting one minute before its timeout");
        contexts.time.advance(Duration.ofMinutes(1));

        GateResult timedOut = failed.get(10, TimeUnit.SECONDS);
        assertEquals(GateStatus.FAILED, timedOut.status());
        assertEquals("no decision on release r-42 of shop/myapp (myapp:v2 on green) within 120 min (signal 'approve' or "
                + "'reject' never came)", timedOut.reason());
        assertEquals(7_200_000L, timedOut.measurements().get("waited_ms"));

        Future<GateResult> inconclusive = thread.submit(() -> ApprovalGate.builder("manual-judgement")
                .timeout(Duration.ofMinutes(5)).onTimeout(GateStatus.INCONCLUSIVE).build().evaluate(contexts.context()));
        assertTrue(contexts.awaitInterim(2));
        contexts.time.advance(Duration.ofMinutes(5));
        assertEquals(GateStatus.INCONCLUSIVE, inconclusive.get(10, TimeUnit.SECONDS).status());
    }

    @Test
    void theHostsOwnApprovalSourceDecidesToo() throws Exception {
        CompletableFuture<Approval> changeBoard = new CompletableFuture<>();
        Future<GateResult> result = waiting(ApprovalGate.builder("change-board").source(context -> changeBoard).build());

        changeBoard.complete(Approval.approve("change-board", "CHG-1234 approved"));

        GateResult approved = result.get(10, TimeUnit.SECONDS);
        assertEquals(GateStatus.PASSED, approved.status());
        assertEquals("approved by change-board via the host's approval source: CHG-1234 approved", approved.reason());
    }

    @Test
    void aFailingApprovalSourceIsInconclusive() throws Exception {
        GateResult result = ApprovalGate.builder("change-board")
                .source(context -> CompletableFuture.failedFuture(new IllegalStateException("ticket system down")))
                .build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertEquals("the host's approval source failed for release r-42 of shop/myapp (myapp:v2 on green): "
                + "java.lang.IllegalStateException: ticket system down", result.reason());
    }

    @Test
    void aDecisionSentBeforeTheGateWaitsCountsAndARejectionWinsOverAnApproval() throws Exception {
        contexts.signals.send("approve", "alice", "go");
        GateResult early = ApprovalGate.builder("manual-judgement").build().evaluate(contexts.context());
        assertEquals(GateStatus.PASSED, early.status());
        assertEquals(List.of(), contexts.interim(), "no waiting for a decision already made");

        contexts.signals.send("reject", "bob", "wait for the DB migration");
        GateResult both = ApprovalGate.builder("manual-judgement").build().evaluate(contexts.context());
        assertEquals(GateStatus.FAILED, both.status());
        assertEquals("rejected by bob via signal 'reject': wait for the DB migration", both.reason());
    }

    @Test
    void anInterruptEndsTheWait() throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        ApprovalGate gate = ApprovalGate.builder("manual-judgement").build();
        thread.execute(() -> {
            try {
                ended.complete(new AssertionError("returned " + gate.evaluate(contexts.context())));
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        assertTrue(contexts.awaitInterim(1));

        thread.shutdownNow();

        assertTrue(ended.get(10, TimeUnit.SECONDS) instanceof InterruptedException, () -> String.valueOf(ended.join()));
        assertEquals(Contexts.T0, contexts.time.now(), "ended by the interrupt, not by the clock");
    }

    @Test
    void itsBuilderRejectsBadValuesNamingThem() {
        assertEquals("timeout verdict of gate 'judgement' must be FAILED or INCONCLUSIVE, but was PASSED: an approval "
                + "that never came is never a pass", assertThrows(ConfigurationException.class,
                () -> ApprovalGate.builder("judgement").onTimeout(GateStatus.PASSED)).getMessage());
        assertEquals("approve and reject signals of gate 'judgement' must differ, but both were 'go'",
                assertThrows(ConfigurationException.class, () -> ApprovalGate.builder("judgement").signals("go", "go"))
                        .getMessage());
        assertEquals("timeout of gate 'judgement' must be a positive duration, but was PT0S",
                assertThrows(ConfigurationException.class, () -> ApprovalGate.builder("judgement").timeout(Duration.ZERO))
                        .getMessage());
        assertEquals("approver must not be blank, but was ''",
                assertThrows(ConfigurationException.class, () -> Approval.approve("", "x")).getMessage());
    }
}
