package dev.bluegreen;

import dev.bluegreen.internal.CompositeGate;
import dev.bluegreen.internal.NamedGate;
import dev.bluegreen.internal.WindowGate;

import java.util.Arrays;

/**
 * Decides whether a version is healthy enough to go on: {@link GateStatus#PASSED passed},
 * {@link GateStatus#FAILED failed} or {@link GateStatus#INCONCLUSIVE inconclusive}, with a reason
 * and the values it measured. Host applications implement it for their own checks; gates compose
 * with {@link #allOf}, {@link #anyOf} and {@link #observe}.
 *
 * <p>A gate that throws is treated as inconclusive, never as a pass. Gates wait only through
 * {@link GateContext#time()}, so tests can drive time.
 */
@FunctionalInterface
public interface HealthGate {

    /**
     * Evaluates the candidate once.
     *
     * @param context what to evaluate; never null
     * @return the verdict with its reason; never null
     * @throws InterruptedException when the evaluation is cancelled while waiting
     * @throws Exception            on any other failure; the caller records it as inconclusive
     */
    GateResult evaluate(GateContext context) throws Exception;

    /**
     * @return the gate's name in results, events and logs; lambdas are "unnamed-gate" unless
     *         wrapped with {@link #named(String, HealthGate)}
     */
    default String name() {
        Class<?> type = getClass();
        String simple = type.getSimpleName();
        if (type.isSynthetic() || type.isAnonymousClass() || simple.isEmpty() || simple.contains("$$Lambda")) {
            return "unnamed-gate";
        }
        return simple;
    }

    /**
     * @param name the name to show; never blank
     * @param gate the gate; never null
     * @return {@code gate} under {@code name}
     */
    static HealthGate named(String name, HealthGate gate) {
        return new NamedGate(name, gate);
    }

    /**
     * Evaluates every gate, in order, and fails if any failed; otherwise it is inconclusive if any
     * was inconclusive; otherwise it passes. All are evaluated so the result explains each one.
     *
     * @param name  the composite's name; never blank
     * @param gates at least one gate; never null
     * @return the composite gate
     * @throws ConfigurationException when the name is blank, or {@code gates} is null, empty or holds
     *                                a null, naming its position
     */
    static HealthGate allOf(String name, HealthGate... gates) {
        return new CompositeGate(name, CompositeGate.Mode.ALL_OF, gates == null ? null : Arrays.asList(gates));
    }

    /**
     * Evaluates gates in order until one passes, and passes then; otherwise it is inconclusive if
     * any was inconclusive; otherwise it fails.
     *
     * @param name  the composite's name; never blank
     * @param gates at least one gate; never null
     * @return the composite gate
     * @throws ConfigurationException when the name is blank, or {@code gates} is null, empty or holds
     *                                a null, naming its position
     */
    static HealthGate anyOf(String name, HealthGate... gates) {
        return new CompositeGate(name, CompositeGate.Mode.ANY_OF, gates == null ? null : Arrays.asList(gates));
    }

    /**
     * Starts an observation window over a gate: evaluate it every interval for a duration, with a
     * failure limit and an inconclusive limit, in the spirit of an Argo Rollouts AnalysisRun.
     *
     * @param gate the gate to evaluate repeatedly; never null
     * @return a builder of the window
     */
    static ObservationWindow.Builder observe(HealthGate gate) {
        return new WindowGate.Builder(gate);
    }
}
