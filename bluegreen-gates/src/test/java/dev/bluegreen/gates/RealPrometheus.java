package dev.bluegreen.gates;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) for tests: started on 127.0.0.1
 * and a free port with a generated config scraping the given targets every second and a temporary
 * storage directory; ready once it logs so and answers {@code /-/ready}; stopped on close.
 */
final class RealPrometheus implements AutoCloseable {
    /** The command that installs the binary, named in skip and failure messages. */
    static final String INSTALL = "apt-get update && apt-get install -y prometheus";
    private static final String READY_LINE = "Server is ready to receive web requests.";

    private final Process process;
    private final int port;
    private final Deque<String> log = new ArrayDeque<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    /**
     * @return the {@code prometheus} binary: {@code $PROMETHEUS_BIN}, or the first on the PATH
     */
    static Optional<Path> binary() {
        String explicit = System.getenv("PROMETHEUS_BIN");
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * @param binary  the prometheus binary
     * @param dir     a temporary directory for the config and the storage
     * @param targets scrape jobs: target ("host:port") to its labels
     * @param timeout how long to wait until it is ready
     * @return the running server, ready
     */
    static RealPrometheus start(Path binary, Path dir, Map<String, Map<String, String>> targets, Duration timeout)
            throws IOException, InterruptedException {
        int port = freePort();
        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
                .append("scrape_configs:\n  - job_name: stand-in-exporters\n    static_configs:\n");
        targets.forEach((target, labels) -> {
            config.append("      - targets: ['").append(target).append("']\n        labels:\n");
            labels.forEach((name, value) -> config.append("          ").append(name).append(": '").append(value)
                    .append("'\n"));
        });
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config.toString());
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h", "--log.level=info")
                .redirectErrorStream(true).start();
        RealPrometheus prometheus = new RealPrometheus(process, port);
        prometheus.awaitReady(timeout);
        return prometheus;
    }

    private RealPrometheus(Process process, int port) {
        this.process = process;
        this.port = port;
        Thread reader = new Thread(this::readLog, "prometheus-log");
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenRun(() -> ready.completeExceptionally(
                new IllegalStateException("prometheus exited with " + process.exitValue() + " before it was ready")));
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

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException("prometheus did not become ready within " + timeout + ": " + e
                    + "; its last log lines:\n" + logTail(), e);
        }
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/-/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            close();
            throw new IllegalStateException("prometheus logged that it is ready but /-/ready answered "
                    + answer.statusCode() + ": " + answer.body());
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    URI uri(String path) {
        return URI.create(url() + path);
    }

    String logTail() {
        synchronized (log) {
            return log.stream().collect(Collectors.joining("\n"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
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

    /** @return the processes still running, for assertions that nothing is left behind */
    List<ProcessHandle> alive() {
        return process.isAlive() ? List.of(process.toHandle()) : List.of();
    }
}
