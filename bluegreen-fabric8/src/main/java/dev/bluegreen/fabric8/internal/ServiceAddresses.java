package dev.bluegreen.fabric8.internal;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.fabric8.ServiceAddress;
import dev.bluegreen.fabric8.ServiceAddressResolver;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;

import java.net.URI;
import java.util.List;

/** The {@link ServiceAddressResolver}s the fabric8 module ships: in-cluster DNS and port-forward. */
public final class ServiceAddresses {
    private ServiceAddresses() {
    }

    /**
     * @param client the client; never null
     * @return a resolver answering the Service's cluster DNS name and port
     */
    public static ServiceAddressResolver inClusterDns(KubernetesClient client) {
        Checks.nonNull(client);
        return (namespace, service, port) -> ServiceAddress.of(URI.create("http://" + service + "." + namespace + ".svc:"
                + port(client, namespace, service, port).getPort() + "/"));
    }

    /**
     * @param client the client; never null
     * @return a resolver opening a local port-forward per evaluation
     */
    public static ServiceAddressResolver portForward(KubernetesClient client) {
        Checks.nonNull(client);
        return (namespace, service, port) -> {
            int number = port(client, namespace, service, port).getPort();
            LocalPortForward forward = client.services().inNamespace(namespace).withName(service).portForward(number);
            return ServiceAddress.of(URI.create("http://127.0.0.1:" + forward.getLocalPort() + "/"), forward,
                    "http://127.0.0.1:" + forward.getLocalPort() + "/ (port-forward to Service " + namespace + "/" + service
                            + ":" + number + ")");
        };
    }

    /** Finds a Service port by name or number; null means the first. */
    static ServicePort port(KubernetesClient client, String namespace, String service, String port) {
        Service found = client.services().inNamespace(namespace).withName(service).get();
        if (found == null) {
            throw new ConfigurationException("Service " + namespace + "/" + service + " does not exist; expected the Service "
                    + "the gate targets");
        }
        List<ServicePort> ports = found.getSpec() == null || found.getSpec().getPorts() == null ? List.of()
                : found.getSpec().getPorts();
        for (ServicePort candidate : ports) {
            if (port == null || port.equals(candidate.getName()) || port.equals(String.valueOf(candidate.getPort()))) {
                return candidate;
            }
        }
        throw new ConfigurationException("Service " + namespace + "/" + service + " has no port "
                + (port == null ? "at all" : "'" + port + "'") + "; it has " + ports.stream()
                .map(p -> (p.getName() == null ? "" : p.getName() + "/") + p.getPort()).toList());
    }

    private static final class Checks {
        static void nonNull(KubernetesClient client) {
            dev.bluegreen.internal.Checks.nonNull("kubernetes client", client);
        }
    }
}
