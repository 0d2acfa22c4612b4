package dev.bluegreen.argo;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.argo.internal.RolloutClient;
import dev.bluegreen.argo.internal.RolloutEnvironments;
import dev.bluegreen.argo.internal.RolloutGates;
import dev.bluegreen.argo.internal.RolloutSwitcher;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesBlueGreen;
import dev.bluegreen.fabric8.KubernetesOptions;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.TrafficSwitcher;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A blue-green Rollout in the release engine: the guide's Method 3. A color is a revision (pod-template hash);
 * the engine's steps map to the plugin's operations:
 * <ol>
 *   <li>preflight: the Rollout is blue-green, Healthy, has a preview Service and {@code autoPromotionEnabled: false};
 *       the per-app Lease ({@code <rollout>-bluegreen}) is taken with the release record;</li>
 *   <li>deploy: {@code set image} (one JSON patch conditioned on the Rollout read); the candidate is the revision
 *       Argo creates;</li>
 *   <li>await-ready: the Rollout is Paused ({@code BlueGreenPause}) with the new revision ready behind the preview
 *       Service;</li>
 *   <li>pre-switch gates: yours, against the preview Service ({@code Candidate.reachAt()});</li>
 *   <li>switch: {@code promote}, then waiting until Argo has switched the active Service and the Rollout is Healthy
 *       on the new revision;</li>
 *   <li>observe: your post-switch gates; a failure switches back: {@code abort} while the promotion has not completed,
 *       {@code undo} to the previous revision (and its promotion) after;</li>
 *   <li>retire: nothing; Argo scales the old revision down after {@code scaleDownDelaySeconds}.</li>
 * </ol>
 * A failure before the switch aborts the Rollout (Argo sends nothing to the new revision and scales it down).
 */
public final class ArgoBlueGreen {
    private ArgoBlueGreen() {
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param rollout   the Rollout's name; never blank
     * @return a plan builder for a release of the Rollout's first container, with default options
     * @see #plan(KubernetesClient, String, String, String, KubernetesOptions)
     */
    public static ReleasePlan.Builder plan(KubernetesClient client, String namespace, String rollout) {
        return plan(client, namespace, rollout, null, KubernetesOptions.defaults());
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param rollout   the Rollout's name, also the app's name in the lock and record; never blank
     * @param container the container whose image is the release's version, or null for the first container
     * @param options   lock timing and clock; never null
     * @return a plan builder with app and namespace fixed, the Rollout's switcher and environments and the Lease
     *         store set; add at least the version, and your gates
     */
    public static ReleasePlan.Builder plan(KubernetesClient client, String namespace, String rollout, String container,
                                           KubernetesOptions options) {
        if (options == null) {
            throw new ConfigurationException("options must not be null");
        }
        if (container != null && container.isBlank()) {
            throw new ConfigurationException("container must be a container name or null for the first, but was \""
                    + container + "\"");
        }
        RolloutClient rollouts = new RolloutClient(client, namespace, rollout);
        BlueGreenConventions conventions = BlueGreenConventions.forApp(rollout).namespace(namespace).build();
        return ReleasePlan.builderFor(conventions.appId())
                .switcher(new RolloutSwitcher(rollouts, options.time()))
                .environments(new RolloutEnvironments(rollouts, container, options.time()))
                .store(KubernetesBlueGreen.releaseStore(client, conventions, options));
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param rollout   the Rollout's name; never blank
     * @return the switcher: live is the revision the active Service selects
     */
    public static TrafficSwitcher switcher(KubernetesClient client, String namespace, String rollout) {
        return new RolloutSwitcher(new RolloutClient(client, namespace, rollout), KubernetesOptions.defaults().time());
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param rollout   the Rollout's name; never blank
     * @param container the container whose image is the version, or null for the first container
     * @return the Rollout's revisions as environments
     */
    public static ColorEnvironments environments(KubernetesClient client, String namespace, String rollout,
                                                 String container) {
        return new RolloutEnvironments(new RolloutClient(client, namespace, rollout), container,
                KubernetesOptions.defaults().time());
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param rollout   the Rollout's name; never blank
     * @return a gate on the Rollout's phase: passes when the candidate waits for promotion with its preview ready or
     *         is Healthy and fully promoted; fails when Degraded or another revision is wanted; else inconclusive
     */
    public static HealthGate phaseGate(KubernetesClient client, String namespace, String rollout) {
        return RolloutGates.phase(new RolloutClient(client, namespace, rollout));
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param rollout   the Rollout's name; never blank
     * @return a gate on the AnalysisRuns of the candidate revision: Successful passes, Failed or Error fails,
     *         Inconclusive (or still running, or none yet) is inconclusive; the metric messages are in the reason
     */
    public static HealthGate analysisGate(KubernetesClient client, String namespace, String rollout) {
        return RolloutGates.analysis(new RolloutClient(client, namespace, rollout));
    }
}
