package dev.bluegreen.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded sample of the chaos matrix ({@code java -jar bluegreen-examples.jar chaos} runs all of
 * it): every family, a sample of request indices and steps, three concurrent-release runs. No
 * invariant may be violated, and every attack must actually have happened.
 */
class ChaosTest {

    @Test
    @Timeout(180)
    void aSampleOfEveryFamilyOfTheChaosMatrixViolatesNoInvariantAndEveryAttackHappened() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Chaos.Report report = Chaos.run(Chaos.Options.bounded(), new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertEquals(0, report.violations(), output);
        assertTrue(output.endsWith("chaos: " + report.runs.size() + " runs, 0 invariant violations\n"), output);
        Map<String, List<Chaos.RunRecord>> families = report.runs.stream()
                .collect(Collectors.groupingBy(run -> run.family().split(" ")[0]));
        assertEquals(List.of("0", "1a", "1b", "2", "3", "4", "5", "5b"), families.keySet().stream().sorted().toList(),
                output);
        for (Map.Entry<String, List<Chaos.RunRecord>> family : families.entrySet()) {
            List<Chaos.RunRecord> runs = family.getValue();
            long attacked = runs.stream().filter(Chaos.RunRecord::attacked).count();
            if (family.getKey().equals("0")) {
                continue;
            }
            assertEquals(runs.size(), attacked, "family " + family.getKey() + ": " + attacked + " of " + runs.size()
                    + " runs were attacked\n" + output);
        }
        assertTrue(families.get("4").size() >= 3, output);
        assertTrue(families.get("1a").stream().allMatch(run -> run.notes().stream()
                .anyMatch(note -> note.startsWith("fault hit "))), "every fault of family 1 was injected\n" + output);
    }
}
