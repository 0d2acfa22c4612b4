package dev.bluegreen;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's threads: one per running release, none per step, deadline or lock. */
class EngineThreadsTest {
    private static final int RELEASES = 1000;

    @Test
    void aThousandReleasesWaitingForReadinessAtOnceTakeAboutOneThreadEachNotTwo() throws Exception {
        ManualTimeSource time = TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z"));
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<CountDownLatch> waiting = new ArrayList<>();
        List<ReleasePlan> plans = new ArrayList<>();
        for (int i = 0; i < RELEASES; i++) {
            FakePlatform platform = new FakePlatform(time);
            waiting.add(platform.blockReadiness(ready));
            plans.add(platform.plan().app("app-" + i).build());
        }
        ReleaseEngine engine = ReleaseEngine.builder().time(time).build();
        int before = Thread.getAllStackTraces().size();

        List<ReleaseExecution> executions = new ArrayList<>();
        for (ReleasePlan plan : plans) {
            executions.add(engine.start(plan));
        }
        for (CountDownLatch latch : waiting) {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "every release waits in await-ready");
        }
        int during = Thread.getAllStackTraces().size();

        assertTrue(during - before < 1.2 * RELEASES + 50, "live threads grew from " + before + " to " + during
                + " for " + RELEASES + " waiting releases; expected about one each");
        ready.complete(null);
        for (ReleaseExecution execution : executions) {
            ReleaseResult result = execution.await(Duration.ofSeconds(30)).orElseThrow();
            assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        }
    }
}
