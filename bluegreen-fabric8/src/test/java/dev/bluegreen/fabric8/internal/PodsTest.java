package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodsTest {

    @Test
    void explainsACrashLoopingContainerWithItsRestartsAndLastExit() {
        Pod pod = new PodBuilder().withNewMetadata().withName("myapp-green-abc").endMetadata().withNewStatus()
                .withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("False").withReason("ContainersNotReady")
                .withMessage("containers with unready status: [myapp]").endCondition()
                .addNewContainerStatus().withName("myapp").withReady(false).withRestartCount(4)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .withMessage("back-off 10s restarting failed container").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endLastState()
                .endContainerStatus().endStatus().build();

        assertFalse(Pods.isReady(pod));
        assertEquals("myapp-green-abc: Running; container myapp waiting: CrashLoopBackOff (back-off 10s restarting failed "
                + "container), 4 restarts, last exit code 1 (Error); Ready=False ContainersNotReady: containers with "
                + "unready status: [myapp]", Pods.explainNotReady(pod));
    }

    @Test
    void explainsAContainerWhoseReadinessProbeFails() {
        Pod pod = new PodBuilder().withNewMetadata().withName("myapp-green-def").endMetadata().withNewStatus()
                .withPhase("Running").addNewContainerStatus().withName("myapp").withReady(false)
                .withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus().build();

        assertEquals("myapp-green-def: Running; container myapp running but not ready (readiness probe failing)",
                Pods.explainNotReady(pod));
    }

    @Test
    void aPodWithoutStatusIsNotReadyAndSaysSo() {
        Pod pod = new PodBuilder().withNewMetadata().withName("myapp-green-ghi").endMetadata().build();
        assertFalse(Pods.isReady(pod));
        assertEquals("myapp-green-ghi: Unknown; no container status reported yet", Pods.explainNotReady(pod));
    }

    @Test
    void aPodWithReadyTrueIsReady() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().addNewCondition()
                .withType("Ready").withStatus("True").endCondition().endStatus().build();
        assertTrue(Pods.isReady(pod));
    }
}
