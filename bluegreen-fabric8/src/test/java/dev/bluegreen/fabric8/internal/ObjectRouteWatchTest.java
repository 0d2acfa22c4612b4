package dev.bluegreen.fabric8.internal;

import dev.bluegreen.Color;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@ExtendWith(SimulatedClusterExtension.class)
class ObjectRouteWatchTest {

    private static RouteState route(Service service) {
        return RouteState.routed("Service myapp-service", Color.of(service.getSpec().getSelector().get("version")),
                service.getMetadata().getResourceVersion(), Instant.EPOCH);
    }

    @Test
    void aSwitchBySomeoneElseIsSeenEvenWhenTheWatchDeliveredOurOwnWriteBeforeItsAnswer(SimulatedCluster cluster)
            throws Exception {
        BlueGreenApp app = BlueGreenApp.named("myapp").create(cluster);
        KubernetesClient client = cluster.client();
        Service start = client.services().inNamespace(app.namespace()).withName("myapp-service").get();
        LinkedBlockingQueue<RouteState> seen = new LinkedBlockingQueue<>();
        List<RouteState> all = new CopyOnWriteArrayList<>();
        try (ObjectRouteWatch<Service> watch = new ObjectRouteWatch<>(client.services().inNamespace(app.namespace())
                .withName("myapp-service"), "Service myapp-service", route(start), ObjectRouteWatchTest::route, state -> {
                    all.add(state);
                    seen.add(state);
                }, () -> { })) {
            Service ours = client.services().inNamespace(app.namespace()).withName("myapp-service")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");
            RouteState delivered = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(delivered, "the watch delivers our write");
            watch.ownWrite(ours, route(ours)); // the write's answer arrives after the watch event

            client.services().inNamespace(app.namespace()).withName("myapp-service")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"blue\"}}}");

            RouteState theirs = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(theirs, "the operator's switch is not swallowed: " + all);
            assertEquals(Color.BLUE, theirs.live());
            assertEquals(Color.BLUE, watch.latest().live());
        }
    }
}
