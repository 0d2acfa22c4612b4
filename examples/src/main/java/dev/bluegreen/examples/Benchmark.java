package dev.bluegreen.examples;

import dev.bluegreen.Color;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.VerificationWatch;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.RequestLog;
import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures, side by side in one run on the same simulated cluster: the time from a switch decision
 * to endpoints verified, next to one raw single-request PATCH of the same Service and next to the
 * physical limit (that PATCH with an EndpointSlice watch opened before it, until the slice lists
 * only ready pods of the new color); and the API requests one full release makes, counted at the
 * mock server, for 3 and 30 replicas; and what starting and closing a simulated cluster costs a test. Figures are ratios and counts for comparison, not absolute
 * promises: the machine is shared.
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
        out.println("API requests of one full release (lock, deploy, wait, switch, verify, retire, record), counted at the mock server:");
        out.printf("  %-9s %6s %6s %6s   %s%n", "replicas", "total", "lease", "other", "by kind");
        for (int replicas : new int[] {3, 30}) {
            requestsPerRelease(replicas, out);
        }
        out.println();
        clusterStartup(out);
        return 0;
    }

    private static void switchLatency(int iterations, PrintStream out) {
        try (SimulatedCluster cluster = SimulatedCluster.builder().startDelay(Duration.ZERO).start()) {
            BlueGreenApp app = BlueGreenApp.named("bench").replicas(3).idleReplicas(3).create(cluster);
            cluster.awaitSettled(Duration.ofSeconds(10));
            KubernetesClient client = cluster.client();
            BlueGreenConventions conventions = BlueGreenConventions.forApp("bench").namespace(app.namespace()).build();
            ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(client, conventions).version("bench:v1").build();
            TrafficSwitcher switcher = plan.switcher();
            ColorEnvironments environments = plan.environments();
            Service service = new ServiceBuilder().withNewMetadata().withName(app.serviceName())
                    .withNamespace(app.namespace()).endMetadata().build();
            AtomicReference<Slices> slices = new AtomicReference<>();
            SharedIndexInformer<EndpointSlice> informer = client.discovery().v1().endpointSlices()
                    .inNamespace(app.namespace()).withLabel("kubernetes.io/service-name", app.serviceName())
                    .inform(onAnyChange(() -> {
                        Slices waiting = slices.get();
                        if (waiting != null) {
                            waiting.check();
                        }
                    }));
            List<Long> raw = new ArrayList<>();
            List<Long> limit = new ArrayList<>();
            List<Long> switched = new ArrayList<>();
            List<Long> verified = new ArrayList<>();
            Color color = Color.BLUE;
            RouteState route = switcher.read(Deadline.after(Duration.ofSeconds(10)));
            try {
                for (int i = 0; i < WARMUP + iterations; i++) {
                    color = other(color);
                    long t0 = System.nanoTime();
                    client.services().resource(service).patch(PatchContext.of(PatchType.JSON_MERGE), selector(color));
                    long t1 = System.nanoTime();
                    cluster.awaitSettled(Duration.ofSeconds(10));

                    color = other(color);
                    Slices expected = new Slices(informer, "bench-" + color + "-");
                    slices.set(expected);
                    long t2 = System.nanoTime();
                    client.services().resource(service).patch(PatchContext.of(PatchType.JSON_MERGE), selector(color));
                    expected.check();
                    expected.done.get(10, TimeUnit.SECONDS);
                    long t3 = System.nanoTime();
                    slices.set(null);
                    cluster.awaitSettled(Duration.ofSeconds(10));

                    color = other(color);
                    route = switcher.read(Deadline.after(Duration.ofSeconds(10)));
                    long t4 = System.nanoTime();
                    // what the engine's switch step does: read the candidate's readiness, open the
                    // verification, one conditioned write, wait for the endpoints
                    Deadline deadline = Deadline.after(Duration.ofSeconds(10));
                    EnvironmentState target = environments.read(color, deadline);
                    if (!target.servable()) {
                        throw new IllegalStateException("benchmark color not ready: " + target);
                    }
                    try (VerificationWatch watch = switcher.verifier().orElseThrow().expect(color)) {
                        route = switcher.switchTo(color, route, deadline).route();
                        long t5 = System.nanoTime();
                        watch.await(deadline);
                        long t6 = System.nanoTime();
                        if (i >= WARMUP) {
                            raw.add(t1 - t0);
                            limit.add(t3 - t2);
                            switched.add(t5 - t4);
                            verified.add(t6 - t4);
                        }
                    }
                    cluster.awaitSettled(Duration.ofSeconds(10));
                }
            } catch (Exception e) {
                throw new IllegalStateException("benchmark failed: " + e, e);
            } finally {
                informer.close();
            }
            out.printf("switch latency, %d alternating switches after %d warm-up rounds, 3 ready pods per color:%n",
                    iterations, WARMUP);
            out.printf("  %-62s %s%n", "raw single-request PATCH of the Service selector (no checks)", stats(raw));
            out.printf("  %-62s %s%n", "physical limit: that PATCH until the EndpointSlice lists only new", stats(limit));
            out.printf("  %-62s %s%n", "bluegreen switch (readiness read + conditioned PATCH)", stats(switched));
            out.printf("  %-62s %s%n", "bluegreen switch + verify (EndpointSlices list only new)", stats(verified));
            out.printf("  ratio, median switch-to-verified / median physical limit: %.1fx%n",
                    (double) median(verified) / median(limit));
        }
    }

    /**
     * What each test that starts its own cluster pays: {@code SimulatedCluster.start()} until its client answers,
     * next to closing it, after warm-up starts that load the classes.
     */
    private static void clusterStartup(PrintStream out) {
        int warmup = 3;
        int runs = 15;
        List<Long> starts = new ArrayList<>();
        List<Long> closes = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            long t0 = System.nanoTime();
            SimulatedCluster cluster = SimulatedCluster.start();
            cluster.client().pods().list();
            long t1 = System.nanoTime();
            cluster.close();
            long t2 = System.nanoTime();
            if (i >= warmup) {
                starts.add(t1 - t0);
                closes.add(t2 - t1);
            }
        }
        out.printf("simulated cluster, %d starts after %d warm-up starts:%n", runs, warmup);
        out.printf("  %-62s %s%n", "SimulatedCluster.start() until its client lists pods", stats(starts));
        out.printf("  %-62s %s%n", "close()", stats(closes));
    }

    private static Color other(Color color) {
        return color.equals(Color.BLUE) ? Color.GREEN : Color.BLUE;
    }

    private static String selector(Color color) {
        return "{\"spec\":{\"selector\":{\"version\":\"" + color + "\"}}}";
    }

    /** Completes once the Service's slices list only ready pods whose names start with a prefix. */
    private static final class Slices {
        final SharedIndexInformer<EndpointSlice> informer;
        final String prefix;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Slices(SharedIndexInformer<EndpointSlice> informer, String prefix) {
            this.informer = informer;
            this.prefix = prefix;
        }

        void check() {
            List<Endpoint> endpoints = new ArrayList<>();
            informer.getStore().list().forEach(slice -> endpoints.addAll(slice.getEndpoints()));
            boolean onlyNew = !endpoints.isEmpty() && endpoints.stream().allMatch(e -> e.getTargetRef() != null
                    && e.getTargetRef().getName().startsWith(prefix)
                    && (e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady())));
            if (onlyNew) {
                done.complete(null);
            }
        }
    }

    private static <T> ResourceEventHandler<T> onAnyChange(Runnable action) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                action.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                action.run();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                action.run();
            }
        };
    }

    private static void requestsPerRelease(int replicas, PrintStream out) {
        try (SimulatedCluster cluster = SimulatedCluster.builder().startDelay(Duration.ZERO).start()) {
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
            int lease = byKind.entrySet().stream().filter(e -> e.getKey().endsWith(" leases"))
                    .mapToInt(Map.Entry::getValue).sum();
            out.printf("  %-9d %6d %6d %6d   %s%n", replicas, requests.size(), lease, requests.size() - lease, byKind);
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
