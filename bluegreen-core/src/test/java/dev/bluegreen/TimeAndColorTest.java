package dev.bluegreen;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeAndColorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aManualClockMovesOnlyWhenAdvancedOrSleptOn() throws Exception {
        ManualTimeSource time = TimeSource.manual(T0);
        assertEquals(T0, time.now());
        time.sleep(Duration.ofHours(1));
        assertEquals(T0.plusSeconds(3600), time.now());
        assertEquals(T0.plusSeconds(3660), time.advance(Duration.ofMinutes(1)));
    }

    @Test
    void sleepersSideBySideWakeWhereTheyWouldHaveWoken() throws Exception {
        ManualTimeSource time = TimeSource.manual(T0);
        CountDownLatch bothRead = new CountDownLatch(2);
        CountDownLatch go = new CountDownLatch(1);
        Runnable sleeper = () -> {
            try {
                bothRead.countDown();
                go.await();
                time.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread first = new Thread(sleeper);
        Thread second = new Thread(sleeper);
        first.start();
        second.start();
        bothRead.await();
        go.countDown();
        first.join();
        second.join();

        // each sleep starts at T0 or T0+1m depending on scheduling; never later than T0+2m, never earlier than T0+1m
        Instant now = time.now();
        assertTrue(!now.isBefore(T0.plusSeconds(60)) && !now.isAfter(T0.plusSeconds(120)), now.toString());
    }

    @Test
    void aManualSleepHonoursInterrupts() {
        ManualTimeSource time = TimeSource.manual(T0);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> time.sleep(Duration.ofSeconds(1)));
        assertEquals(T0, time.now());
    }

    @Test
    void aManualClockCannotGoBack() {
        assertEquals("duration to advance must be zero or positive, but was PT-1S",
                assertThrows(ConfigurationException.class,
                        () -> TimeSource.manual(T0).advance(Duration.ofSeconds(-1))).getMessage());
    }

    @Test
    void colorsAreValuesNamedByDnsLabels() {
        assertSame(Color.BLUE, Color.of("blue"));
        assertEquals(Color.of("canary-2"), Color.of("canary-2"));
        assertEquals("color must be a lowercase DNS label (1-63 characters of a-z, 0-9 and '-', starting and ending "
                + "with a letter or digit), but was 'Green'", assertThrows(ConfigurationException.class,
                        () -> Color.of("Green")).getMessage());
    }
}
