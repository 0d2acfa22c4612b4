package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.bluegreen.fabric8.internal.RolloutStatus.State.COMPLETE;
import static dev.bluegreen.fabric8.internal.RolloutStatus.State.FAILED;
import static dev.bluegreen.fabric8.internal.RolloutStatus.State.IN_PROGRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SDK decides and words a rollout's state as {@code kubectl rollout status} does; each row is a case
 * kubectl's {@code DeploymentStatusViewer} distinguishes, with its verdict and message (without the trailing
 * newline kubectl prints).
 */
class RolloutStatusTest {

    /** One row: a Deployment described by its generation, spec.replicas and status; kubectl's verdict. */
    private record Row(String description, Deployment deployment, RolloutStatus.State state, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static Deployment deployment(long generation, Integer specReplicas, DeploymentStatus status) {
        return new DeploymentBuilder()
                .withNewMetadata().withName("myapp-green").withGeneration(generation).endMetadata()
                .withNewSpec().withReplicas(specReplicas).endSpec()
                .withStatus(status)
                .build();
    }

    private static DeploymentStatus status(Long observed, Integer replicas, Integer updated, Integer available,
                                           DeploymentCondition... conditions) {
        DeploymentStatus status = new DeploymentStatus();
        status.setObservedGeneration(observed);
        status.setReplicas(replicas);
        status.setUpdatedReplicas(updated);
        status.setAvailableReplicas(available);
        status.setConditions(new ArrayList<>(List.of(conditions)));
        return status;
    }

    private static DeploymentCondition progressing(String status, String reason) {
        return new DeploymentConditionBuilder().withType("Progressing").withStatus(status).withReason(reason)
                .withMessage("ReplicaSet \"myapp-green-5d8\" ...").build();
    }

    private static DeploymentCondition available(String status) {
        return new DeploymentConditionBuilder().withType("Available").withStatus(status)
                .withReason("True".equals(status) ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable").build();
    }

    private static final String WAITING = "Waiting for deployment \"myapp-green\" rollout to finish: ";

    static Stream<Arguments> rows() {
        DeploymentStatus nullConditions = status(2L, 3, 3, 3);
        nullConditions.setConditions(null);
        return Stream.of(
                new Row("generation not observed yet", deployment(3, 3, status(2L, 3, 3, 3)),
                        IN_PROGRESS, "Waiting for deployment spec update to be observed..."),
                new Row("no status at all", deployment(2, 3, null),
                        IN_PROGRESS, "Waiting for deployment spec update to be observed..."),
                new Row("progress deadline exceeded", deployment(2, 3, status(2L, 3, 1, 1,
                        available("False"), progressing("False", "ProgressDeadlineExceeded"))),
                        FAILED, "deployment \"myapp-green\" exceeded its progress deadline"),
                new Row("only the first Progressing condition counts (a later timed-out one does not)",
                        deployment(2, 3, status(2L, 3, 1, 1, progressing("True", "ReplicaSetUpdated"),
                                progressing("False", "ProgressDeadlineExceeded"))),
                        IN_PROGRESS, WAITING + "1 out of 3 new replicas have been updated..."),
                new Row("the deadline is checked before the counters", deployment(2, 3, status(2L, 3, 3, 3,
                        progressing("False", "ProgressDeadlineExceeded"))),
                        FAILED, "deployment \"myapp-green\" exceeded its progress deadline"),
                new Row("null conditions", deployment(2, 3, nullConditions),
                        COMPLETE, "deployment \"myapp-green\" successfully rolled out"),
                new Row("fewer updated replicas than wanted", deployment(2, 3, status(2L, 4, 1, 3)),
                        IN_PROGRESS, WAITING + "1 out of 3 new replicas have been updated..."),
                new Row("old replicas pending termination", deployment(2, 3, status(2L, 4, 3, 3)),
                        IN_PROGRESS, WAITING + "1 old replicas are pending termination..."),
                new Row("updated replicas not all available", deployment(2, 3, status(2L, 3, 3, 1)),
                        IN_PROGRESS, WAITING + "1 of 3 updated replicas are available..."),
                new Row("counters omitted as zero", deployment(2, 3, status(2L, null, null, null)),
                        IN_PROGRESS, WAITING + "0 out of 3 new replicas have been updated..."),
                new Row("missing spec.replicas skips the updated check, as kubectl does",
                        deployment(2, null, status(2L, 1, 1, 1)),
                        COMPLETE, "deployment \"myapp-green\" successfully rolled out"),
                new Row("missing spec.replicas still waits for availability", deployment(2, null, status(2L, 1, 1, null)),
                        IN_PROGRESS, WAITING + "0 of 1 updated replicas are available..."),
                new Row("complete", deployment(2, 3, status(2L, 3, 3, 3, available("True"),
                        progressing("True", "NewReplicaSetAvailable"))),
                        COMPLETE, "deployment \"myapp-green\" successfully rolled out"),
                new Row("scaled to zero", deployment(4, 0, status(4L, null, null, null)),
                        COMPLETE, "deployment \"myapp-green\" successfully rolled out"),
                new Row("observed generation ahead of the generation", deployment(2, 3, status(3L, 3, 3, 3)),
                        COMPLETE, "deployment \"myapp-green\" successfully rolled out")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decidesAndWordsAsKubectlRolloutStatus(Row row) {
        RolloutStatus status = RolloutStatus.of(row.deployment());

        assertEquals(row.state(), status.state(), status::toString);
        assertEquals(row.message(), status.message());
    }

    @Test
    void onlyAnInProgressRolloutIsUnsettled() {
        RolloutStatus done = RolloutStatus.of(deployment(1, 1, status(1L, 1, 1, 1)));
        RolloutStatus failed = RolloutStatus.of(deployment(1, 1, status(1L, 1, 0, 0,
                progressing("False", "ProgressDeadlineExceeded"))));
        RolloutStatus waiting = RolloutStatus.of(deployment(1, 1, status(1L, 1, 1, 0)));

        assertEquals(List.of(true, true, false), List.of(done.settled(), failed.settled(), waiting.settled()));
        assertEquals(List.of(true, false, false), List.of(done.complete(), failed.complete(), waiting.complete()));
    }
}
