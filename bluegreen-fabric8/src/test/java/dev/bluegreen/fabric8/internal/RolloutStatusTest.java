package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RolloutStatusTest {

    private static DeploymentBuilder deployment(long generation, Long observed, int wanted) {
        return new DeploymentBuilder().withNewMetadata().withName("myapp-green").withGeneration(generation).endMetadata()
                .withNewSpec().withReplicas(wanted).endSpec()
                .withNewStatus().withObservedGeneration(observed).endStatus();
    }

    private static RolloutStatus status(Deployment deployment) {
        return RolloutStatus.of(deployment);
    }

    @Test
    void waitsUntilTheControllerObservedTheLatestGeneration() {
        RolloutStatus status = status(deployment(3, 2L, 3).editStatus().withUpdatedReplicas(3).withReplicas(3)
                .withAvailableReplicas(3).endStatus().build());
        assertEquals(RolloutStatus.State.IN_PROGRESS, status.state());
        assertEquals("waiting for the controller to observe generation 3 of deployment myapp-green (observed: 2)", status.message());
    }

    @Test
    void aDeploymentWithoutStatusIsInProgress() {
        Deployment wiped = deployment(2, null, 3).withStatus(null).build();
        assertEquals(RolloutStatus.State.IN_PROGRESS, status(wiped).state());
    }

    @Test
    void waitsForEveryReplicaToBeUpdatedThenOldOnesGoneThenAllAvailable() {
        assertEquals("1 of 3 new replicas of deployment myapp-green have been updated", status(deployment(2, 2L, 3)
                .editStatus().withUpdatedReplicas(1).withReplicas(4).withAvailableReplicas(3).endStatus().build()).message());
        assertEquals("1 old replicas of deployment myapp-green are pending termination", status(deployment(2, 2L, 3)
                .editStatus().withUpdatedReplicas(3).withReplicas(4).withAvailableReplicas(3).endStatus().build()).message());
        assertEquals("2 of 3 updated replicas of deployment myapp-green are available", status(deployment(2, 2L, 3)
                .editStatus().withUpdatedReplicas(3).withReplicas(3).withAvailableReplicas(2).endStatus().build()).message());
        RolloutStatus done = status(deployment(2, 2L, 3)
                .editStatus().withUpdatedReplicas(3).withReplicas(3).withAvailableReplicas(3).endStatus().build());
        assertEquals(RolloutStatus.State.COMPLETE, done.state());
        assertEquals("deployment myapp-green successfully rolled out: 3 of 3 replicas available", done.message());
    }

    @Test
    void anExceededProgressDeadlineIsAFailedRollout() {
        RolloutStatus status = status(deployment(2, 2L, 3).editStatus().addNewCondition().withType("Progressing")
                .withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"myapp-green-5d8\" has timed out progressing.").endCondition().endStatus().build());
        assertEquals(RolloutStatus.State.FAILED, status.state());
        assertEquals("deployment myapp-green exceeded its progress deadline: ReplicaSet \"myapp-green-5d8\" has timed out "
                + "progressing.", status.message());
    }

    @Test
    void aDeploymentScaledToZeroIsComplete() {
        assertEquals(RolloutStatus.State.COMPLETE, status(deployment(4, 4L, 0).build()).state());
    }
}
