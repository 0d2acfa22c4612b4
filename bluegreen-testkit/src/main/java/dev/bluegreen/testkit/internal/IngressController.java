package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * The ingress controller's status part: as an ingress controller publishes the address of its load balancer
 * (ingress-nginx's {@code --publish-service}), every Ingress gets {@code status.loadBalancer.ingress} with the
 * IP {@value #ADDRESS}, where the data plane's Ingress addresses listen. Routing itself is the data plane's
 * ({@code DataPlane.ingressUrl}); ingress classes are not looked at.
 */
final class IngressController {

    /** The address every Ingress's status lists. */
    static final String ADDRESS = "127.0.0.1";

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Ingress> ingresses;

    IngressController(KubernetesClient client, ControllerLoop loop, ObjectStore<Ingress> ingresses) {
        this.client = client;
        this.loop = loop;
        this.ingresses = ingresses;
    }

    void enqueue(String key) {
        loop.reconcile("ingress " + key, () -> reconcile(key));
    }

    /** The status an Ingress gets. */
    static IngressStatus status() {
        return new IngressStatusBuilder().withNewLoadBalancer()
                .withIngress(new IngressLoadBalancerIngressBuilder().withIp(ADDRESS).build())
                .endLoadBalancer().build();
    }

    /**
     * Explains how an Ingress's status differs from what the controller writes, for {@code awaitSettled}.
     *
     * @param ingress an Ingress as the server has it
     * @return the difference, or empty
     */
    static Optional<String> unsettled(Ingress ingress) {
        if (ingress.getMetadata().getDeletionTimestamp() == null && !Canonical.same(status(), ingress.getStatus())) {
            return Optional.of("Ingress " + ObjectStore.keyOf(ingress) + " has no load balancer address yet");
        }
        return Optional.empty();
    }

    private void reconcile(String key) {
        Ingress ingress = ingresses.get(key);
        if (ingress == null || ingress.getMetadata().getDeletionTimestamp() != null
                || Canonical.same(status(), ingress.getStatus())) {
            return;
        }
        try {
            Ingress updated = client.network().v1().ingresses().inNamespace(ingress.getMetadata().getNamespace())
                    .resource(new IngressBuilder(ingress).withStatus(status()).build()).updateStatus();
            ingresses.observe(updated);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }
}
