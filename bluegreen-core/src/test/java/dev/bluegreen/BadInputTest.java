package dev.bluegreen;

import dev.bluegreen.spi.Deadline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused before anything runs, with a message that names the argument and what was expected. */
class BadInputTest {
    private static final HealthGate PASSING = HealthGate.named("health", context -> GateResult.passed("200"));

    @Test
    void aCompositeGateRefusesANullPartNamingItsPosition() {
        assertEquals("composite gate 'x': gate #1 is null",
                assertThrows(ConfigurationException.class, () -> HealthGate.allOf("x", (HealthGate) null)).getMessage());
        assertEquals("composite gate 'x': gate #2 is null",
                assertThrows(ConfigurationException.class, () -> HealthGate.anyOf("x", PASSING, null)).getMessage());
    }

    @Test
    void aCompositeGateRefusesNoPartsOrANullArray() {
        assertEquals("composite gate 'x' needs at least one gate, but got none",
                assertThrows(ConfigurationException.class, () -> HealthGate.anyOf("x")).getMessage());
        assertEquals("composite gate 'x' needs at least one gate, but got none",
                assertThrows(ConfigurationException.class, () -> HealthGate.allOf("x", new HealthGate[0])).getMessage());
        assertEquals("composite gate 'x' needs at least one gate, but got null",
                assertThrows(ConfigurationException.class, () -> HealthGate.allOf("x", (HealthGate[]) null)).getMessage());
        assertEquals("composite gate 'x' needs at least one gate, but got null",
                assertThrows(ConfigurationException.class, () -> HealthGate.anyOf("x", (HealthGate[]) null)).getMessage());
    }

    @Test
    void aCompositeGateRefusesABlankName() {
        assertEquals("gate name must not be blank, but was ' '",
                assertThrows(ConfigurationException.class, () -> HealthGate.allOf(" ", PASSING)).getMessage());
    }

    @Test
    void aReleaseIdThatIsNotADnsLabelIsRefusedBeforeAnythingRunsNamingWhereItCameFrom() {
        FakePlatform platform = new FakePlatform(TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z")));
        ReleaseEngine engine = ReleaseEngine.builder().releaseIds(() -> "Release_1").build();

        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> engine.run(platform.plan().build()));

        assertEquals("release id from the supplier given to ReleaseEngine.Builder.releaseIds must be a lowercase DNS "
                + "label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), but was "
                + "'Release_1'", refused.getMessage());
        assertThrows(ConfigurationException.class, () -> engine.start(platform.plan().build()));
        assertEquals(List.of(), platform.writes());
        assertTrue(platform.store().read(AppId.of("shop", "app"), Deadline.after(Duration.ofSeconds(1))).record().isEmpty());
    }

    @Test
    void aReleaseIdSupplierThatReturnsNullIsRefusedToo() {
        FakePlatform platform = new FakePlatform();
        ReleaseEngine engine = ReleaseEngine.builder().releaseIds(() -> null).build();

        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> engine.run(platform.plan().build()));

        assertTrue(refused.getMessage().endsWith("but was null"), refused.getMessage());
    }
}
