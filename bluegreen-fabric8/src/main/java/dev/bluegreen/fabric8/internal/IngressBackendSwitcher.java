package dev.bluegreen.fabric8.internal;

import dev.bluegreen.fabric8.BackendSelection;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The guide's method 2: an Ingress ({@code networking.k8s.io/v1}, any ingress class, no controller-specific
 * annotation) whose backends point at {@code <app>-blue-svc} or {@code <app>-green-svc}. Every path of every
 * rule and the {@code defaultBackend} count, unless the caller's {@link BackendSelection} names hosts or paths.
 */
final class IngressBackendSwitcher extends BackendRouteSwitcher<Ingress> {

    IngressBackendSwitcher(Deployments deployments, BackendSelection selection, Clock clock) {
        super(deployments, selection, clock);
    }

    @Override
    String kind() {
        return "Ingress";
    }

    @Override
    String name() {
        return conventions.ingressName();
    }

    @Override
    Resource<Ingress> object() {
        return client.network().v1().ingresses().inNamespace(conventions.namespace()).withName(name());
    }

    @Override
    Resource<Ingress> writable() {
        return client.network().v1().ingresses().resource(new IngressBuilder().withNewMetadata().withName(name())
                .withNamespace(conventions.namespace()).endMetadata().build());
    }

    @Override
    List<Backend> backends(Ingress ingress) {
        List<Backend> backends = new ArrayList<>();
        if (ingress.getSpec() == null) {
            return backends;
        }
        IngressBackend fallback = ingress.getSpec().getDefaultBackend();
        if (fallback != null) {
            backends.add(backend("defaultBackend", "the default backend", "/spec/defaultBackend", fallback,
                    selection.includesDefaultBackend()));
        }
        List<IngressRule> rules = ingress.getSpec().getRules();
        for (int i = 0; i < rules.size(); i++) {
            IngressRule rule = rules.get(i);
            if (rule.getHttp() == null) {
                continue;
            }
            List<HTTPIngressPath> paths = rule.getHttp().getPaths();
            for (int j = 0; j < paths.size(); j++) {
                HTTPIngressPath path = paths.get(j);
                String where = "host " + (rule.getHost() == null ? "*" : rule.getHost()) + " path " + path.getPath();
                backends.add(backend(where, where, "/spec/rules/" + i + "/http/paths/" + j + "/backend", path.getBackend(),
                        selection.selectsIngressPath(rule.getHost(), path.getPath())));
            }
        }
        return backends;
    }

    private static Backend backend(String group, String where, String pointer, IngressBackend backend, boolean selected) {
        if (backend == null || backend.getService() == null) {
            String other = backend == null || backend.getResource() == null ? "(none)"
                    : backend.getResource().getKind() + "/" + backend.getResource().getName();
            return new Backend(group, where, pointer, other, null, null, selected);
        }
        ServiceBackendPort port = backend.getService().getPort();
        String portText = port == null ? null : port.getNumber() != null ? String.valueOf(port.getNumber()) : port.getName();
        return new Backend(group, where, pointer + "/service", backend.getService().getName(), portText, null, selected);
    }

    @Override
    List<String> selectionProblems(Ingress ingress) {
        List<String> problems = new ArrayList<>();
        Set<String> hosts = new LinkedHashSet<>();
        Set<List<String>> paths = new LinkedHashSet<>();
        if (ingress.getSpec() != null) {
            for (IngressRule rule : ingress.getSpec().getRules()) {
                String host = rule.getHost() == null ? "" : rule.getHost();
                hosts.add(host);
                if (rule.getHttp() != null) {
                    rule.getHttp().getPaths().forEach(p -> paths.add(List.of(host, p.getPath() == null ? "" : p.getPath())));
                }
            }
        }
        for (String host : selection.hosts()) {
            if (!hosts.contains(host)) {
                problems.add(target() + " has no rule for host '" + host + "' named in the backend selection (its hosts: "
                        + hosts + ")");
            }
        }
        for (List<String> path : selection.paths()) {
            if (!paths.contains(path)) {
                problems.add(target() + " has no path '" + path.get(1) + "' for host '" + path.get(0) + "' named in the "
                        + "backend selection (its host and path pairs: " + paths + ")");
            }
        }
        if (selection.includesDefaultBackend() && !selection.selectsAll()
                && (ingress.getSpec() == null || ingress.getSpec().getDefaultBackend() == null)) {
            problems.add(target() + " has no defaultBackend, which the backend selection names");
        }
        if (!selection.rules().isEmpty() || !selection.ruleIndexes().isEmpty()) {
            problems.add("the backend selection names HTTPRoute rules " + selection.rules() + selection.ruleIndexes()
                    + ", which an Ingress does not have; name hosts and paths instead");
        }
        return problems;
    }
}
