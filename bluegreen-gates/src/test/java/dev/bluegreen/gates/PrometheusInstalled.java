package dev.bluegreen.gates;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the tests against a real Prometheus only when a {@code prometheus} binary is on the PATH,
 * and always with {@code CI=true} (where a missing binary then fails the tests instead of skipping
 * them). A skip names the command that installs it.
 */
final class PrometheusInstalled implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (RealPrometheus.binary().isPresent()) {
            return ConditionEvaluationResult.enabled("prometheus found at " + RealPrometheus.binary().get());
        }
        if ("true".equals(System.getenv("CI"))) {
            return ConditionEvaluationResult.enabled("CI=true: the tests against a real Prometheus must run");
        }
        String reason = "no prometheus binary on the PATH, so the tests against a real Prometheus are skipped; "
                + "install it with: " + RealPrometheus.INSTALL;
        System.err.println("[WARNING] " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
