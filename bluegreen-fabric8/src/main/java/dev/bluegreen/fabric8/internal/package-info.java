/**
 * The adapter's implementation: the Service-selector switcher and its route watch and endpoint
 * verification, the Deployment environments, the Lease store, and the calls to the API server with
 * their retries. Not API: types here may change in any release.
 */
package dev.bluegreen.fabric8.internal;
