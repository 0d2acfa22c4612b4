package dev.bluegreen.examples;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.logging.LogManager;

/**
 * Entry point of {@code bluegreen-examples.jar}: {@code demo} runs a full release on the embedded
 * simulated cluster; {@code benchmark} measures the switch and counts API requests; {@code chaos}
 * runs the fault matrix and checks the invariants after every run.
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command ({@code demo}, {@code benchmark} or {@code chaos}) and its arguments
     */
    public static void main(String[] args) {
        quietMockServer();
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        int code;
        switch (command) {
            case "demo":
                code = Demo.run(System.out);
                break;
            case "benchmark":
                code = Benchmark.run(rest, System.out);
                break;
            case "chaos":
                // Hundreds of releases fail on purpose; the table reports them, the library's warnings would drown it.
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
                code = Chaos.run(rest, System.out);
                break;
            default:
                System.err.println("usage: java -jar bluegreen-examples.jar <command>\n"
                        + "  demo        run a full blue-green release on an embedded simulated cluster\n"
                        + "  benchmark   time the switch against a raw PATCH and count API requests per release\n"
                        + "  chaos       run releases under API faults, cancels, crashes, concurrent releases and foreign\n"
                        + "              edits, check the invariants after each; exit 0 iff none was violated\n"
                        + "              (--quick: a bounded sample)"
                        + (command.isEmpty() ? "" : "\nunknown command: '" + command + "'"));
                code = 2;
        }
        System.exit(code);
    }

    /** The mock API server logs every request through java.util.logging at INFO; keep the output readable. */
    private static void quietMockServer() {
        try (InputStream config = Main.class.getResourceAsStream("/logging.properties")) {
            if (config != null) {
                LogManager.getLogManager().readConfiguration(config);
            }
        } catch (IOException e) {
            System.err.println("could not configure java.util.logging: " + e);
        }
    }
}
