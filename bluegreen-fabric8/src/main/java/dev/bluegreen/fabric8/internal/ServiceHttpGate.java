package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import dev.bluegreen.fabric8.ServiceAddress;
import dev.bluegreen.fabric8.ServiceAddressResolver;
import dev.bluegreen.gates.HttpGate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The HTTP gate of bluegreen-gates against a Service: for each evaluation the Service's address is
 * resolved (DNS, port-forward, or the test kit's data plane), the request goes to it, and the address
 * is released.
 */
public final class ServiceHttpGate implements HealthGate {
    private final String name;
    private final ServiceAddressResolver resolver;
    private final Function<GateContext, String> service;
    private final String port;
    private final String path;
    private final HttpGate http;
    private final Map<GateContext, String> urls = new ConcurrentHashMap<>();

    /**
     * @param name      the gate's name
     * @param resolver  finds the Service's address
     * @param service   the Service for a context; null means the candidate's live Service
     * @param port      the Service port's name or number; null means its first port
     * @param path      the path, e.g. {@code /health}
     * @param configure sets what the HTTP gate checks (statuses, JSON fields, headers, policies); its URL is set here
     */
    public ServiceHttpGate(String name, ServiceAddressResolver resolver, Function<GateContext, String> service, String port,
                           String path, UnaryOperator<HttpGate.Builder> configure) {
        this.name = name;
        this.resolver = resolver;
        this.service = service;
        this.port = port;
        this.path = path.startsWith("/") ? path.substring(1) : path;
        this.http = configure.apply(HttpGate.builder(name)).url(this::urlFor).build();
    }

    private String urlFor(GateContext context) {
        String url = urls.get(context);
        if (url == null) {
            throw new IllegalStateException("no address resolved for " + context);
        }
        return url;
    }

    @Override
    public GateResult evaluate(GateContext context) throws Exception {
        KubernetesCandidate candidate = KubernetesCandidate.require(context.candidate());
        String target = service == null ? candidate.service() : service.apply(context);
        ServiceAddress address;
        try {
            address = resolver.resolve(candidate.namespace(), target, port);
        } catch (RuntimeException e) {
            return GateResult.failed("Service " + candidate.namespace() + "/" + target + " cannot be reached: " + e.getMessage());
        }
        try {
            urls.put(context, address.baseUrl().resolve(path).toString());
            return http.evaluate(context);
        } finally {
            urls.remove(context);
            address.close();
        }
    }

    @Override
    public String name() {
        return name;
    }
}
