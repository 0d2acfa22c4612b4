/**
 * The adapter's implementation: the Service-selector, Ingress and HTTPRoute switchers with what they share
 * (the routing object's conditioned writes, fence and route watch) and the endpoint verification, the
 * Deployment environments, the automated release's steps (test Service, ready pods, deletion of the previous
 * color, PodDisruptionBudget), the best-practice checks, the Lease store, and the calls to the API server with
 * their retries. Not API: types here may change in any release.
 */
package dev.bluegreen.fabric8.internal;
