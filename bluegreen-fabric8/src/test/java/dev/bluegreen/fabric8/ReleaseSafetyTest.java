package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.Phase;
import dev.bluegreen.RecoveryPolicy;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleaseExecution;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.Retention;
import dev.bluegreen.RouteChangedException;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepTimeoutException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.UnfinishedReleaseException;
import dev.bluegreen.event.StepStarted;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.Fault;
import dev.bluegreen.testkit.RequestMatchers;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The invariants on the simulated cluster: one release per app, crash recovery, foreign switches, faults. */
@ExtendWith(SimulatedClusterExtension.class)
class ReleaseSafetyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private SimulatedCluster cluster;
    private KubernetesClient client;
    private String ns;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(T0);
    private final KubernetesOptions options = KubernetesOptions.builder().time(time).build();
    private final CountDownLatch released = new CountDownLatch(1);

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        ns = cluster.namespace();
        BlueGreenApp.named("myapp").image("myapp:v1").replicas(3).create(cluster);
        conventions = BlueGreenConventions.forApp("myapp").namespace(ns).build();
    }

    @AfterEach
    void unblock() {
        released.countDown();
    }

    private ReleasePlan.Builder plan(KubernetesClient on, String version) {
        return KubernetesBlueGreen.serviceSelectorPlan(on, conventions, options).version(version)
                .timeout(StandardStep.AWAIT_READY, Duration.ofSeconds(10))
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(5)));
    }

    private ReleaseEngine engine() {
        return ReleaseEngine.builder().time(time).build();
    }

    private String selected() {
        return client.services().inNamespace(ns).withName("myapp-service").get().getSpec().getSelector().get("version");
    }

    private Deployment deployment(String color) {
        return client.apps().deployments().inNamespace(ns).withName("myapp-" + color).get();
    }

    private String image(String color) {
        return deployment(color).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /** A listener that parks the release's thread for good when a step starts: the process is gone. */
    private dev.bluegreen.ReleaseListener crashAt(String step, CountDownLatch crashed) {
        return event -> {
            if (event instanceof StepStarted started && started.step().equals(step)) {
                crashed.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the crashed process is gone");
            }
        };
    }

    @Test
    void aSecondReleaseOfTheSameAppFailsFastNamingTheHolderAndWritesNothing() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        ReleaseExecution first = engine().start(plan(client, "myapp:v2")
                .preSwitchGate(HealthGate.named("hold", ctx -> {
                    waiting.countDown();
                    released.await();
                    return GateResult.passed("released");
                })).build());
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        KubernetesClient other = cluster.newClient();
        cluster.requests().clear();

        ReleaseResult second = engine().run(plan(other, "myapp:v3").build());

        assertEquals(Outcome.ABORTED, second.outcome(), second::summary);
        ReleaseLockedException locked = assertInstanceOf(ReleaseLockedException.class, second.error().orElseThrow());
        assertTrue(locked.holder().startsWith(first.releaseId() + "@"), locked.holder());
        assertTrue(locked.getMessage().contains("is held by " + locked.holder() + " since " + T0), locked.getMessage());
        assertEquals(0, ClusterState.userWrites(cluster), "the second release wrote nothing: " + cluster.requests());

        released.countDown();
        assertEquals(Outcome.SUCCEEDED, first.await().outcome());
        assertEquals("myapp:v2", image("green"));
        ReleaseResult third = engine().run(plan(other, "myapp:v3").build());
        assertEquals(Outcome.SUCCEEDED, third.outcome(), "the lock was released: " + third.summary());
    }

    @Test
    void theLeaseHoldsTheLockAndTheRecordAndStatusReadsThem() {
        ReleaseResult result = engine().run(plan(client, "myapp:v2").build());

        Lease lease = client.leases().inNamespace(ns).withName("myapp-bluegreen").get();
        assertEquals("", lease.getSpec().getHolderIdentity(), "released by clearing the holder");
        assertEquals(15, lease.getSpec().getLeaseDurationSeconds());
        ReleaseStatus status = KubernetesBlueGreen.status(client, conventions);
        ReleaseRecord record = status.record().orElseThrow();
        assertEquals(result.releaseId(), record.releaseId());
        assertEquals(Phase.SUCCEEDED, record.phase());
        assertEquals(Outcome.SUCCEEDED, record.outcome());
        assertEquals(Color.BLUE, record.from());
        assertEquals(Color.GREEN, record.to());
        assertEquals(new ReleaseRecord.ColorSnapshot("myapp:v1", 3), record.before().get(Color.BLUE));
        assertTrue(record.switchSent() && record.committed());
        assertFalse(status.running());
        assertFalse(status.abandoned());
    }

    @Test
    void aCrashRightAfterTheSwitchIsNeverForgottenAndIsRolledBackToTheLastGoodVersion() throws Exception {
        CountDownLatch crashed = new CountDownLatch(1);
        ScheduledExecutorService crashedScheduler = Executors.newSingleThreadScheduledExecutor();
        ReleaseEngine doomed = ReleaseEngine.builder().time(time).scheduler(crashedScheduler)
                .listener(crashAt(StandardStep.OBSERVE.stepName(), crashed)).build();
        ReleaseExecution lost = doomed.start(plan(cluster.newClient(), "myapp:v2").build());
        assertTrue(crashed.await(10, TimeUnit.SECONDS));
        crashedScheduler.shutdownNow();
        assertEquals("green", selected(), "the crash came right after the switch");
        time.advance(LockTiming.DEFAULT.leaseDuration().plusSeconds(1));

        ReleaseStatus status = engine().status(plan(client, "myapp:v3").build());
        assertTrue(status.abandoned(), status.toString());
        cluster.requests().clear();
        ReleaseResult refused = engine().run(plan(client, "myapp:v3").build());
        assertEquals(Outcome.ABORTED, refused.outcome());
        UnfinishedReleaseException unfinished = assertInstanceOf(UnfinishedReleaseException.class,
                refused.error().orElseThrow());
        assertEquals(lost.releaseId(), unfinished.record().releaseId());
        assertTrue(unfinished.getMessage().contains("never finished and its holder " + unfinished.record().holder()
                + " is gone"), unfinished.getMessage());
        assertTrue(unfinished.getMessage().contains("Recover it with ReleaseEngine.recover(plan, RecoveryPolicy.ROLL_BACK)"),
                unfinished.getMessage());
        assertEquals(0, ClusterState.userWrites(cluster), "refusing writes nothing");
        assertEquals("myapp:v1", image("blue"), "the last good version still runs");

        ReleaseResult recovered = engine().recover(plan(client, "myapp:v3").build(), RecoveryPolicy.ROLL_BACK);

        assertEquals(Outcome.ROLLED_BACK, recovered.outcome(), recovered::summary);
        assertEquals(lost.releaseId(), recovered.releaseId());
        assertEquals("blue", selected());
        assertEquals(3, deployment("blue").getSpec().getReplicas());
        assertEquals(0, deployment("green").getSpec().getReplicas(), "the broken candidate is given up");
        assertEquals(Outcome.SUCCEEDED, engine().run(plan(client, "myapp:v3").build()).outcome(),
                "after recovery the next release runs");
        assertEquals("myapp:v3", image("green"));
    }

    @Test
    void aPlanThatChoosesToRollForwardFinishesACrashedReleaseWhoseNewColorIsHealthyThenRuns() throws Exception {
        CountDownLatch crashed = new CountDownLatch(1);
        ScheduledExecutorService crashedScheduler = Executors.newSingleThreadScheduledExecutor();
        ReleaseEngine doomed = ReleaseEngine.builder().time(time).scheduler(crashedScheduler)
                .listener(crashAt(StandardStep.OBSERVE.stepName(), crashed)).build();
        doomed.start(plan(cluster.newClient(), "myapp:v2").build());
        assertTrue(crashed.await(10, TimeUnit.SECONDS));
        crashedScheduler.shutdownNow();
        time.advance(LockTiming.DEFAULT.leaseDuration().plusSeconds(1));

        ReleaseResult result = engine().run(plan(client, "myapp:v3").recovery(RecoveryPolicy.ROLL_FORWARD).build());

        ReleaseResult recovered = result.recovered().orElseThrow();
        assertEquals(Outcome.SUCCEEDED, recovered.outcome(), recovered::summary);
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("blue", selected(), "v2 was finished on green, then v3 went to blue");
        assertEquals("myapp:v3", image("blue"));
        assertEquals("myapp:v2", image("green"));
    }

    @Test
    void anOperatorSwitchingBackDuringObservationEndsTheReleaseWithoutRetiringTheColorTheyChose() throws Exception {
        KubernetesClient operator = cluster.newClient();
        ReleaseResult result = engine().run(plan(client, "myapp:v2")
                .postSwitchGate(HealthGate.named("operator-steps-in", ctx -> {
                    CompletableFuture<Void> seen = new CompletableFuture<>();
                    operator.services().inNamespace(ns).withName("myapp-service").patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"spec\":{\"selector\":{\"version\":\"blue\"}}}");
                    seen.get(10, TimeUnit.SECONDS);
                    return GateResult.passed("never reached: the release stops when it sees the switch");
                })).build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        RouteChangedException changed = assertInstanceOf(RouteChangedException.class, result.error().orElseThrow());
        assertEquals(Color.BLUE, changed.seen());
        assertEquals(Color.BLUE, result.liveColor().orElseThrow());
        assertEquals("blue", selected());
        assertEquals(3, deployment("blue").getSpec().getReplicas(), "the color they chose is not retired");
        assertTrue(result.step("retire-previous").isEmpty());
        assertTrue(result.step("rollback").isEmpty(), "their decision stands: no switch back by the release");
    }

    @Test
    void aConflictAnsweredToAReadIsRetriedNotTakenForSomeoneElsesEdit() {
        KubernetesClient noRetries = cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
        var rule = cluster.faults().when(RequestMatchers.method("GET")
                .and(RequestMatchers.pathEndingWith("/services/myapp-service"))).inject(Fault.conflict());

        ReleaseResult result = engine().run(plan(noRetries, "myapp:v2").build());

        assertEquals(1, rule.timesFired());
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
    }

    @Test
    void aStepThatTimesOutRetryingNamesTheLastHttpCause() {
        KubernetesClient noRetries = cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
        cluster.faults().when(RequestMatchers.method("GET").and(RequestMatchers.pathEndingWith("/services/myapp-service")))
                .always().inject(Fault.status(503));

        ReleaseResult result = engine().run(plan(noRetries, "myapp:v2")
                .timeout(StandardStep.PREFLIGHT, Duration.ofMillis(600)).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        StepTimeoutException timeout = assertInstanceOf(StepTimeoutException.class, result.error().orElseThrow());
        assertTrue(timeout.getMessage().contains("step 'preflight' did not finish within PT0.6S; last failure: read of "
                + "Service " + ns + "/myapp-service failed with HTTP 503"), timeout.getMessage());
        assertEquals(0, ClusterState.userWrites(cluster));
    }

    @Test
    void whenTheRouterCannotBeReadAtTheEndTheLiveColorIsUnknownAndTheErrorSaysWhatToCheck() {
        KubernetesClient noRetries = cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
        ReleaseResult result = engine().run(plan(noRetries, "myapp:v2")
                .retention(Retention.keepRunning())
                .timeout(StandardStep.PREFLIGHT, Duration.ofMillis(800))
                .postSwitchGate(HealthGate.named("then-the-api-goes-away", ctx -> {
                    cluster.faults().when(RequestMatchers.method("GET")
                            .and(RequestMatchers.pathEndingWith("/services/myapp-service"))).always()
                            .inject(Fault.status(503));
                    return GateResult.passed("ok");
                })).build());

        assertTrue(result.liveColor().isEmpty(), result::summary);
        String error = result.error().orElseThrow().getMessage();
        assertTrue(error.contains("is unknown: Service " + ns + "/myapp-service could not be read")
                && error.contains("check which color it selects"), error);
    }
}
