package dev.bluegreen.fabric8;

import dev.bluegreen.AppId;
import dev.bluegreen.Phase;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.ReleaseStore;
import dev.bluegreen.testkit.Fault;
import dev.bluegreen.testkit.FaultRule;
import dev.bluegreen.testkit.RequestMatchers;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release lock and record on the Lease when requests fail or race (found by the chaos matrix). */
@ExtendWith(SimulatedClusterExtension.class)
class LeaseStoreFaultsTest {
    private SimulatedCluster cluster;
    private BlueGreenConventions conventions;
    private AppId app;

    @BeforeEach
    void conventions(SimulatedCluster simulated) {
        cluster = simulated;
        conventions = BlueGreenConventions.forApp("myapp").namespace(cluster.namespace()).build();
        app = conventions.appId();
    }

    private ReleaseStore store(KubernetesClient client) {
        return KubernetesBlueGreen.releaseStore(client, conventions, KubernetesOptions.defaults());
    }

    private KubernetesClient clientWithoutRetries() {
        return cluster.newClient(config -> config.withRequestRetryBackoffLimit(0));
    }

    private static Deadline deadline() {
        return Deadline.after(Duration.ofSeconds(5));
    }

    private ReleaseRecord record(String releaseId, Phase phase) {
        Instant now = Instant.now();
        return new ReleaseRecord(releaseId, app, "myapp:v2", releaseId + "@host", phase, "deploy", null, null, Map.of(),
                false, false, List.of(), phase.outcome().orElse(null), now, now);
    }

    @Test
    void aLeaseAnotherReleaseCreatedBetweenTheReadAndTheCreationIsReportedAsLocked() {
        ReleaseStore first = store(cluster.client());
        ReleaseStore second = store(cluster.newClient());
        first.read(app, deadline());
        second.read(app, deadline());

        first.acquire(app, "r-1@a", record("r-1", Phase.PREPARING), deadline());
        ReleaseLockedException locked = assertThrows(ReleaseLockedException.class,
                () -> second.acquire(app, "r-2@b", record("r-2", Phase.PREPARING), deadline()));

        assertEquals("r-1@a", locked.holder());
        assertEquals("r-1", second.read(app, deadline()).record().orElseThrow().releaseId());
    }

    @Test
    void aLeaseCreatedWhoseAnswerWasLostIsHeldByItsCreator() {
        FaultRule lost = cluster.faults().when(RequestMatchers.method("POST")
                .and(RequestMatchers.pathEndingWith("/leases"))).inject(Fault.applyThenLoseResponse());
        ReleaseStore store = store(clientWithoutRetries());

        LockHandle handle = store.acquire(app, "r-1@a", record("r-1", Phase.PREPARING), deadline());
        handle.release(record("r-1", Phase.ABORTED));

        assertEquals(1, lost.timesFired());
        ReleaseStatus status = store.read(app, deadline());
        assertFalse(status.running());
        assertTrue(status.record().orElseThrow().finished(), status::toString);
    }

    @Test
    void aThrottledFinalRecordIsWrittenAgainWhenTheClientDoesNotRetryItself() {
        ReleaseStore store = store(clientWithoutRetries());
        LockHandle handle = store.acquire(app, "r-1@a", record("r-1", Phase.PREPARING), deadline());
        FaultRule throttled = cluster.faults().when(RequestMatchers.method("PATCH")
                .and(RequestMatchers.pathEndingWith("/leases/myapp-bluegreen"))).inject(Fault.tooManyRequests(Duration.ZERO));

        handle.release(record("r-1", Phase.SUCCEEDED));

        assertEquals(1, throttled.timesFired());
        ReleaseStatus status = store.read(app, deadline());
        assertFalse(status.running(), status::toString);
        assertEquals(Phase.SUCCEEDED, status.record().orElseThrow().phase(), status::toString);
    }
}
