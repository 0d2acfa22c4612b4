package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gateway API as a cluster with its standard channel installed has it: the CustomResourceDefinitions
 * ({@code gateway.networking.k8s.io}: GatewayClass, Gateway, HTTPRoute, GRPCRoute in {@code v1}, ReferenceGrant in
 * {@code v1beta1}), so that generic clients and discovery find the kinds, and the defaults their schemas declare
 * for HTTPRoutes (parent and backend reference group and kind, backend weight 1, the {@code PathPrefix /} match,
 * {@code Exact} header and query matches).
 */
final class GatewayApi {

    /** The API group. */
    static final String GROUP = "gateway.networking.k8s.io";
    /** The {@code controllerName} the simulated gateway controller reports in route and GatewayClass status. */
    static final String CONTROLLER_NAME = "bluegreen.dev/simulated-gateway-controller";

    private GatewayApi() {
    }

    /**
     * The CRDs of the standard channel, with schemas that keep every field (the API server validates nothing of
     * their specs here beyond names).
     *
     * @return the definitions to create at start
     */
    static List<CustomResourceDefinition> definitions() {
        return List.of(
                crd("GatewayClass", "gatewayclasses", "gatewayclass", "Cluster", List.of("gc"), "v1"),
                crd("Gateway", "gateways", "gateway", "Namespaced", List.of("gtw"), "v1"),
                crd("HTTPRoute", "httproutes", "httproute", "Namespaced", List.of(), "v1"),
                crd("GRPCRoute", "grpcroutes", "grpcroute", "Namespaced", List.of(), "v1"),
                crd("ReferenceGrant", "referencegrants", "referencegrant", "Namespaced", List.of("refgrant"), "v1beta1"));
    }

    private static CustomResourceDefinition crd(String kind, String plural, String singular, String scope,
            List<String> shortNames, String version) {
        CustomResourceDefinition crd = crd(GROUP, kind, plural, singular, scope, shortNames, "gateway-api", version);
        crd.getMetadata().setAnnotations(Map.of("gateway.networking.k8s.io/bundle-version", "v1.2.1",
                "gateway.networking.k8s.io/channel", "standard"));
        return crd;
    }

    /**
     * A CRD with one served version, a status subresource and a schema that keeps every field (the simulated API
     * server validates nothing of such specs beyond names).
     *
     * @param group      the API group
     * @param kind       the kind
     * @param plural     its plural
     * @param singular   its singular
     * @param scope      {@code Namespaced} or {@code Cluster}
     * @param shortNames its short names
     * @param category   the category it belongs to
     * @param version    the version served
     * @return the definition
     */
    static CustomResourceDefinition crd(String group, String kind, String plural, String singular, String scope,
            List<String> shortNames, String category, String version) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(plural + "." + group).endMetadata()
                .withNewSpec()
                .withGroup(group)
                .withScope(scope)
                .withNewNames().withKind(kind).withListKind(kind + "List").withPlural(plural).withSingular(singular)
                .withShortNames(shortNames).withCategories(category).endNames()
                .addNewVersion().withName(version).withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .endVersion()
                .endSpec()
                .build();
    }

    /**
     * Applies the defaults the HTTPRoute schema declares.
     *
     * @param route the route as a JSON tree, changed in place
     * @return the route
     */
    static Map<String, Object> defaultRoute(Map<String, Object> route) {
        Map<String, Object> spec = Json.mapOrNull(route, "spec");
        if (spec == null) {
            return route;
        }
        for (Map<String, Object> parent : maps(spec.get("parentRefs"))) {
            parent.putIfAbsent("group", GROUP);
            parent.putIfAbsent("kind", "Gateway");
        }
        if (!(spec.get("rules") instanceof List<?>)) {
            Map<String, Object> rule = new LinkedHashMap<>();
            spec.put("rules", new ArrayList<>(List.of(rule)));
        }
        for (Map<String, Object> rule : maps(spec.get("rules"))) {
            if (!(rule.get("matches") instanceof List<?>)) {
                rule.put("matches", new ArrayList<>(List.of(new LinkedHashMap<String, Object>())));
            }
            for (Map<String, Object> match : maps(rule.get("matches"))) {
                Map<String, Object> path = Json.map(match, "path");
                path.putIfAbsent("type", "PathPrefix");
                path.putIfAbsent("value", "/");
                for (Map<String, Object> header : maps(match.get("headers"))) {
                    header.putIfAbsent("type", "Exact");
                }
                for (Map<String, Object> query : maps(match.get("queryParams"))) {
                    query.putIfAbsent("type", "Exact");
                }
            }
            for (Map<String, Object> backend : maps(rule.get("backendRefs"))) {
                backend.putIfAbsent("group", "");
                backend.putIfAbsent("kind", "Service");
                backend.putIfAbsent("weight", 1);
            }
        }
        return route;
    }

    private static List<Map<String, Object>> maps(Object list) {
        List<Map<String, Object>> maps = new ArrayList<>();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    maps.add(Json.cast(map));
                }
            }
        }
        return maps;
    }
}
