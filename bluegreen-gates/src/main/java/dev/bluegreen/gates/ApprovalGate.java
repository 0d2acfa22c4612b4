package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.internal.Args;
import dev.bluegreen.gates.internal.DefaultApprovalGate;

import java.time.Duration;

/**
 * Waits for a person's judgement, as Argo Rollouts does with {@code autoPromotionEnabled: false}
 * and Spinnaker with a manual judgement stage: passes when the release is approved, fails when it
 * is rejected (recording who decided and why), and ends after a timeout.
 *
 * <pre>{@code
 * ReleaseExecution release = engine.start(plan.toBuilder()
 *         .preSwitchGate(ApprovalGate.builder("manual-judgement").timeout(Duration.ofMinutes(45)).build())
 *         .timeout(StandardStep.PRE_SWITCH_GATES, Duration.ofHours(1))
 *         .build());
 * // later, from the host's API, a CLI, a chat bot:
 * release.signal("approve", "alice", "smoke dashboards look fine");
 * }</pre>
 *
 * <p>A decision arrives in either of two ways, whichever comes first:
 * <ul>
 *   <li>a signal to the running release: {@code ReleaseExecution.signal("approve" | "reject", by,
 *       note)} (names configurable with {@link Builder#signals}); a signal sent before the gate
 *       waits counts, and when both were sent before, the rejection wins;</li>
 *   <li>the host application's own {@link ApprovalSource} ({@link Builder#source}).</li>
 * </ul>
 * While it waits, the gate publishes an interim inconclusive result saying so (release listeners
 * see it as an interim {@code GateEvaluated} event). It waits through the gate context's time
 * source ({@code TimeSource.awaitUntil}): no polling, a manual clock decides the timeout in tests,
 * and a release that stops (cancel, step timeout) ends the wait at once.
 *
 * <p>Verdicts: {@link GateStatus#PASSED} when approved, {@link GateStatus#FAILED} when rejected;
 * after the timeout, {@link Builder#onTimeout} ({@link GateStatus#FAILED} by default, or
 * {@link GateStatus#INCONCLUSIVE}; never a pass); {@link GateStatus#INCONCLUSIVE} when the approval
 * source fails. Measurement: {@code waited_ms} on the context's clock. The step the gate runs in
 * must allow more time than the gate's timeout (for pre-switch gates
 * {@code ReleasePlan.Builder.timeout(StandardStep.PRE_SWITCH_GATES, ...)}, 10 minutes by default),
 * or the step's timeout ends the wait first.
 */
public interface ApprovalGate extends HealthGate {
    /** Default name of the signal that approves: {@code approve}. */
    String DEFAULT_APPROVE_SIGNAL = "approve";
    /** Default name of the signal that rejects: {@code reject}. */
    String DEFAULT_REJECT_SIGNAL = "reject";
    /** Default time to wait for a decision: 30 minutes. */
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    /**
     * @param name the gate's name; never blank
     * @return a builder
     */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * @return how long it waits for a decision
     */
    Duration timeout();

    /**
     * @return the name of the signal that approves
     */
    String approveSignal();

    /**
     * @return the name of the signal that rejects
     */
    String rejectSignal();

    /** Builds an {@link ApprovalGate}. Each setter validates its value. Not thread-safe; building copies the settings. */
    final class Builder {
        private final String name;
        private String approve = DEFAULT_APPROVE_SIGNAL;
        private String reject = DEFAULT_REJECT_SIGNAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private GateStatus onTimeout = GateStatus.FAILED;
        private ApprovalSource source;

        private Builder(String name) {
            this.name = Args.nonBlank("gate name", name);
        }

        /**
         * @param approve the signal that approves; never blank
         * @param reject  the signal that rejects; never blank; not {@code approve}
         * @return this builder
         */
        public Builder signals(String approve, String reject) {
            Args.nonBlank("approve signal of gate '" + name + "'", approve);
            Args.nonBlank("reject signal of gate '" + name + "'", reject);
            if (approve.equals(reject)) {
                throw new ConfigurationException("approve and reject signals of gate '" + name + "' must differ, but "
                        + "both were " + Args.quote(approve));
            }
            this.approve = approve;
            this.reject = reject;
            return this;
        }

        /**
         * @param timeout how long to wait for a decision, on the context's time source; positive;
         *                default {@link #DEFAULT_TIMEOUT}
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Args.positive("timeout of gate '" + name + "'", timeout);
            return this;
        }

        /**
         * @param status the verdict when no decision came in time: {@link GateStatus#FAILED} (the
         *               default) or {@link GateStatus#INCONCLUSIVE}
         * @return this builder
         */
        public Builder onTimeout(GateStatus status) {
            Args.nonNull("timeout verdict of gate '" + name + "'", status);
            if (status == GateStatus.PASSED) {
                throw new ConfigurationException("timeout verdict of gate '" + name + "' must be FAILED or INCONCLUSIVE, "
                        + "but was PASSED: an approval that never came is never a pass");
            }
            this.onTimeout = status;
            return this;
        }

        /**
         * @param source the host application's own approvals, waited for next to the signals;
         *               never null; default none
         * @return this builder
         */
        public Builder source(ApprovalSource source) {
            this.source = Args.nonNull("approval source of gate '" + name + "'", source);
            return this;
        }

        /**
         * @return the gate
         */
        public ApprovalGate build() {
            return new DefaultApprovalGate(name, approve, reject, timeout, onTimeout, source);
        }
    }
}
