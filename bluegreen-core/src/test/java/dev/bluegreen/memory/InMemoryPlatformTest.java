package dev.bluegreen.memory;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.TimeSource;
import dev.bluegreen.memory.InMemoryPlatform.Operation;
import dev.bluegreen.spi.EnvironmentState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryPlatformTest {
    private final ManualTimeSource time = TimeSource.manual(Instant.parse("2026-11-30T10:00:00Z"));
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();
    private final InMemoryPlatform platform = InMemoryPlatform.builder().app("shop", "checkout")
            .live(Color.BLUE, "checkout:1.4", 3).time(time).build();

    @Test
    void aReleaseMovesTrafficToTheOtherColorRunningTheNewVersionAndRetiresThePreviousOne() {
        ReleaseResult result = engine.run(platform.plan().version("checkout:1.5").build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::toString);
        assertEquals(Color.GREEN, platform.live());
        assertEquals("checkout:1.5", platform.version(Color.GREEN));
        assertEquals(3, platform.replicas(Color.GREEN), "the candidate runs as many replicas as the live color did");
        assertTrue(platform.ready(Color.GREEN));
        assertEquals("checkout:1.4", platform.version(Color.BLUE), "the previous version is kept for a rollback");
        assertEquals(List.of("deploy green checkout:1.5 x3", "switch blue->green"), platform.writes().subList(0, 2));
        assertEquals(Color.GREEN, result.liveColor().orElseThrow());
    }

    @Test
    void colorsAlternateReleaseAfterRelease() {
        engine.run(platform.plan().version("checkout:1.5").build());
        ReleaseResult second = engine.run(platform.plan().version("checkout:1.6").build());

        assertEquals(Outcome.SUCCEEDED, second.outcome(), second::toString);
        assertEquals(Color.BLUE, platform.live());
        assertEquals("checkout:1.6", platform.version(Color.BLUE));
    }

    @Test
    void aVersionThatNeverBecomesReadyIsDiscardedAndTrafficStaysOnTheLiveColor() {
        platform.neverReady("checkout:bad");

        ReleaseResult result = engine.run(platform.plan().version("checkout:bad").build());

        assertEquals(Outcome.ABORTED, result.outcome(), "traffic never moved: " + result);
        assertEquals(Color.BLUE, platform.live());
        assertEquals("Deployment shop/checkout-green running checkout:bad never became ready",
                result.error().orElseThrow().getMessage());
        assertEquals(0, platform.replicas(Color.GREEN), "the candidate is discarded");
        assertFalse(platform.writes().stream().anyMatch(w -> w.startsWith("switch")), platform.writes()::toString);
    }

    @Test
    void aFailingGateAfterTheSwitchSwitchesBack() {
        HealthGate errors = HealthGate.named("error rate", context -> GateResult.failed("error rate 7% above 5%"));

        ReleaseResult result = engine.run(platform.plan().version("checkout:1.5").postSwitchGate(errors).build());

        assertEquals(Outcome.ROLLED_BACK, result.outcome(), result::toString);
        assertEquals(Color.BLUE, platform.live());
        assertTrue(platform.writes().containsAll(List.of("switch blue->green", "switch green->blue")), platform.writes()::toString);
    }

    @Test
    void anInterceptorSeesEachOperationWithItsColorAndCanFailIt() {
        List<String> seen = new ArrayList<>();
        platform.intercept(Operation.DEPLOY, (operation, color, deadline) -> seen.add(operation + " " + color))
                .intercept(Operation.SWITCH, (operation, color, deadline) -> {
                    throw new BlueGreenException("router unreachable");
                });

        ReleaseResult result = engine.run(platform.plan().version("checkout:1.5").build());

        assertEquals(List.of("DEPLOY green"), seen);
        assertEquals(Color.BLUE, platform.live(), "the failed switch changed nothing");
        assertTrue(result.error().orElseThrow().getMessage().contains("router unreachable"), result::toString);
        assertTrue(result.outcome() == Outcome.ROLLED_BACK || result.outcome() == Outcome.FAILED, result::toString);
    }

    @Test
    void aPreflightExceptionFromACheckInterceptorIsReportedAsAProblemBeforeAnyWrite() {
        platform.intercept(Operation.CHECK_DEPLOYABLE, (operation, color, deadline) -> {
            throw new PreflightException("deploy check", List.of("no room for a second color"));
        });

        ReleaseResult result = engine.run(platform.plan().version("checkout:1.5").build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::toString);
        assertTrue(result.error().orElseThrow().getMessage().contains("no room for a second color"), result::toString);
        assertEquals(List.of(), platform.writes());
    }

    @Test
    void conflictingSwitchesAreRetriedByTheEngineAfterReadingTheRouterAgain() {
        platform.conflictOnNextSwitches(1);

        ReleaseResult result = engine.run(platform.plan().version("checkout:1.5").build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::toString);
        assertEquals(Color.GREEN, platform.live());
    }

    @Test
    void aSecondReleaseOfTheAppIsRefusedWhileTheFirstRuns() throws Exception {
        CompletableFuture<Void> letReady = new CompletableFuture<>();
        CountDownLatch waiting = new CountDownLatch(1);
        platform.intercept(Operation.AWAIT_READY, (operation, color, deadline) -> {
            waiting.countDown();
            deadline.await(letReady);
        });
        ReleaseExecution first = engine.start(platform.plan().version("checkout:1.5").build());
        assertTrue(waiting.await(10, TimeUnit.SECONDS), "the first release reached its readiness wait");

        ReleaseResult second = engine.run(platform.plan().version("checkout:1.6").build());
        letReady.complete(null);

        assertEquals(Outcome.ABORTED, second.outcome(), second::toString);
        assertTrue(second.error().orElseThrow() instanceof ReleaseLockedException, second::toString);
        assertEquals(Outcome.SUCCEEDED, first.await().outcome());
        assertEquals("checkout:1.5", platform.version(Color.GREEN), "the refused release wrote nothing");
    }

    @Test
    void anOperatorsEditsAreLoggedAndAConditionedLateWriteIsRefusedOnceTheColorChanged() {
        EnvironmentState green = platform.environments().read(Color.GREEN, null);

        platform.operatorScale(Color.GREEN, 2);
        platform.operatorSwitch(Color.of("red"));

        assertFalse(platform.operatorScale(Color.GREEN, 0, green.revision()), "the color changed since the write was decided");
        assertEquals(2, platform.replicas(Color.GREEN));
        assertEquals(Color.of("red"), platform.live(), "a router, like a label selector, takes any color");
        assertEquals(List.of("foreign scale green x2", "foreign switch ->red"), platform.writes());
    }

    @Test
    void customColorsAlternateLikeBlueAndGreen() {
        Color stable = Color.of("stable");
        Color next = Color.of("next");
        InMemoryPlatform custom = InMemoryPlatform.builder().colors(stable, next).live(stable, "app:v1", 2)
                .time(time).build();

        ReleaseResult result = engine.run(custom.plan().version("app:v2").build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::toString);
        assertEquals(next, custom.live());
        assertEquals(2, custom.replicas(next));
    }

    @Test
    void badDescriptionsAreRejectedNamingTheValueAndWhatWasExpected() {
        assertEquals("the live color needs at least 1 replica, was 0", assertThrows(IllegalArgumentException.class,
                () -> InMemoryPlatform.builder().live(Color.BLUE, "app:v1", 0)).getMessage());
        assertEquals("color 'red' is not one of [blue, green]", assertThrows(IllegalArgumentException.class,
                () -> InMemoryPlatform.builder().idle(Color.of("red"), "app:v1", 0)).getMessage());
        assertEquals("version must not be blank, was ' '", assertThrows(IllegalArgumentException.class,
                () -> InMemoryPlatform.builder().idle(Color.GREEN, " ", 0)).getMessage());
        assertEquals("the two colors must differ, both were 'blue'", assertThrows(IllegalArgumentException.class,
                () -> InMemoryPlatform.builder().colors(Color.BLUE, Color.BLUE)).getMessage());
        assertEquals("the live color 'blue' needs at least 1 replica, was 0", assertThrows(IllegalArgumentException.class,
                () -> InMemoryPlatform.builder().idle(Color.BLUE, "app:v1", 0).build()).getMessage());
        assertEquals("color 'red' is not one of this platform's colors [blue, green]",
                assertThrows(IllegalArgumentException.class, () -> platform.version(Color.of("red"))).getMessage());
        assertEquals("replicas must be 0 or more, was -1",
                assertThrows(IllegalArgumentException.class, () -> platform.operatorScale(Color.GREEN, -1)).getMessage());
    }

    @Test
    void theRetainedPreviousColorIsScaledDownAfterTheRetentionDelay() {
        ReleaseResult result = engine.run(platform.plan().version("checkout:1.5")
                .retention(dev.bluegreen.Retention.scaleDownAfter(Duration.ZERO)).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::toString);
        assertEquals(0, platform.replicas(Color.BLUE));
        assertTrue(platform.writes().contains("scale-down blue"), platform.writes()::toString);
    }
}
