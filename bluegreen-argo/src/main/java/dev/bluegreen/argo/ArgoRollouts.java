package dev.bluegreen.argo;

import dev.bluegreen.argo.internal.RolloutClient;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Entry point of the Argo Rollouts adapter: the plugin's operations on a blue-green Rollout
 * ({@link #rollout}), and, in {@link ArgoBlueGreen}, the switcher, environments, gates and release plan that
 * let a Rollout take part in a release like the other methods. The client is the caller's: it is never
 * closed here.
 *
 * <pre>{@code
 * ArgoRollout myapp = ArgoRollouts.rollout(client, "shop", "myapp");
 * myapp.setImage("app", "registry.example.com/myapp:v2");
 * myapp.awaitPhase(RolloutPhase.PAUSED, Duration.ofMinutes(5));   // preview is up, waiting for promotion
 * myapp.promote();
 * myapp.awaitPhase(RolloutPhase.HEALTHY, Duration.ofMinutes(5));
 * }</pre>
 */
public final class ArgoRollouts {
    private ArgoRollouts() {
    }

    /**
     * @param client    the client; never null
     * @param namespace the Rollout's namespace; never blank
     * @param name      the Rollout's name; never blank
     * @return the operations on that Rollout; nothing is read until the first call
     * @throws dev.bluegreen.ConfigurationException when an argument is null or blank, naming it
     */
    public static ArgoRollout rollout(KubernetesClient client, String namespace, String name) {
        return new RolloutClient(client, namespace, name);
    }
}
