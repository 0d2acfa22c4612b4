package dev.bluegreen.argo;

import static dev.bluegreen.argo.ArgoFixtures.NAMESPACE;
import static dev.bluegreen.argo.ArgoFixtures.TIMEOUT;
import static dev.bluegreen.argo.ArgoFixtures.healthyRollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bluegreen.Color;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.testkit.RequestLog;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Rollout as a TrafficSwitcher: live is the revision the active Service selects. */
@ExtendWith(SimulatedClusterExtension.class)
class ArgoSwitcherTest {
    private static final Deadline DEADLINE = Deadline.after(TIMEOUT);

    @Test
    void liveIsTheRevisionTheActiveServiceSelectsAndSwitchingToThePreviewPromotes(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        TrafficSwitcher switcher = ArgoBlueGreen.switcher(cluster.client(), NAMESPACE, "web");
        RouteState before = switcher.read(DEADLINE);
        assertEquals(web.status().stableHash(), before.live().name());
        web.setImage("app", "web:v2");
        Color v2 = Color.of(web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT).currentHash());

        SwitchResult result = switcher.switchTo(v2, switcher.read(DEADLINE), DEADLINE);

        assertTrue(result.changed());
        assertEquals(v2, result.to());
        assertEquals(v2, switcher.read(DEADLINE).live());
        SwitchResult again = switcher.switchTo(v2, switcher.read(DEADLINE), DEADLINE);
        assertFalse(again.changed(), "already live: nothing written");
    }

    @Test
    void aSwitchDecidedOnAnotherLiveRevisionIsAConflictAndWritesNothing(SimulatedCluster cluster) {
        ArgoRollout web = healthyRollout(cluster, "web");
        TrafficSwitcher switcher = ArgoBlueGreen.switcher(cluster.client(), NAMESPACE, "web");
        web.setImage("app", "web:v2");
        Color v2 = Color.of(web.awaitPhase(RolloutPhase.PAUSED, TIMEOUT).currentHash());
        RouteState stale = RouteState.routed(switcher.target(), Color.of("someoldhash"), "1", Instant.now());
        RequestLog.Mark mark = cluster.requests().mark();

        SwitchConflictException conflict = assertThrows(SwitchConflictException.class,
                () -> switcher.switchTo(v2, stale, DEADLINE));

        assertEquals("Rollout default/web: the active Service now selects " + web.status().stableHash() + ", not "
                + "someoldhash as when the switch was decided; nothing was written", conflict.getMessage());
        assertEquals(0, cluster.requests().fromUsersSince(mark).stream().filter(r -> r.method().equals("PATCH")).count());
    }

    @Test
    void aRolloutWhoseActiveServiceIsMissingRoutesNowhereAndIsDegraded(SimulatedCluster cluster) {
        cluster.client().resource(Serialization.unmarshal(ArgoFixtures.rolloutYaml("lost", "web:v1", false),
                GenericKubernetesResource.class)).create();
        ArgoRollout lost = ArgoRollouts.rollout(cluster.client(), NAMESPACE, "lost");

        RolloutStatus status = lost.awaitPhase(RolloutPhase.DEGRADED, TIMEOUT);
        RouteState route = ArgoBlueGreen.switcher(cluster.client(), NAMESPACE, "lost").read(DEADLINE);

        assertEquals("InvalidSpec: The Rollout \"lost\" is invalid: spec.strategy.blueGreen.activeService: Invalid "
                + "value: \"lost-active\": service \"lost-active\" not found", status.message());
        assertNull(route.live());
        assertEquals("the active Service default/lost-active does not exist", route.problem());
    }
}
