/**
 * Health gates that decide a release the way Argo Rollouts' analysis and Flagger's checks do:
 * {@link dev.bluegreen.gates.HttpGate} (a smoke request to the candidate),
 * {@link dev.bluegreen.gates.PrometheusGate} (a PromQL query against a threshold, with the guide's
 * error ratio, p95 latency and request rate ready-made), {@link dev.bluegreen.gates.WebhookGate}
 * (ask another system), {@link dev.bluegreen.gates.CommandGate} (run a team's test script) and
 * {@link dev.bluegreen.gates.ApprovalGate} (wait for a person's judgement). The calls of the HTTP,
 * Prometheus and webhook gates go through resilience4j policies ({@link dev.bluegreen.gates.GatePolicies}).
 *
 * <p>Each is a {@link dev.bluegreen.HealthGate}: put it in a plan as a pre- or post-switch gate, or
 * evaluate it repeatedly with the core's analysis semantics
 * ({@link dev.bluegreen.HealthGate#observe(dev.bluegreen.HealthGate)}: initial delay, interval,
 * count, failure, inconclusive and consecutive-error limits). No data, a query error and an
 * unreachable third party are inconclusive, never a pass. Implementations live in
 * {@code dev.bluegreen.gates.internal}, which is not API. No Kubernetes dependency.
 */
package dev.bluegreen.gates;
