package dev.bluegreen.examples;

import dev.bluegreen.HealthGate;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A full blue-green release of the guide's method 1 on an embedded simulated cluster: v1 runs on
 * blue; v2 is deployed to green, waited for, smoke-gated, switched to, observed, and blue is
 * scaled down after a short retention.
 */
public final class Demo {
    private Demo() {
    }

    /**
     * @param out where to print the release as it happens
     * @return 0 when the release succeeded, 1 otherwise
     */
    public static int run(PrintStream out) {
        long start = System.nanoTime();
        try (SimulatedCluster cluster = SimulatedCluster.builder().startDelay(Duration.ofMillis(50)).start()) {
            out.printf("simulated cluster at %s, started in %d ms (first start in a JVM includes class loading)%n",
                    cluster.masterUrl(), (System.nanoTime() - start) / 1_000_000);
            BlueGreenApp app = BlueGreenApp.named("myapp").image("registry.example.com/myapp:v1").replicas(3).create(cluster);
            out.println("myapp v1 is live on blue with 3 ready pods; green is idle (0 replicas)");

            BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build();
            PodsReadyGate podsReady = new PodsReadyGate(cluster.client());
            ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(cluster.client(), conventions)
                    .version("registry.example.com/myapp:v2")
                    .preSwitchGate(podsReady)
                    .postSwitchGate(HealthGate.observe(podsReady).every(Duration.ofMillis(100))
                            .lasting(Duration.ofMillis(500)).build())
                    .retention(Retention.scaleDownAfter(Duration.ofMillis(500)))
                    .build();
            out.println("release plan: " + plan);

            ReleaseResult result = ReleaseEngine.builder().listener(new ProgressPrinter(out)).build().run(plan);

            result.error().ifPresent(error -> out.println("error: " + error.getMessage()));
            result.warnings().forEach(warning -> out.println("warning: " + warning));
            out.printf("release took %d ms%n", result.duration().toMillis());
            out.printf("outcome: %s, live color %s%n", result.outcome(), result.liveColor().map(Object::toString).orElse("unknown"));
            return result.succeeded() ? 0 : 1;
        }
    }
}
