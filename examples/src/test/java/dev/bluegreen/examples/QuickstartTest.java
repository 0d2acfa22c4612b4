package dev.bluegreen.examples;

import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.SimulatedCluster;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickstartTest {

    @Test
    void theQuickstartReleasesMyappToGreen() {
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            BlueGreenApp.named("myapp").namespace("production").replicas(3).create(cluster);
            ReleaseEngine engine = ReleaseEngine.builder().time(TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z"))).build();

            ReleaseResult result = Quickstart.release(cluster.client(), engine, "myapp:v2");

            assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
            assertEquals("green", cluster.client().services().inNamespace("production").withName("myapp-service").get()
                    .getSpec().getSelector().get("version"));
        }
    }

    @Test
    void theReadmeShowsTheQuickstartAsItIsInTheCode() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/bluegreen/examples/Quickstart.java"));
        String snippet = source.substring(source.indexOf("// quickstart:begin") + "// quickstart:begin".length(),
                source.indexOf("    // quickstart:end")).strip();
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(snippet.replace("\n    ", "\n")),
                "README.md must show Quickstart.release exactly as in the code (without the class indent):\n" + snippet);
    }
}
