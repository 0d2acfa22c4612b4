/**
 * A blue-green platform in memory ({@link dev.bluegreen.memory.InMemoryPlatform}): a router and two color
 * environments keeping the adapters' contract, for host applications that release something other than
 * Kubernetes workloads and for tests of plans, gates and listeners without a cluster.
 */
package dev.bluegreen.memory;
