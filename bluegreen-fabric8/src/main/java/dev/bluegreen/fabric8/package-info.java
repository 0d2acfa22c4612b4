/**
 * The Kubernetes adapter on the fabric8 client: {@link dev.bluegreen.fabric8.KubernetesBlueGreen}
 * builds the switchers (a Service's label selector; the backends of an Ingress or of a Gateway API
 * HTTPRoute between the color Services, chosen with {@link dev.bluegreen.fabric8.BackendSelection}), the
 * color Deployments, the per-app Lease that holds the release lock and record, ready-made plans, and the
 * guide's automation script as one call ({@link dev.bluegreen.fabric8.AutomatedRelease}), from
 * {@link dev.bluegreen.fabric8.BlueGreenConventions} (names and labels) and
 * {@link dev.bluegreen.fabric8.KubernetesOptions} (retries, lock timing, clock, best-practice checks).
 */
package dev.bluegreen.fabric8;
