package dev.bluegreen.testkit;

import static dev.bluegreen.testkit.Fixtures.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The load generator is bounded: concurrency, requests, rate; it counts failures of every kind. */
@ExtendWith(SimulatedClusterExtension.class)
class LoadGeneratorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void itNeverHasMoreRequestsInFlightThanItsClientsAndSendsExactlyItsMaximum(SimulatedCluster cluster) {
        AtomicInteger current = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Executor later = CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS);
        cluster.markImage("web:v1", HttpBehavior.DEFAULT.withHandler("/count", request -> {
            peak.accumulateAndGet(current.incrementAndGet(), Math::max);
            return CompletableFuture.supplyAsync(() -> {
                current.decrementAndGet();
                return HttpBehavior.Response.ok("counted");
            }, later);
        }));
        URI pod = startPod(cluster);

        LoadReport report = LoadGenerator.to(pod.resolve("/count")).concurrency(5).maxRequests(60).start().awaitEnd(TIMEOUT);

        assertEquals(60, report.requests(), report::summary);
        assertEquals(0, report.failed());
        assertTrue(report.maxInFlight() <= 5, report::summary);
        assertTrue(peak.get() <= 5, "the pod saw " + peak.get() + " requests at once");
        assertTrue(report.latencyPercentile(50).toMillis() >= 5, report::summary);
    }

    @Test
    void itSendsAtMostItsTargetRate(SimulatedCluster cluster) {
        URI pod = startPod(cluster);

        LoadReport report = LoadGenerator.to(pod).concurrency(4).ratePerSecond(100).duration(Duration.ofMillis(500)).start()
                .awaitEnd(TIMEOUT);

        System.out.println("rate 100/s for 0.5 s: " + report.summary());
        // Request k is due k/100 s after the start: 50 are due within 0.5 s (k = 0..49), and nothing is sent late in bulk.
        assertTrue(report.requests() <= 50, report::summary);
        assertTrue(report.requests() >= 10, report::summary);
        assertEquals(0, report.failed());
    }

    @Test
    void itCountsConnectionFailuresAndTimeoutsAsFailures(SimulatedCluster cluster) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        LoadReport refused = LoadGenerator.to(URI.create("http://127.0.0.1:" + closedPort + "/")).concurrency(2)
                .maxRequests(10).start().awaitEnd(TIMEOUT);
        assertEquals(10, refused.connectionFailures(), refused::summary);
        assertEquals(10, refused.failed());
        assertEquals(0, refused.samples().get(0).status());

        cluster.markImage("web:v1", HttpBehavior.DEFAULT.withHandler("/hang", request -> new CompletableFuture<>()));
        URI pod = startPod(cluster);
        LoadReport hung = LoadGenerator.to(pod.resolve("/hang")).concurrency(1).maxRequests(3)
                .requestTimeout(Duration.ofMillis(100)).start().awaitEnd(TIMEOUT);
        assertEquals(3, hung.timeouts(), hung::summary);
        assertEquals(3, hung.failed());
    }

    @Test
    void stopEndsALoadWithoutEndAndReturnsWhatItSaw(SimulatedCluster cluster) throws Exception {
        URI pod = startPod(cluster);
        LoadGenerator load = LoadGenerator.to(pod).concurrency(2).start();
        load.whenResponses(s -> s.status() == 200, 25).get(30, TimeUnit.SECONDS);
        assertTrue(load.isRunning());

        LoadReport report = load.stop();

        assertFalse(load.isRunning());
        assertFalse(report.running());
        assertTrue(report.requests() >= 25, report::summary);
        assertEquals(report.requests(), report.byStatus().get(200));
        assertEquals(report.requests(), load.stop().requests(), "stop is idempotent");
        CompletableFuture<LoadReport.Sample> never = load.whenResponses(s -> true, 1);
        assertThrows(Exception.class, () -> never.get(1, TimeUnit.SECONDS), "an ended generator fails new waits");
    }

    @Test
    void itRefusesUnboundedSettings() {
        URI any = URI.create("http://127.0.0.1:1/");
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.to(any).concurrency(LoadGenerator.MAX_CONCURRENCY + 1));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.to(any).maxRequests(LoadGenerator.MAX_REQUESTS + 1));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.to(any).ratePerSecond(0));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.to(URI.create("https://example.com/")));
    }

    private static URI startPod(SimulatedCluster cluster) {
        cluster.client().apps().deployments().resource(deployment("web", "web:v1", 1)).create();
        cluster.awaitDeployment("default", "web", DeploymentConditions.rolloutComplete(), TIMEOUT);
        String name = Fixtures.podsOf(cluster.client(), "web").get(0).getMetadata().getName();
        return cluster.dataPlane().podUrl("default", name).orElseThrow();
    }
}
