package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client needs to learn about the server before it can talk to it, as a Kubernetes API server serves
 * it and as kubectl asks for it: {@code /version}; discovery at {@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/<group>} and {@code /apis/<group>/<version>}, in the aggregated format (apidiscovery.k8s.io v2
 * or v2beta1) when the {@code Accept} header asks for it, else the legacy one; the OpenAPI v3 index and one
 * document per group version; a minimal OpenAPI v2 document; and the health endpoints. The resources are the
 * built-in ones of {@link ApiCatalog} and those of the CustomResourceDefinitions stored on the server.
 *
 * <p>The OpenAPI documents are deliberately minimal: each group version's document lists the PATCH operation
 * of every resource with its {@code x-kubernetes-group-version-kind}, the patch types it accepts and its
 * query parameters ({@code fieldValidation} among them), and no schemas. That is what kubectl reads to decide
 * (1) that the server validates fields itself, so {@code kubectl apply} and {@code create} need no
 * {@code --validate=false} and send {@code fieldValidation=Strict}, which {@link FieldValidation} honours; and
 * (2) how to compute {@code kubectl apply}'s strategic merge patch: finding no schema for the kind, kubectl
 * falls back to the patch metadata compiled into it, which is the same as the server's for built-in kinds
 * ({@link PatchMeta}). Without schemas {@code kubectl explain} has nothing to explain.
 */
final class Discovery {

    /** The Kubernetes version the simulated API server reports. */
    static final String MAJOR = "1";
    static final String MINOR = "32";
    static final String GIT_VERSION = "v1.32.4+bluegreen.testkit";

    private static final String AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    private static final String AGGREGATED_V2BETA1 =
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    private static final String OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml",
            "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json");

    private final CrudStore store;

    Discovery(CrudStore store) {
        this.store = store;
    }

    /**
     * Answers a discovery, version, OpenAPI or health request.
     *
     * @param request any request
     * @return the answer, or null when the request is none of these
     */
    MockResponse handle(RecordedRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return null;
        }
        String raw = request.getPath();
        int question = raw.indexOf('?');
        String path = question < 0 ? raw : raw.substring(0, question);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String accept = request.getHeader("Accept");
        switch (path) {
            case "/version":
                return json(version());
            case "/healthz":
            case "/livez":
            case "/readyz":
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain; charset=utf-8")
                        .setBody("ok");
            case "/api":
                return aggregatedVersion(accept) != null ? aggregated(accept, coreOnly()) : json(apiVersions(request));
            case "/apis":
                return aggregatedVersion(accept) != null ? aggregated(accept, groupsOnly()) : json(apiGroupList());
            case "/openapi/v2":
                return openApiV2(accept);
            case "/openapi/v3":
                return json(openApiV3Index());
            default:
                break;
        }
        if (path.startsWith("/openapi/v3/")) {
            Map<String, Object> document = openApiV3(path.substring("/openapi/v3/".length()));
            return document == null ? notFound(path) : json(document);
        }
        String[] s = path.substring(1).split("/");
        if (s.length == 2 && s[0].equals("api")) {
            List<ApiCatalog.Resource> resources = resources("", s[1]);
            return resources.isEmpty() ? notFound(path) : json(resourceList(s[1], resources));
        }
        if (s.length == 2 && s[0].equals("apis")) {
            Map<String, Object> group = apiGroup(s[1]);
            return group == null ? null : json(group);
        }
        if (s.length == 3 && s[0].equals("apis")) {
            List<ApiCatalog.Resource> resources = resources(s[1], s[2]);
            // A group nobody declared: leave it to the mock, which knows the kinds registered with it directly.
            return resources.isEmpty() ? null : json(resourceList(s[1] + "/" + s[2], resources));
        }
        return null;
    }

    // ---- resources ----

    /** Every resource: the built-in ones, then those of the stored CustomResourceDefinitions. */
    List<ApiCatalog.Resource> all() {
        List<ApiCatalog.Resource> all = new ArrayList<>(ApiCatalog.builtIn());
        all.addAll(customResources());
        return all;
    }

    /** The group versions of custom resources, preferred (storage) version first. */
    private Map<String, List<String>> customGroups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Map<String, Object> crd : store.list(CRD_PATH)) {
            Map<String, Object> spec = Json.mapOrNull(crd, "spec");
            String group = Json.string(spec, "group");
            if (group == null || ApiCatalog.isBuiltInGroup(group)) {
                continue;
            }
            List<String> versions = groups.computeIfAbsent(group, g -> new ArrayList<>());
            for (Object v : Json.list(spec, "versions")) {
                if (v instanceof Map<?, ?> version && !Boolean.FALSE.equals(version.get("served"))) {
                    String name = String.valueOf(version.get("name"));
                    if (!versions.contains(name)) {
                        if (Boolean.TRUE.equals(version.get("storage"))) {
                            versions.add(0, name);
                        } else {
                            versions.add(name);
                        }
                    }
                }
            }
        }
        groups.values().removeIf(List::isEmpty);
        return groups;
    }

    private List<ApiCatalog.Resource> customResources() {
        List<ApiCatalog.Resource> resources = new ArrayList<>();
        for (Map<String, Object> crd : store.list(CRD_PATH)) {
            Map<String, Object> spec = Json.mapOrNull(crd, "spec");
            Map<String, Object> names = Json.mapOrNull(spec, "names");
            String group = Json.string(spec, "group");
            if (group == null || names == null || ApiCatalog.isBuiltInGroup(group)) {
                continue;
            }
            String kind = Json.string(names, "kind");
            String plural = Json.string(names, "plural");
            String singular = Json.string(names, "singular");
            boolean namespaced = !"Cluster".equals(Json.string(spec, "scope"));
            List<String> shortNames = strings(Json.list(names, "shortNames"));
            List<String> categories = strings(Json.list(names, "categories"));
            for (Object v : Json.list(spec, "versions")) {
                if (!(v instanceof Map<?, ?> raw) || Boolean.FALSE.equals(raw.get("served"))) {
                    continue;
                }
                Map<String, Object> version = Json.cast(raw);
                Map<String, Object> subresources = Json.mapOrNull(version, "subresources");
                List<ApiCatalog.Subresource> subs = new ArrayList<>();
                if (subresources != null && subresources.containsKey("scale")) {
                    subs.add(new ApiCatalog.Subresource("scale", "autoscaling", "v1", "Scale", List.of("get", "patch", "update")));
                }
                if (subresources != null && subresources.containsKey("status")) {
                    subs.add(new ApiCatalog.Subresource("status", "", "", kind, List.of("get", "patch", "update")));
                }
                resources.add(new ApiCatalog.Resource(group, Json.string(version, "name"), plural,
                        singular == null || singular.isEmpty() ? kind.toLowerCase(Locale.ROOT) : singular, kind,
                        namespaced, ApiCatalog.ALL_VERBS, shortNames, categories, subs));
            }
        }
        return resources;
    }

    private List<ApiCatalog.Resource> resources(String group, String version) {
        return all().stream().filter(r -> r.group().equals(group) && r.version().equals(version)).toList();
    }

    /** Group name to versions (preferred first), core excluded, built-in groups first. */
    private Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        ApiCatalog.groups().forEach(g -> groups.put(g.name(), g.versions()));
        groups.putAll(customGroups());
        return groups;
    }

    private Map<String, List<String>> coreOnly() {
        Map<String, List<String>> core = new LinkedHashMap<>();
        core.put("", List.of("v1"));
        return core;
    }

    private Map<String, List<String>> groupsOnly() {
        return groups();
    }

    // ---- legacy discovery ----

    private static Map<String, Object> version() {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("major", MAJOR);
        version.put("minor", MINOR);
        version.put("gitVersion", GIT_VERSION);
        version.put("gitCommit", "");
        version.put("gitTreeState", "");
        version.put("buildDate", "");
        version.put("goVersion", "");
        version.put("compiler", "");
        version.put("platform", System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT) + "/"
                + goArch(System.getProperty("os.arch", "amd64")));
        return version;
    }

    private static String goArch(String javaArch) {
        return switch (javaArch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> javaArch;
        };
    }

    private static Map<String, Object> apiVersions(RecordedRequest request) {
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("kind", "APIVersions");
        versions.put("versions", List.of("v1"));
        String host = request.getHeader("Host");
        versions.put("serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0",
                "serverAddress", host == null ? "127.0.0.1" : host)));
        return versions;
    }

    private Map<String, Object> apiGroupList() {
        List<Object> groups = new ArrayList<>();
        groups().forEach((name, versions) -> groups.add(apiGroupOf(name, versions, false)));
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        list.put("groups", groups);
        return list;
    }

    private Map<String, Object> apiGroup(String name) {
        List<String> versions = groups().get(name);
        return versions == null ? null : apiGroupOf(name, versions, true);
    }

    private static Map<String, Object> apiGroupOf(String name, List<String> versions, boolean withKind) {
        Map<String, Object> group = new LinkedHashMap<>();
        if (withKind) {
            group.put("kind", "APIGroup");
            group.put("apiVersion", "v1");
        }
        group.put("name", name);
        List<Object> list = new ArrayList<>();
        for (String version : versions) {
            list.add(Map.of("groupVersion", name + "/" + version, "version", version));
        }
        group.put("versions", list);
        group.put("preferredVersion", Map.of("groupVersion", name + "/" + versions.get(0), "version", versions.get(0)));
        return group;
    }

    private static Map<String, Object> resourceList(String groupVersion, List<ApiCatalog.Resource> resources) {
        List<Object> items = new ArrayList<>();
        for (ApiCatalog.Resource resource : resources) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", resource.plural());
            item.put("singularName", resource.singular());
            item.put("namespaced", resource.namespaced());
            item.put("kind", resource.kind());
            item.put("verbs", resource.verbs());
            if (!resource.shortNames().isEmpty()) {
                item.put("shortNames", resource.shortNames());
            }
            if (!resource.categories().isEmpty()) {
                item.put("categories", resource.categories());
            }
            items.add(item);
            for (ApiCatalog.Subresource sub : resource.subresources()) {
                Map<String, Object> subItem = new LinkedHashMap<>();
                subItem.put("name", resource.plural() + "/" + sub.name());
                subItem.put("singularName", "");
                subItem.put("namespaced", resource.namespaced());
                if (!sub.group().isEmpty() || !sub.version().isEmpty()) {
                    subItem.put("group", sub.group());
                    subItem.put("version", sub.version());
                }
                subItem.put("kind", sub.kind());
                subItem.put("verbs", sub.verbs());
                items.add(subItem);
            }
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", groupVersion);
        list.put("resources", items);
        return list;
    }

    // ---- aggregated discovery ----

    /** The aggregated discovery version the Accept header asks for first, or null for the legacy format. */
    private static String aggregatedVersion(String accept) {
        if (accept == null) {
            return null;
        }
        for (String part : accept.split(",")) {
            String p = part.replace(" ", "");
            if (p.contains("g=apidiscovery.k8s.io") && p.contains("as=APIGroupDiscoveryList")) {
                if (p.contains("v=v2beta1")) {
                    return "v2beta1";
                }
                if (p.contains("v=v2")) {
                    return "v2";
                }
            }
        }
        return null;
    }

    private MockResponse aggregated(String accept, Map<String, List<String>> groups) {
        String apiVersion = aggregatedVersion(accept);
        Map<String, List<ApiCatalog.Resource>> byGroupVersion = ApiCatalog.byGroupVersion(all());
        List<Object> items = new ArrayList<>();
        groups.forEach((name, versions) -> {
            Map<String, Object> item = new LinkedHashMap<>();
            Map<String, Object> metadata = new LinkedHashMap<>();
            if (!name.isEmpty()) {
                metadata.put("name", name);
            }
            metadata.put("creationTimestamp", null);
            item.put("metadata", metadata);
            List<Object> versionList = new ArrayList<>();
            for (String version : versions) {
                List<ApiCatalog.Resource> resources = byGroupVersion.getOrDefault(name.isEmpty() ? version : name + "/" + version,
                        List.of());
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("version", version);
                List<Object> resourceList = new ArrayList<>();
                for (ApiCatalog.Resource resource : resources) {
                    resourceList.add(aggregatedResource(resource));
                }
                v.put("resources", resourceList);
                v.put("freshness", "Current");
                versionList.add(v);
            }
            item.put("versions", versionList);
            items.add(item);
        });
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", "apidiscovery.k8s.io/" + apiVersion);
        list.put("metadata", Map.of());
        list.put("items", items);
        return new MockResponse().setResponseCode(200)
                .setHeader("Content-Type", "v2beta1".equals(apiVersion) ? AGGREGATED_V2BETA1 : AGGREGATED_V2)
                .setHeader("Vary", "Accept")
                .setBody(Serialization.asJson(list));
    }

    private static Map<String, Object> aggregatedResource(ApiCatalog.Resource resource) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("resource", resource.plural());
        item.put("responseKind", gvk("", "", resource.kind()));
        item.put("scope", resource.namespaced() ? "Namespaced" : "Cluster");
        item.put("singularResource", resource.singular());
        item.put("verbs", resource.verbs());
        if (!resource.shortNames().isEmpty()) {
            item.put("shortNames", resource.shortNames());
        }
        if (!resource.categories().isEmpty()) {
            item.put("categories", resource.categories());
        }
        if (!resource.subresources().isEmpty()) {
            List<Object> subs = new ArrayList<>();
            for (ApiCatalog.Subresource sub : resource.subresources()) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("subresource", sub.name());
                s.put("responseKind", gvk(sub.group(), sub.version(), sub.kind()));
                s.put("verbs", sub.verbs());
                subs.add(s);
            }
            item.put("subresources", subs);
        }
        return item;
    }

    private static Map<String, Object> gvk(String group, String version, String kind) {
        Map<String, Object> gvk = new LinkedHashMap<>();
        gvk.put("group", group);
        gvk.put("version", version);
        gvk.put("kind", kind);
        return gvk;
    }

    // ---- OpenAPI ----

    private Map<String, Object> openApiV3Index() {
        Map<String, Object> paths = new TreeMap<>();
        for (String groupVersion : ApiCatalog.byGroupVersion(all()).keySet()) {
            String key = groupVersion.contains("/") ? "apis/" + groupVersion : "api/" + groupVersion;
            Map<String, Object> document = openApiV3(key);
            paths.put(key, Map.of("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash(document)));
        }
        return Map.of("paths", paths);
    }

    /**
     * The OpenAPI v3 document of one group version: the PATCH operation of each resource, no schemas.
     *
     * @param key {@code api/v1} or {@code apis/<group>/<version>}
     * @return the document, or null for an unknown group version
     */
    private Map<String, Object> openApiV3(String key) {
        String[] s = key.split("/");
        String group;
        String version;
        if (s.length == 2 && s[0].equals("api")) {
            group = "";
            version = s[1];
        } else if (s.length == 3 && s[0].equals("apis")) {
            group = s[1];
            version = s[2];
        } else {
            return null;
        }
        List<ApiCatalog.Resource> resources = resources(group, version);
        if (resources.isEmpty()) {
            return null;
        }
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ApiCatalog.Resource resource : resources) {
            String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
            String objectPath = prefix + (resource.namespaced() ? "/namespaces/{namespace}/" : "/") + resource.plural()
                    + "/{name}";
            boolean builtIn = ApiCatalog.isBuiltInGroup(group);
            Map<String, Object> content = new LinkedHashMap<>();
            for (String type : PATCH_TYPES) {
                if (builtIn || !type.equals("application/strategic-merge-patch+json")) {
                    content.put(type, Map.of("schema", Map.of("$ref", "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch")));
                }
            }
            Map<String, Object> patch = new LinkedHashMap<>();
            patch.put("description", "partially update the specified " + resource.kind());
            patch.put("operationId", "patch" + operationGroup(group, version) + (resource.namespaced() ? "Namespaced" : "")
                    + resource.kind());
            patch.put("parameters", List.of(queryParameter("dryRun"), queryParameter("fieldManager"),
                    queryParameter("fieldValidation"), Map.of("name", "force", "in", "query",
                            "schema", Map.of("type", "boolean", "uniqueItems", true))));
            patch.put("requestBody", Map.of("content", content, "required", true));
            patch.put("responses", Map.of("200", Map.of("description", "OK")));
            patch.put("x-kubernetes-action", "patch");
            patch.put("x-kubernetes-group-version-kind", gvk(group, version, resource.kind()));
            paths.put(objectPath, Map.of("patch", patch));
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("openapi", "3.0.0");
        document.put("info", Map.of("title", "Kubernetes", "version", GIT_VERSION));
        document.put("paths", paths);
        document.put("components", Map.of("schemas", Map.of("io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
                Map.of("type", "object", "description",
                        "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."))));
        return document;
    }

    private static Map<String, Object> queryParameter(String name) {
        return Map.of("name", name, "in", "query", "schema", Map.of("type", "string", "uniqueItems", true));
    }

    private static String operationGroup(String group, String version) {
        String name = group.isEmpty() ? "Core" : group.replace(".k8s.io", "").replace(".authorization", "Authorization")
                .replace(".", "");
        StringBuilder camel = new StringBuilder();
        for (String part : (name + "-" + version).split("-")) {
            if (!part.isEmpty()) {
                camel.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return camel.toString();
    }

    /**
     * A minimal OpenAPI v2 document (no paths, no definitions), as protobuf when asked as kubectl asks, else
     * as JSON. kubectl consults it only when OpenAPI v3 gives no answer; finding nothing for the kind, it uses
     * its compiled-in patch metadata.
     */
    private static MockResponse openApiV2(String accept) {
        if (accept != null && accept.contains(OPENAPI_V2_PROTOBUF)) {
            ByteArrayOutputStream info = new ByteArrayOutputStream();
            protoString(info, 1, "Kubernetes");
            protoString(info, 6, GIT_VERSION);
            ByteArrayOutputStream document = new ByteArrayOutputStream();
            protoString(document, 1, "2.0");
            protoBytes(document, 2, info.toByteArray());
            protoBytes(document, 8, new byte[0]);
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", OPENAPI_V2_PROTOBUF)
                    .setBody(document.toByteArray());
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("swagger", "2.0");
        document.put("info", Map.of("title", "Kubernetes", "version", GIT_VERSION));
        document.put("paths", Map.of());
        return json(document);
    }

    private static void protoString(ByteArrayOutputStream out, int field, String value) {
        protoBytes(out, field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void protoBytes(ByteArrayOutputStream out, int field, byte[] value) {
        varint(out, (field << 3) | 2);
        varint(out, value.length);
        out.writeBytes(value);
    }

    private static void varint(ByteArrayOutputStream out, int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static String hash(Object document) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512")
                    .digest(Serialization.asJson(document).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest, 0, 64);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(List<Object> values) {
        return values.stream().map(String::valueOf).toList();
    }

    private static MockResponse notFound(String path) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", "the server could not find the requested resource");
        status.put("reason", "NotFound");
        status.put("details", Map.of());
        status.put("code", 404);
        return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(status));
    }

    private static MockResponse json(Object body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }
}
