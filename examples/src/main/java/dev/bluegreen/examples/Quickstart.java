package dev.bluegreen.examples;

import dev.bluegreen.HealthGate;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
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
        HealthGate podsReady = new PodsReadyGate(client);   // or any HealthGate of your own

        ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(client, myapp)
                .version(image)                                   // deployed to the idle color
                .preSwitchGate(podsReady)                         // smoke test before the switch
                .postSwitchGate(HealthGate.observe(podsReady)     // observed after the switch
                        .every(Duration.ofSeconds(10)).lasting(Duration.ofMinutes(1)).build())
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(5)))   // then the old color is retired
                .build();

        ReleaseResult result = engine.run(plan);   // SUCCEEDED, ABORTED (traffic untouched) or ROLLED_BACK
        System.out.println(result.summary());
        return result;
    }
    // quickstart:end
}
