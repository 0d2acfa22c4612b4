package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.gates.CommandGate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** The {@link CommandGate} implementation. */
public final class DefaultCommandGate implements CommandGate {
    /** How long to wait for the output to end after the program exited. */
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(2);

    private final String name;
    private final List<String> command;
    private final Function<GateContext, String> targetUrl;
    private final UrlPassing passing;
    private final Map<String, String> environment;
    private final Path directory;
    private final Duration timeout;
    private final Duration killGrace;
    private final int outputLines;

    /**
     * @param name        the gate's name
     * @param command     the program and its arguments
     * @param targetUrl   the target URL for a context, or null for none
     * @param passing     how the URL reaches the program
     * @param environment extra environment variables; never shown
     * @param directory   the working directory, or null for the host's
     * @param timeout     how long the program may run
     * @param killGrace   time between the polite and the forcible kill
     * @param outputLines how many last output lines to keep
     */
    public DefaultCommandGate(String name, List<String> command, Function<GateContext, String> targetUrl,
                              UrlPassing passing, Map<String, String> environment, Path directory, Duration timeout,
                              Duration killGrace, int outputLines) {
        this.name = name;
        this.command = command;
        this.targetUrl = targetUrl;
        this.passing = passing;
        this.environment = environment;
        this.directory = directory;
        this.timeout = timeout;
        this.killGrace = killGrace;
        this.outputLines = outputLines;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> command() {
        return command;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        String url = targetUrl == null ? null : targetUrl.apply(context);
        List<String> line = new ArrayList<>(command);
        if (url != null && passing != UrlPassing.ENVIRONMENT) {
            line.add(url);
        }
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Map<String, String> env = builder.environment();
        env.put("BLUEGREEN_APP", context.app());
        env.put("BLUEGREEN_NAMESPACE", context.namespace());
        env.put("BLUEGREEN_RELEASE_ID", context.releaseId());
        env.put("BLUEGREEN_STAGE", context.stage().name());
        env.put("BLUEGREEN_VERSION", context.version());
        env.put("BLUEGREEN_COLOR", context.candidate().color().name());
        context.previous().ifPresent(previous -> env.put("BLUEGREEN_PREVIOUS_COLOR", previous.name()));
        if (url != null && passing != UrlPassing.ARGUMENT) {
            env.put(TARGET_URL_VARIABLE, url);
        }
        env.putAll(environment);
        String shown = "'" + String.join(" ", line) + "'";
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return GateResult.inconclusive(shown + " could not be started: " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the program gets no input either way
        }
        OutputTail tail = OutputTail.read(process.getInputStream(), outputLines, "gate-" + name + "-output");
        boolean exited;
        try {
            exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            int killed = ProcessTree.kill(process.toHandle(), killGrace);
            throw new InterruptedException("gate '" + name + "' was stopped while " + shown + " ran; killed it and "
                    + plural(killed, "process") + " it started");
        }
        if (!exited) {
            int killed = ProcessTree.kill(process.toHandle(), killGrace);
            drain(tail);
            return GateResult.failed(shown + " did not finish within " + Text.human(timeout) + ": killed it and "
                    + plural(killed, "process") + " it started" + tail.describe())
                    .withMeasurement("duration_ms", millisSince(start)).withMeasurement("killed_processes", killed);
        }
        long took = millisSince(start);
        int exit = process.exitValue();
        String held = drain(tail) ? "" : " (a process it left running still holds its output open)";
        String ran = shown + " exited " + exit + " in " + Text.human(Duration.ofMillis(took)) + held + tail.describe();
        GateResult result = exit == 0 ? GateResult.passed(ran) : GateResult.failed(ran);
        return result.withMeasurement("exit_code", exit).withMeasurement("duration_ms", took);
    }

    /** @return whether the output ended within a short bound */
    private static boolean drain(OutputTail tail) throws InterruptedException {
        try {
            tail.done().get(OUTPUT_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "es");
    }

    @Override
    public String toString() {
        return "CommandGate[" + name + ": " + command + (targetUrl == null ? "" : ", target URL as " + passing)
                + (environment.isEmpty() ? "" : ", environment " + environment.keySet()) + ", timeout " + timeout
                + ", kill grace " + killGrace + "]";
    }
}
