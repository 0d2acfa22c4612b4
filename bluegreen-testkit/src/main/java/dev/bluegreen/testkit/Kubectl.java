package dev.bluegreen.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code kubectl} found on the {@code PATH} against a {@link SimulatedCluster}, for tests that check
 * what a user's kubectl commands or scripts do: each run gets a kubeconfig written by
 * {@link SimulatedCluster#writeKubeconfig} and a discovery cache of its own ({@code KUBECACHEDIR}), so that
 * nothing in the user's {@code ~/.kube} is read or written.
 *
 * <pre>{@code
 * Kubectl kubectl = Kubectl.against(Kubectl.find().orElseThrow(), cluster, tempDir);
 * Kubectl.Result result = kubectl.run("get", "deployments");
 * assertEquals(0, result.exitCode(), result.stderr());
 * }</pre>
 */
public final class Kubectl {

    /** How to get kubectl when {@link #find()} finds none, for messages. */
    public static final String HOW_TO_INSTALL = "install kubectl: 'apt-get install kubernetes-client' on Debian, "
            + "or the binary from https://kubernetes.io/docs/tasks/tools/ on the PATH";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path executable;
    private final Path kubeconfig;
    private final Path cacheDirectory;
    private final Path workingDirectory;

    private Kubectl(Path executable, Path kubeconfig, Path cacheDirectory, Path workingDirectory) {
        this.executable = executable;
        this.kubeconfig = kubeconfig;
        this.cacheDirectory = cacheDirectory;
        this.workingDirectory = workingDirectory;
    }

    /**
     * Finds {@code kubectl} on the {@code PATH}.
     *
     * @return the executable, or empty when there is none
     */
    public static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, "kubectl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Prepares runs of {@code executable} against {@code cluster}: writes {@code kubeconfig} and creates a
     * {@code kube-cache} directory in {@code workingDirectory}, where the commands also run.
     *
     * @param executable       the kubectl executable, e.g. from {@link #find()}
     * @param cluster          the running cluster
     * @param workingDirectory a directory of the test's own, e.g. JUnit's {@code @TempDir}
     * @return a runner
     */
    public static Kubectl against(Path executable, SimulatedCluster cluster, Path workingDirectory) {
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        return withKubeconfig(executable, cluster.writeKubeconfig(workingDirectory.resolve("kubeconfig")), workingDirectory);
    }

    /**
     * Prepares runs of {@code executable} with a kubeconfig file that exists already, e.g. the one
     * {@code demo --keep} prints; a {@code kube-cache} directory is created in {@code workingDirectory}, where
     * the commands also run.
     *
     * @param executable       the kubectl executable, e.g. from {@link #find()}
     * @param kubeconfig       the kubeconfig file
     * @param workingDirectory a directory of the caller's own
     * @return a runner
     */
    public static Kubectl withKubeconfig(Path executable, Path kubeconfig, Path workingDirectory) {
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Path cache = workingDirectory.resolve("kube-cache");
        try {
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Kubectl(executable, kubeconfig, cache, workingDirectory);
    }

    /**
     * Returns the kubeconfig file the runs use.
     *
     * @return the file {@link SimulatedCluster#writeKubeconfig} wrote
     */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * Returns the environment variables that point kubectl at the cluster: {@code KUBECONFIG} and
     * {@code KUBECACHEDIR}, for scripts that call kubectl themselves.
     *
     * @return the variables
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("KUBECONFIG", kubeconfig.toString());
        environment.put("KUBECACHEDIR", cacheDirectory.toString());
        return environment;
    }

    /**
     * Runs {@code kubectl <args>} with no standard input and waits up to 60 s for it.
     *
     * @param args the arguments, e.g. {@code "get", "pods"}
     * @return its exit code and output
     */
    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /**
     * Runs {@code kubectl <args>} with {@code stdin} as standard input and waits up to 60 s for it.
     *
     * @param stdin the standard input, e.g. a manifest for {@code apply -f -}; null for none
     * @param args  the arguments
     * @return its exit code and output
     * @throws IllegalStateException if kubectl does not end within 60 s (it is killed)
     */
    public Result runWithInput(String stdin, String... args) {
        Process process = start(args);
        try {
            CompletableFuture<String> out = read(process.getInputStream());
            CompletableFuture<String> err = read(process.getErrorStream());
            try (OutputStream input = process.getOutputStream()) {
                if (stdin != null) {
                    input.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not end within "
                        + DEFAULT_TIMEOUT + "; output so far: " + out.getNow("") + err.getNow(""));
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while kubectl ran", e);
        }
    }

    /**
     * Starts {@code kubectl <args>} and returns at once, e.g. for {@code get -w}; the caller reads its output
     * and ends it.
     *
     * @param args the arguments
     * @return the running process
     */
    public Process start(String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().putAll(environment());
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + executable, e);
        }
    }

    /** Reads a stream to its end on a thread of its own, so that neither of kubectl's pipes can fill up. */
    private static CompletableFuture<String> read(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        }, "kubectl-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    /**
     * What a kubectl run did.
     *
     * @param exitCode its exit code
     * @param stdout   its standard output
     * @param stderr   its standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {

        /**
         * Tells whether kubectl succeeded.
         *
         * @return true for exit code 0
         */
        public boolean succeeded() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
