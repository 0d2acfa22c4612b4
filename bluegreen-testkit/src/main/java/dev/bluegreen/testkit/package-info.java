/**
 * A simulated Kubernetes cluster for fast tests of code that releases applications: the fabric8 mock API
 * server plus the controllers a real cluster runs. Start one with {@link dev.bluegreen.testkit.SimulatedCluster#start()}
 * or inject one with {@link dev.bluegreen.testkit.SimulatedClusterExtension}; create the guide's blue-green
 * objects with {@link dev.bluegreen.testkit.BlueGreenApp}.
 */
package dev.bluegreen.testkit;
