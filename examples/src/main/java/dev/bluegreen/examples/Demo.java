package dev.bluegreen.examples;

import dev.bluegreen.HealthGate;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.fabric8.KubernetesGates;
import dev.bluegreen.fabric8.ServiceAddress;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A full blue-green release of the guide's method 1 on an embedded simulated cluster: v1 runs on
 * blue; v2 is deployed to green, waited for, smoke-gated, switched to, observed, and blue is
 * scaled down after a short retention. With {@code --keep} the cluster stays up afterwards, with a kubeconfig
 * file pointing at it, so that kubectl can look at and change what the release left.
 */
public final class Demo {
    private Demo() {
    }

    /**
     * @param out where to print the release as it happens
     * @return 0 when the release succeeded, 1 otherwise
     */
    public static int run(PrintStream out) {
        return run(out, null);
    }

    /**
     * Runs the demo; with {@code whileKept} the cluster stays up after the release: a kubeconfig file pointing
     * at it is written to a new temporary directory, how to use it is printed, and {@code whileKept} is called
     * with the file's path; the cluster stops (and the file is deleted) when it returns.
     *
     * @param out       where to print the release as it happens
     * @param whileKept called with the kubeconfig file while the cluster is kept running; null to stop at once
     * @return 0 when the release succeeded, 1 otherwise
     */
    public static int run(PrintStream out, Consumer<Path> whileKept) {
        long start = System.nanoTime();
        try (SimulatedCluster cluster = SimulatedCluster.builder().startDelay(Duration.ofMillis(50)).start()) {
            out.printf("simulated cluster at %s, started in %d ms (first start in a JVM includes class loading)%n",
                    cluster.masterUrl(), (System.nanoTime() - start) / 1_000_000);
            BlueGreenApp app = BlueGreenApp.named("myapp").image("registry.example.com/myapp:v1").replicas(3).create(cluster);
            out.println("myapp v1 is live on blue with 3 ready pods; green is idle (0 replicas)");

            BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build();
            // The library's Kubernetes gates; HTTP gates reach Services through the simulated cluster's data plane.
            KubernetesGates gates = KubernetesGates.using(cluster.client()).serviceAddresses(
                    (namespace, service, port) -> ServiceAddress.of(cluster.dataPlane().serviceUrl(namespace, service)));
            ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(cluster.client(), conventions)
                    .version("registry.example.com/myapp:v2")
                    .preSwitchGate(gates.deploymentAvailable())
                    .postSwitchGate(HealthGate.observe(HealthGate.allOf("live", gates.endpointsReady(3),
                                    gates.version(5), gates.podRestarts(Duration.ZERO), gates.logErrors()))
                            .every(Duration.ofMillis(100)).lasting(Duration.ofMillis(500)).build())
                    .retention(Retention.scaleDownAfter(Duration.ofMillis(500)))
                    .build();
            out.println("release plan: " + plan);

            ReleaseResult result = ReleaseEngine.builder().listener(new ProgressPrinter(out)).build().run(plan);

            result.error().ifPresent(error -> out.println("error: " + error.getMessage()));
            result.warnings().forEach(warning -> out.println("warning: " + warning));
            out.printf("release took %d ms%n", result.duration().toMillis());
            out.printf("outcome: %s, live color %s%n", result.outcome(), result.liveColor().map(Object::toString).orElse("unknown"));
            if (whileKept != null) {
                keep(cluster, out, whileKept);
            }
            return result.succeeded() ? 0 : 1;
        }
    }

    private static void keep(SimulatedCluster cluster, PrintStream out, Consumer<Path> whileKept) {
        Path directory;
        try {
            directory = Files.createTempDirectory("bluegreen-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a directory for the kubeconfig file", e);
        }
        Path kubeconfig = cluster.writeKubeconfig(directory.resolve("kubeconfig"));
        out.println();
        out.println("The simulated cluster keeps running at " + cluster.masterUrl() + " so that kubectl can talk to it.");
        out.println("kubeconfig: " + kubeconfig + " (context " + SimulatedCluster.KUBECONFIG_CONTEXT + ", namespace "
                + cluster.namespace() + ")");
        out.println("In another terminal:");
        out.println("  export KUBECONFIG=" + kubeconfig);
        out.println("  kubectl get deployments,replicasets,services,endpoints -o wide");
        out.println("  kubectl get service myapp-service -o jsonpath='{.spec.selector.version}'");
        out.println("  kubectl get pods -w                      # in one terminal, then in another:");
        out.println("  kubectl scale deployment myapp-blue --replicas=3");
        out.println("  kubectl set image deployment/myapp-blue myapp=registry.example.com/myapp:v3");
        out.println("  kubectl rollout status deployment/myapp-blue");
        out.println("  kubectl patch service myapp-service -p '{\"spec\":{\"selector\":{\"version\":\"blue\"}}}'");
        out.printf("Simulated time runs %.0f times faster than real time: ages, probe delays and grace periods too.%n",
                cluster.timeScale());
        out.println("Press Ctrl-C to stop the cluster.");
        out.flush();
        try {
            whileKept.accept(kubeconfig);
        } finally {
            try {
                Files.deleteIfExists(kubeconfig);
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                out.println("could not delete " + kubeconfig + ": " + e);
            }
        }
    }
}
