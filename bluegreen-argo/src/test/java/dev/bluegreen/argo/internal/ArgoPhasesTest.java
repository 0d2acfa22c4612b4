package dev.bluegreen.argo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bluegreen.argo.Rollout;
import dev.bluegreen.argo.RolloutPhase;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The phase and message of a blue-green Rollout for each combination of spec and status, as the plugin computes them. */
class ArgoPhasesTest {

    private static Rollout rollout(String spec, String status) {
        String json = "{\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\",\"generation\":2},"
                + "\"spec\":{\"replicas\":2,\"strategy\":{\"blueGreen\":{\"activeService\":\"a\"}}" + spec + "},"
                + "\"status\":{" + status + "}}";
        return Rollout.of(Serialization.unmarshal(json, Map.class));
    }

    private static final String HEALTHY = "\"observedGeneration\":\"2\",\"updatedReplicas\":2,\"availableReplicas\":2,"
            + "\"currentPodHash\":\"h2\",\"stableRS\":\"h2\",\"blueGreen\":{\"activeSelector\":\"h2\"}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            spec not observed yet     | | "observedGeneration":"1"                                                | Progressing | waiting for rollout spec update to be observed
            promoted, not yet unpaused| | "observedGeneration":"2","controllerPause":true                         | Progressing | waiting for rollout to unpause
            phase written by Argo     | | "observedGeneration":"2","phase":"Paused","message":"BlueGreenPause"      | Paused      | BlueGreenPause
            aborted                   | | "conditions":[{"type":"Progressing","reason":"RolloutAborted","message":"Rollout aborted update to revision 2"}] | Degraded | RolloutAborted: Rollout aborted update to revision 2
            progress deadline         | | "conditions":[{"type":"Progressing","reason":"ProgressDeadlineExceeded","message":"timed out"}] | Degraded | ProgressDeadlineExceeded: timed out
            invalid spec              | | "conditions":[{"type":"InvalidSpec","reason":"InvalidSpec","message":"no service"}] | Degraded | InvalidSpec: no service
            manually paused           | ,"paused":true | "updatedReplicas":2                                          | Paused      | manually paused
            pause condition           | | "pauseConditions":[{"reason":"BlueGreenPause"}],"controllerPause":true  | Paused      | BlueGreenPause
            restarting                | ,"restartAt":"2026-01-01T00:00:00Z" | "updatedReplicas":2                     | Progressing | rollout is restarting
            replicas to update        | | "updatedReplicas":1                                                     | Progressing | more replicas need to be updated
            replicas becoming available | | "updatedReplicas":2,"availableReplicas":1                             | Progressing | updated replicas are still becoming available
            cutover pending           | | "updatedReplicas":2,"availableReplicas":2,"currentPodHash":"h2","blueGreen":{"activeSelector":"h1"} | Progressing | active service cutover pending
            not marked stable         | | "updatedReplicas":2,"availableReplicas":2,"currentPodHash":"h2","stableRS":"h1","blueGreen":{"activeSelector":"h2"} | Progressing | waiting for post-promotion verification to complete
            post-promotion analysis   | ,"strategy":{"blueGreen":{"postPromotionAnalysis":{}}} | "updatedReplicas":2,"availableReplicas":2,"currentPodHash":"h2","stableRS":"h1","blueGreen":{"activeSelector":"h2"} | Progressing | waiting for analysis to complete
            healthy                   | | HEALTHY                                                                 | Healthy     | ''
            """)
    void computesThePhaseAsThePluginDoes(String situation, String spec, String status, String phase, String message) {
        String statusJson = "HEALTHY".equals(status.trim()) ? HEALTHY : status.trim();
        Phases.Computed computed = Phases.of(rollout(spec == null ? "" : spec.trim(), statusJson));

        assertEquals(RolloutPhase.fromArgo(phase), computed.phase(), situation);
        assertEquals(message == null ? "" : message, computed.message(), situation);
    }
}
