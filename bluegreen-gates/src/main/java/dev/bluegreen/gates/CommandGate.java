package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;
import dev.bluegreen.gates.internal.Args;
import dev.bluegreen.gates.internal.DefaultCommandGate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a team's existing test program, such as {@code smoke-test.sh} or {@code integration-test.sh},
 * against the candidate: it passes when the program exits 0.
 *
 * <pre>{@code
 * HealthGate smoke = CommandGate.builder("smoke-test")
 *         .command("./scripts/smoke-test.sh")
 *         .targetUrl(context -> "http://myapp-" + context.candidate().color().name() + ".shop.svc:8080")
 *         .timeout(Duration.ofMinutes(2))
 *         .build();
 * }</pre>
 *
 * <p>The program gets the target URL as its last argument and/or as the environment variable
 * {@value #TARGET_URL_VARIABLE} ({@link Builder#passUrlAs}), and always the release in
 * {@code BLUEGREEN_APP}, {@code BLUEGREEN_NAMESPACE}, {@code BLUEGREEN_RELEASE_ID},
 * {@code BLUEGREEN_STAGE} ({@code PRE_SWITCH} or {@code POST_SWITCH}), {@code BLUEGREEN_VERSION},
 * {@code BLUEGREEN_COLOR} and, when known, {@code BLUEGREEN_PREVIOUS_COLOR}. Its standard output and
 * error are read together; the last lines are kept in the result.
 *
 * <p>Verdicts: {@link GateStatus#PASSED} on exit code 0; {@link GateStatus#FAILED} on any other
 * exit code, and when it runs longer than its {@linkplain Builder#timeout timeout};
 * {@link GateStatus#INCONCLUSIVE} when it cannot be started (no such program). Measurements:
 * {@code exit_code}, {@code duration_ms} and, after a kill, {@code killed_processes}.
 *
 * <p>A program that runs out of time is killed with every process it started, however deep (its
 * {@link ProcessHandle#descendants() descendants}, taken before the kill, so that a child that
 * would outlive its parent's death goes too): first politely ({@code SIGTERM}), then, after the
 * {@linkplain Builder#killGrace grace period}, forcibly ({@code SIGKILL}). The same happens when
 * the release stops the gate (cancel, step timeout): the evaluation then ends with the interrupt.
 * Timeouts and the grace period are real time: a program runs in real time whatever the gate
 * context's clock. A program that exits 0 but leaves a process running that keeps its output
 * open is reported with the output read until then.
 */
public interface CommandGate extends HealthGate {
    /** Default time a program may run: 5 minutes. */
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    /** Default time between the polite and the forcible kill: 5 seconds. */
    Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);
    /** Default number of output lines kept: 20. */
    int DEFAULT_OUTPUT_LINES = 20;
    /** The environment variable that holds the target URL. */
    String TARGET_URL_VARIABLE = "BLUEGREEN_TARGET_URL";

    /** How the target URL reaches the program. */
    enum UrlPassing {
        /** As its last argument. */
        ARGUMENT,
        /** As the environment variable {@value CommandGate#TARGET_URL_VARIABLE}. */
        ENVIRONMENT,
        /** Both. */
        BOTH
    }

    /**
     * @param name the gate's name; never blank
     * @return a builder
     */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * @return the program and its arguments, without the target URL
     */
    List<String> command();

    /**
     * @return how long the program may run
     */
    Duration timeout();

    /** Builds a {@link CommandGate}. Each setter validates its value. Not thread-safe; building copies the settings. */
    final class Builder {
        private final String name;
        private List<String> command;
        private Function<GateContext, String> targetUrl;
        private UrlPassing passing = UrlPassing.BOTH;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path directory;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration killGrace = DEFAULT_KILL_GRACE;
        private int outputLines = DEFAULT_OUTPUT_LINES;

        private Builder(String name) {
            this.name = Args.nonBlank("gate name", name);
        }

        /**
         * @param program   the program, a path or a name looked up on the PATH; never blank
         * @param arguments its arguments; none null
         * @return this builder
         */
        public Builder command(String program, String... arguments) {
            List<String> all = new ArrayList<>();
            all.add(Args.nonBlank("program of gate '" + name + "'", program));
            for (int i = 0; i < arguments.length; i++) {
                all.add(Args.nonNull("argument " + (i + 1) + " of gate '" + name + "'", arguments[i]));
            }
            this.command = List.copyOf(all);
            return this;
        }

        /**
         * @param url the target URL, the same for every evaluation; never blank
         * @return this builder
         */
        public Builder targetUrl(String url) {
            Args.nonBlank("target URL of gate '" + name + "'", url);
            this.targetUrl = context -> url;
            return this;
        }

        /**
         * @param url the target URL for a context, e.g. from its candidate's color; never null
         * @return this builder
         */
        public Builder targetUrl(Function<GateContext, String> url) {
            this.targetUrl = Args.nonNull("target URL function of gate '" + name + "'", url);
            return this;
        }

        /**
         * @param passing how the target URL reaches the program; default {@link UrlPassing#BOTH}
         * @return this builder
         */
        public Builder passUrlAs(UrlPassing passing) {
            this.passing = Args.nonNull("URL passing of gate '" + name + "'", passing);
            return this;
        }

        /**
         * @param variable an environment variable to set for the program; never blank
         * @param value    its value; never null; never shown
         * @return this builder
         */
        public Builder environment(String variable, String value) {
            Args.nonBlank("environment variable of gate '" + name + "'", variable);
            if (variable.contains("=")) {
                throw new ConfigurationException("environment variable of gate '" + name + "' must not contain '=', "
                        + "but was " + Args.quote(variable));
            }
            environment.put(variable, Args.nonNull("value of environment variable '" + variable + "'", value));
            return this;
        }

        /**
         * @param directory where the program runs; never null; default the host's working directory
         * @return this builder
         */
        public Builder workingDirectory(Path directory) {
            this.directory = Args.nonNull("working directory of gate '" + name + "'", directory);
            return this;
        }

        /**
         * @param timeout how long the program may run, in real time; positive; default {@link #DEFAULT_TIMEOUT}
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Args.positive("timeout of gate '" + name + "'", timeout);
            return this;
        }

        /**
         * @param grace time between the polite and the forcible kill; zero or positive; default
         *              {@link #DEFAULT_KILL_GRACE}
         * @return this builder
         */
        public Builder killGrace(Duration grace) {
            this.killGrace = Args.notNegative("kill grace of gate '" + name + "'", grace);
            return this;
        }

        /**
         * @param lines how many of the last output lines to keep in the result; at least 1; default
         *              {@link #DEFAULT_OUTPUT_LINES}
         * @return this builder
         */
        public Builder outputLines(int lines) {
            this.outputLines = Args.atLeast("output lines of gate '" + name + "'", 1, lines);
            return this;
        }

        /**
         * @return the gate
         * @throws ConfigurationException when no command was set
         */
        public CommandGate build() {
            Args.required("command of gate '" + name + "'", command);
            return new DefaultCommandGate(name, command, targetUrl, passing, Map.copyOf(environment), directory, timeout,
                    killGrace, outputLines);
        }
    }
}
