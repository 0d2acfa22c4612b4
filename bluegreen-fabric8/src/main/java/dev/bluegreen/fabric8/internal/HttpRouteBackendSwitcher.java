package dev.bluegreen.fabric8.internal;

import dev.bluegreen.Color;
import dev.bluegreen.fabric8.BackendSelection;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gateway API ({@code gateway.networking.k8s.io/v1}) HTTPRoute whose rules' {@code backendRefs} point at the
 * color Services. A rule's color is the color whose refs have a weight above 0 (no weight counts as 1); a
 * rule giving both colors weight, or rules that disagree, make the route half-switched. A switch renames the
 * live color's refs to the target's Service, keeping port and weight; in a rule that lists both colors
 * (weights 100/0, say) it gives the target's ref the live refs' weight and the live refs 0 instead, so all
 * traffic moves either way. Every rule counts, unless the caller's {@link BackendSelection} names rules.
 */
final class HttpRouteBackendSwitcher extends BackendRouteSwitcher<HTTPRoute> {

    HttpRouteBackendSwitcher(Deployments deployments, BackendSelection selection, Clock clock) {
        super(deployments, selection, clock);
    }

    @Override
    String kind() {
        return "HTTPRoute";
    }

    @Override
    String name() {
        return conventions.httpRouteName();
    }

    @Override
    Resource<HTTPRoute> object() {
        return client.resources(HTTPRoute.class).inNamespace(conventions.namespace()).withName(name());
    }

    @Override
    Resource<HTTPRoute> writable() {
        return client.resources(HTTPRoute.class).resource(new HTTPRouteBuilder().withNewMetadata().withName(name())
                .withNamespace(conventions.namespace()).endMetadata().build());
    }

    @Override
    List<Backend> backends(HTTPRoute route) {
        List<Backend> backends = new ArrayList<>();
        List<HTTPRouteRule> rules = route.getSpec() == null ? List.of() : route.getSpec().getRules();
        for (int i = 0; i < rules.size(); i++) {
            HTTPRouteRule rule = rules.get(i);
            String group = "rule " + (rule.getName() == null ? String.valueOf(i) : "'" + rule.getName() + "'");
            List<HTTPBackendRef> refs = rule.getBackendRefs();
            for (int j = 0; j < refs.size(); j++) {
                HTTPBackendRef ref = refs.get(j);
                boolean service = (ref.getKind() == null || "Service".equals(ref.getKind()))
                        && (ref.getGroup() == null || ref.getGroup().isEmpty())
                        && (ref.getNamespace() == null || ref.getNamespace().equals(conventions.namespace()));
                String name = service ? ref.getName() : (ref.getKind() == null ? "Service" : ref.getKind()) + " "
                        + (ref.getNamespace() == null ? "" : ref.getNamespace() + "/") + ref.getName();
                backends.add(new Backend(group, group + " backendRef " + j, "/spec/rules/" + i + "/backendRefs/" + j, name,
                        ref.getPort() == null ? null : String.valueOf(ref.getPort()),
                        ref.getWeight() == null ? 1 : ref.getWeight(), selection.selectsRule(i, rule.getName())));
            }
        }
        return backends;
    }

    @Override
    List<Map<String, Object>> switchOperations(HTTPRoute route, Color to) {
        Map<String, List<Backend>> byRule = new LinkedHashMap<>();
        for (Backend backend : backends(route)) {
            if (backend.selected()) {
                byRule.computeIfAbsent(backend.group(), g -> new ArrayList<>()).add(backend);
            }
        }
        List<Map<String, Object>> operations = new ArrayList<>();
        for (List<Backend> refs : byRule.values()) {
            List<Backend> live = refs.stream().filter(b -> colorOf(b.service()) != null && !to.equals(colorOf(b.service()))
                    && b.carriesTraffic()).toList();
            Backend target = refs.stream().filter(b -> to.equals(colorOf(b.service()))).findFirst().orElse(null);
            if (live.isEmpty()) {
                continue;
            }
            if (target == null) {
                for (Backend ref : live) {
                    operations.add(operation("replace", ref.pointer() + "/name", conventions.colorServiceName(to)));
                }
            } else {
                int weight = target.weight() + live.stream().mapToInt(Backend::weight).sum();
                operations.add(operation("add", target.pointer() + "/weight", weight));
                for (Backend ref : live) {
                    operations.add(operation("add", ref.pointer() + "/weight", 0));
                }
            }
        }
        return operations;
    }

    @Override
    List<String> selectionProblems(HTTPRoute route) {
        List<String> problems = new ArrayList<>();
        List<HTTPRouteRule> rules = route.getSpec() == null ? List.of() : route.getSpec().getRules();
        List<String> names = rules.stream().map(HTTPRouteRule::getName).filter(n -> n != null).toList();
        for (String name : selection.rules()) {
            if (!names.contains(name)) {
                problems.add(target() + " has no rule named '" + name + "' named in the backend selection (its rule names: "
                        + names + ")");
            }
        }
        for (int index : selection.ruleIndexes()) {
            if (index >= rules.size()) {
                problems.add(target() + " has no rule at index " + index + " named in the backend selection (it has "
                        + rules.size() + " rules)");
            }
        }
        if (!selection.hosts().isEmpty() || !selection.paths().isEmpty() || (selection.includesDefaultBackend()
                && !selection.selectsAll())) {
            problems.add("the backend selection names Ingress hosts, paths or a default backend, which an HTTPRoute does "
                    + "not have; name rules instead");
        }
        return problems;
    }
}
