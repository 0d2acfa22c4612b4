package dev.bluegreen.testkit;

import io.fabric8.kubernetes.api.model.Pod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (the {@code prometheus} binary, e.g. Debian's package) scraping the
 * {@code /metrics} of every pod of a {@link SimulatedCluster} whose data plane serves HTTP: each pod's
 * {@code http_requests_total{status}} counter and {@code http_request_duration_seconds} histogram, with the
 * target labels {@code namespace}, {@code pod} and every pod label (e.g. {@code app}, {@code version}), as a
 * Kubernetes pod discovery would attach them. Pods are discovered through a file that this class rewrites
 * as pods start and stop (Prometheus' {@code file_sd_configs}); scrapes run every second.
 *
 * <pre>{@code
 * try (PrometheusServer prometheus = PrometheusServer.start(cluster, tempDir)) {
 *     HealthGate errors = PrometheusGate.errorRatio("error-ratio", 0.05).server(prometheus.url().toString())...
 * }
 * }</pre>
 *
 * <p>It listens on 127.0.0.1 and a free port, keeps its data in a directory the caller gives, and is stopped
 * (with its process) by {@link #close()}. Prometheus runs on real time: a rate over a window needs at least
 * two scrapes inside it, so a test waits a few real seconds after sending traffic.
 */
public final class PrometheusServer implements AutoCloseable {
    /** The command that installs the binary on Debian and Ubuntu, for skip and failure messages. */
    public static final String INSTALL_COMMAND = "apt-get update && apt-get install -y prometheus";
    /** The environment variable naming the binary explicitly, instead of the first {@code prometheus} on the PATH. */
    public static final String BINARY_VARIABLE = "PROMETHEUS_BIN";

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusServer.class);
    private static final String READY_LINE = "Server is ready to receive web requests.";
    private static final Duration DISCOVERY_PERIOD = Duration.ofMillis(250);

    private final SimulatedCluster cluster;
    private final Process process;
    private final int port;
    private final Path targets;
    private final Deque<String> log = new ArrayDeque<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final ScheduledExecutorService discovery;
    private volatile String written = "";

    private PrometheusServer(SimulatedCluster cluster, Process process, int port, Path targets) {
        this.cluster = cluster;
        this.process = process;
        this.port = port;
        this.targets = targets;
        Thread reader = new Thread(this::readLog, "prometheus-log");
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException(
                "prometheus exited with " + process.exitValue() + " before it was ready")));
        discovery = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "prometheus-pod-discovery");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Finds the binary: the file {@value #BINARY_VARIABLE} names, or else the first {@code prometheus} on the PATH.
     *
     * @return the binary, or empty when there is none (install it with {@value #INSTALL_COMMAND})
     */
    public static Optional<Path> binary() {
        String explicit = System.getenv(BINARY_VARIABLE);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts Prometheus scraping the cluster's pods and waits until it is ready (at most 60 seconds).
     *
     * @param cluster   the simulated cluster whose pods are scraped; not null
     * @param directory an empty directory for the configuration, the discovered targets and the storage; not null
     * @return the running server
     * @throws IllegalStateException when there is no binary (the message names {@value #INSTALL_COMMAND}) or it
     *                               does not become ready (the message has its last log lines)
     * @throws IOException          when the directory cannot be written or the process not started
     */
    public static PrometheusServer start(SimulatedCluster cluster, Path directory) throws IOException {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(directory, "directory");
        Path binary = binary().orElseThrow(() -> new IllegalStateException("no prometheus binary: neither $"
                + BINARY_VARIABLE + " nor the PATH names one; install it with: " + INSTALL_COMMAND));
        int port = freePort();
        Path targets = directory.resolve("pods.json");
        Files.writeString(targets, "[]");
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: simulated-pods\n    file_sd_configs:\n      - files: ['" + targets
                + "']\n        refresh_interval: 1s\n");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h", "--log.level=info")
                .redirectErrorStream(true).start();
        PrometheusServer server = new PrometheusServer(cluster, process, port, targets);
        try {
            server.discovery.scheduleWithFixedDelay(server::discover, 0, DISCOVERY_PERIOD.toMillis(),
                    TimeUnit.MILLISECONDS);
            server.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("Prometheus {} ready at {}", binary, server.url());
        return server;
    }

    /** @return the server's address, e.g. {@code http://127.0.0.1:41234} */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** @return the last lines Prometheus logged (at most 40), for failure messages */
    public String logTail() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** @return the targets file as last written: one entry per pod that serves HTTP */
    public String discoveredTargets() {
        return written;
    }

    /** Stops pod discovery and the Prometheus process (SIGTERM, then SIGKILL after 10 seconds). */
    @Override
    public void close() {
        discovery.shutdownNow();
        process.destroy();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "PrometheusServer[" + url() + (process.isAlive() ? "" : ", stopped") + "]";
    }

    /** Rewrites the targets file when the set of pods serving HTTP changed; never throws (it runs on a schedule). */
    private void discover() {
        try {
            String json = cluster.client().pods().inAnyNamespace().list().getItems().stream()
                    .map(this::target)
                    .flatMap(Optional::stream)
                    .sorted()
                    .collect(Collectors.joining(",\n", "[\n", "\n]\n"));
            if (json.equals(written)) {
                return;
            }
            Path next = targets.resolveSibling(targets.getFileName() + ".next");
            Files.writeString(next, json);
            Files.move(next, targets, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = json;
        } catch (IOException | RuntimeException e) {
            LOG.debug("pod discovery for Prometheus failed, retried in {} ms: {}", DISCOVERY_PERIOD.toMillis(), e.toString());
        }
    }

    /** One file_sd entry for a pod whose serving container runs, with its labels. */
    private Optional<String> target(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        return cluster.dataPlane().podUrl(namespace, name).map(address -> {
            Map<String, String> labels = new TreeMap<>();
            if (pod.getMetadata().getLabels() != null) {
                pod.getMetadata().getLabels().forEach((key, value) -> labels.put(labelName(key), value));
            }
            labels.put("namespace", namespace);
            labels.put("pod", name);
            return "  {\"targets\": [\"" + address.getHost() + ":" + address.getPort() + "\"], \"labels\": {"
                    + labels.entrySet().stream().map(e -> json(e.getKey()) + ": " + json(e.getValue()))
                    .collect(Collectors.joining(", ")) + "}}";
        });
    }

    /** A Kubernetes label key as a Prometheus label name, as Kubernetes discovery sanitizes it. */
    private static String labelName(String key) {
        return key.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private void readLog() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (log) {
                    log.addLast(line);
                    if (log.size() > 40) {
                        log.removeFirst();
                    }
                }
                if (line.contains(READY_LINE)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    private void awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for prometheus to start", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("prometheus did not become ready within " + timeout + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e) + "; its last log lines:\n" + logTail(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port for prometheus", e);
        }
    }
}
