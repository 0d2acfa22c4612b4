package dev.bluegreen.examples;

import dev.bluegreen.Color;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.TrafficSwitcher;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.RequestLog;
import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures, side by side in one run on the same simulated cluster: the time from a switch call to
 * endpoints verified, next to one raw fabric8 PATCH of the same Service; and the API requests one
 * full release makes, counted at the mock server, for 3 and 30 replicas. Figures are ratios and
 * counts for comparison, not absolute promises: the machine is shared.
 */
public final class Benchmark {
    private static final int DEFAULT_ITERATIONS = 40;
    private static final int WARMUP = 10;

    private Benchmark() {
    }

    /**
     * @param args {@code --iterations N} (default 40)
     * @param out  where to print the report
     * @return 0 on success, 2 on bad arguments
     */
    public static int run(String[] args, PrintStream out) {
        int iterations = DEFAULT_ITERATIONS;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--iterations") && i + 1 < args.length) {
                try {
                    iterations = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    iterations = -1;
                }
                if (iterations < 1) {
                    System.err.println("--iterations must be a positive integer, but was '" + args[i] + "'");
                    return 2;
                }
            } else {
                System.err.println("unknown argument '" + args[i] + "'; expected --iterations N");
                return 2;
            }
        }
        switchLatency(iterations, out);
        out.println();
        out.println("API requests of one full release (deploy, wait, switch, verify, retire), counted at the mock server:");
        out.printf("  %-9s %6s   %s%n", "replicas", "total", "by kind");
        for (int replicas : new int[] {3, 30}) {
            requestsPerRelease(replicas, out);
        }
        return 0;
    }

    private static void switchLatency(int iterations, PrintStream out) {
        try (SimulatedCluster cluster = SimulatedCluster.builder().readinessDelay(Duration.ZERO).start()) {
            BlueGreenApp app = BlueGreenApp.named("bench").replicas(3).idleReplicas(3).create(cluster);
            cluster.awaitSettled(Duration.ofSeconds(10));
            KubernetesClient client = cluster.client();
            TrafficSwitcher switcher = KubernetesBlueGreen.serviceSelectorSwitcher(client,
                    BlueGreenConventions.forApp("bench").namespace(app.namespace()).build());
            List<Long> raw = new ArrayList<>();
            List<Long> switched = new ArrayList<>();
            List<Long> verified = new ArrayList<>();
            Color color = Color.BLUE;
            for (int i = 0; i < WARMUP + iterations; i++) {
                color = color.equals(Color.BLUE) ? Color.GREEN : Color.BLUE;
                long t0 = System.nanoTime();
                client.services().inNamespace(app.namespace()).withName(app.serviceName())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"" + color + "\"}}}");
                long t1 = System.nanoTime();
                cluster.awaitSettled(Duration.ofSeconds(10));

                color = color.equals(Color.BLUE) ? Color.GREEN : Color.BLUE;
                long t2 = System.nanoTime();
                switcher.switchTo(color);
                long t3 = System.nanoTime();
                switcher.verify(color, Duration.ofSeconds(10));
                long t4 = System.nanoTime();
                cluster.awaitSettled(Duration.ofSeconds(10));
                if (i >= WARMUP) {
                    raw.add(t1 - t0);
                    switched.add(t3 - t2);
                    verified.add(t4 - t2);
                }
            }
            out.printf("switch latency, %d alternating switches after %d warm-up rounds, 3 ready pods per color:%n",
                    iterations, WARMUP);
            out.printf("  %-52s %s%n", "raw fabric8 PATCH of the Service selector (no checks)", stats(raw));
            out.printf("  %-52s %s%n", "bluegreen switchTo (preflight reads + CAS merge patch)", stats(switched));
            out.printf("  %-52s %s%n", "bluegreen switchTo + verify (endpoints list only new)", stats(verified));
            out.printf("  ratio, median switch-to-verified / median raw PATCH: %.1fx%n",
                    (double) median(verified) / median(raw));
        }
    }

    private static void requestsPerRelease(int replicas, PrintStream out) {
        try (SimulatedCluster cluster = SimulatedCluster.builder().readinessDelay(Duration.ZERO).start()) {
            BlueGreenApp app = BlueGreenApp.named("bench").replicas(replicas).create(cluster);
            RequestLog log = cluster.requests();
            RequestLog.Mark mark = log.mark();
            ReleaseResult result = ReleaseEngine.create().run(KubernetesBlueGreen.serviceSelectorPlan(cluster.client(),
                            BlueGreenConventions.forApp("bench").namespace(app.namespace()).build())
                    .version("bench:v2").retention(Retention.scaleDownAfter(Duration.ZERO)).build());
            if (!result.succeeded()) {
                throw new IllegalStateException("benchmark release failed: " + result.summary());
            }
            List<ClientRequest> requests = log.fromUsersSince(mark);
            Map<String, Integer> byKind = new TreeMap<>();
            for (ClientRequest request : requests) {
                byKind.merge(kind(request), 1, Integer::sum);
            }
            out.printf("  %-9d %6d   %s%n", replicas, requests.size(), byKind);
        }
    }

    /** @return e.g. "PATCH deployments", "WATCH endpointslices" */
    private static String kind(ClientRequest request) {
        String path = request.pathWithoutQuery();
        String[] parts = path.split("/");
        String resource = "?";
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equals("namespaces") && i + 2 < parts.length) {
                resource = parts[i + 2];
            }
        }
        String verb = request.isWatch() ? "WATCH" : request.method();
        if (verb.equals("GET") && parts.length > 0 && parts[parts.length - 1].equals(resource)) {
            verb = "LIST";
        }
        return verb + " " + resource;
    }

    private static long median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String stats(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("median %7.2f ms   p90 %7.2f ms   min %7.2f ms", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) Math.min(sorted.size() - 1, Math.round(sorted.size() * 0.9))) / 1e6, sorted.get(0) / 1e6);
    }
}
