/**
 * The Kubernetes adapter on the fabric8 client: {@link dev.bluegreen.fabric8.KubernetesBlueGreen}
 * builds the Service-selector switcher, the color Deployments, the per-app Lease that holds the
 * release lock and record, and ready-made plans, from {@link dev.bluegreen.fabric8.BlueGreenConventions}
 * (names and labels) and {@link dev.bluegreen.fabric8.KubernetesOptions} (retries, lock timing, clock).
 */
package dev.bluegreen.fabric8;
