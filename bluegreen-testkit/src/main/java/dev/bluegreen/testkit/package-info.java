/**
 * A simulated Kubernetes cluster for fast tests of code that releases applications: the fabric8 mock API
 * server plus the controllers a real cluster runs. Start one with {@link dev.bluegreen.testkit.SimulatedCluster#start()}
 * or inject one with {@link dev.bluegreen.testkit.SimulatedClusterExtension}; create the guide's blue-green
 * objects with {@link dev.bluegreen.testkit.BlueGreenApp}. Real HTTP through the cluster's Services, Ingresses and
 * HTTPRoutes: {@link dev.bluegreen.testkit.SimulatedCluster#dataPlane()}, {@link dev.bluegreen.testkit.HttpBehavior}
 * and {@link dev.bluegreen.testkit.LoadGenerator}. Jobs, ResourceQuotas, Ingress and Gateway API status and the
 * resource metrics API are simulated too: {@link dev.bluegreen.testkit.PodBehavior#succeedsAfter},
 * {@link dev.bluegreen.testkit.PodBehavior#failsAfter}, {@link dev.bluegreen.testkit.PodBehavior#withUsage}.
 */
package dev.bluegreen.testkit;
