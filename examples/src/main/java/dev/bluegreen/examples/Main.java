package dev.bluegreen.examples;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
                if (rest.length > 1 || (rest.length == 1 && !rest[0].equals("--keep"))) {
                    System.err.println("usage: java -jar bluegreen-examples.jar demo [--keep]");
                    code = 2;
                } else if (rest.length == 1) {
                    // Ctrl-C starts the JVM's shutdown: the hook lets the demo stop its cluster and delete the
                    // kubeconfig file first. System.exit must not be called then: it would block for ever.
                    CountDownLatch stopping = new CountDownLatch(1);
                    CountDownLatch cleanedUp = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        stopping.countDown();
                        try {
                            cleanedUp.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "demo-shutdown"));
                    try {
                        code = Demo.run(System.out, kubeconfig -> awaitQuietly(stopping));
                    } finally {
                        cleanedUp.countDown();
                    }
                    if (stopping.getCount() == 0) {
                        return;
                    }
                } else {
                    code = Demo.run(System.out);
                }
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
                        + "              (--keep: keep the cluster running afterwards and print a kubeconfig for kubectl)\n"
                        + "  benchmark   time the switch against a raw PATCH and count API requests per release\n"
                        + "  chaos       run releases under API faults, cancels, crashes, concurrent releases and foreign\n"
                        + "              edits, check the invariants after each; exit 0 iff none was violated\n"
                        + "              (--quick: a bounded sample)"
                        + (command.isEmpty() ? "" : "\nunknown command: '" + command + "'"));
                code = 2;
        }
        System.exit(code);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
