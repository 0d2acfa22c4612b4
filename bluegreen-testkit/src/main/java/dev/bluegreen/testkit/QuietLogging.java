package dev.bluegreen.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Silences the mock server's per-request {@code java.util.logging} output (its web server logs every request
 * at INFO), so that a user's test run is not flooded without any configuration file. A level the user
 * configured for these loggers is kept, and the system property {@value #VERBOSE} set to {@code true} keeps
 * everything as it is.
 */
final class QuietLogging {

    /** The system property that keeps the mock server's logging as configured. */
    static final String VERBOSE = "bluegreen.testkit.verbose";

    private static final List<String> LOGGERS = List.of("io.fabric8.mockwebserver", "io.fabric8.kubernetes.client.server.mock");
    /** Strong references: java.util.logging forgets the level of a logger nobody references. */
    private static final List<Logger> QUIETED = new ArrayList<>();
    private static boolean applied;

    private QuietLogging() {
    }

    /** Applies once per JVM, before the first cluster starts. */
    static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        if (Boolean.getBoolean(VERBOSE)) {
            return;
        }
        for (String name : LOGGERS) {
            Logger logger = Logger.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
            QUIETED.add(logger);
        }
    }
}
