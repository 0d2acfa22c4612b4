package dev.bluegreen.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTest {

    @Test
    void theDemoRunsAFullReleaseAndPrintsEveryStepWithItsDuration() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code = Demo.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertEquals(0, code, output);
        for (String step : new String[] {"preflight", "deploy", "await-ready", "pre-switch-gates", "switch", "observe",
                "retire-previous", "clean-up"}) {
            assertTrue(output.matches("(?s).*\\n  " + step + " +(SUCCEEDED|SKIPPED) +\\d+ ms .*"), step + " missing:\n" + output);
        }
        assertTrue(output.endsWith("outcome: SUCCEEDED, live color green\n"), output);
    }
}
