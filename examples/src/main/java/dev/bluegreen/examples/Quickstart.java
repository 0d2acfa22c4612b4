package dev.bluegreen.examples;

import dev.bluegreen.HealthGate;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.fabric8.KubernetesGates;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;

/**
 * The README's quickstart, kept compiling and tested ({@code QuickstartTest} also checks that the
 * README shows this code): release a new image of {@code myapp} with the guide's conventions,
 * {@code myapp-blue} / {@code myapp-green} Deployments behind {@code myapp-service}.
 */
public final class Quickstart {
    private Quickstart() {
    }

    // quickstart:begin
    /** Releases a new image of myapp; pass ReleaseEngine.create(), or an engine with a manual clock in tests. */
    public static ReleaseResult release(KubernetesClient client, ReleaseEngine engine, String image) {
        BlueGreenConventions myapp = BlueGreenConventions.forApp("myapp").namespace("production").build();
        KubernetesGates gates = KubernetesGates.using(client);   // they read Service, pods and labels from the release

        ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(client, myapp)
                .version(image)                                              // deployed to the idle color
                .preSwitchGate(gates.deploymentAvailable())                  // before the switch: every new pod up
                .preSwitchGate(gates.podRestarts(Duration.ofSeconds(30)))    // and none restarting for 30 s
                .postSwitchGate(HealthGate.observe(HealthGate.allOf("live",  // observed after the switch:
                                gates.endpointsReady(1),                     // the Service reaches only new pods
                                gates.logErrors()))                          // whose logs show no ERROR lines
                        .every(Duration.ofSeconds(10)).lasting(Duration.ofMinutes(1)).build())
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(5)))   // then the old color is retired
                .build();

        ReleaseResult result = engine.run(plan);   // SUCCEEDED, ABORTED (traffic untouched) or ROLLED_BACK
        System.out.println(result.summary());
        return result;
    }
    // quickstart:end
}
