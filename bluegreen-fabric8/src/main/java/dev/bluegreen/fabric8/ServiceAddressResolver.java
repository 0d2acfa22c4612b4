package dev.bluegreen.fabric8;

import dev.bluegreen.fabric8.internal.ServiceAddresses;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.net.URI;

/**
 * Finds where a Service can be reached from this process, for the HTTP gates of
 * {@link KubernetesGates}. The default, {@link #automatic(KubernetesClient)}, uses the Service's
 * in-cluster DNS name when this process runs in a pod, and a port-forward to one of its pods otherwise.
 * Tests against the simulated cluster pass its data plane:
 * {@code (namespace, service, port) -> ServiceAddress.of(cluster.dataPlane().serviceUrl(namespace, service))}.
 */
@FunctionalInterface
public interface ServiceAddressResolver {

    /**
     * @param namespace the Service's namespace; never null
     * @param service   the Service's name; never null
     * @param port      the Service port's name or number; null means its first port
     * @return where it can be reached; the caller closes it after the evaluation
     * @throws RuntimeException when the Service or its port does not exist or cannot be reached
     */
    ServiceAddress resolve(String namespace, String service, String port);

    /**
     * @param client the client; never null
     * @return in-cluster DNS when the environment variable {@code KUBERNETES_SERVICE_HOST} is set (this
     *         process runs in a pod), else a port-forward through the API server
     */
    static ServiceAddressResolver automatic(KubernetesClient client) {
        return System.getenv("KUBERNETES_SERVICE_HOST") != null ? inClusterDns(client) : portForward(client);
    }

    /**
     * @param client the client, to read the Service's port; never null
     * @return {@code http://<service>.<namespace>.svc:<port>/}
     */
    static ServiceAddressResolver inClusterDns(KubernetesClient client) {
        return ServiceAddresses.inClusterDns(client);
    }

    /**
     * @param client the client; never null
     * @return a local port-forward to a ready pod of the Service, on the port's target port, closed after each
     *         evaluation
     */
    static ServiceAddressResolver portForward(KubernetesClient client) {
        return ServiceAddresses.portForward(client);
    }

    /**
     * @param baseUrl one address for every Service, e.g. a gateway in front of the cluster
     * @return a resolver that always answers it
     */
    static ServiceAddressResolver fixed(URI baseUrl) {
        return (namespace, service, port) -> ServiceAddress.of(baseUrl);
    }
}
