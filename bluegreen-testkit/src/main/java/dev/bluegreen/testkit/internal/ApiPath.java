package dev.bluegreen.testkit.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request path of the Kubernetes API, taken apart: {@code /api/v1} or {@code /apis/<group>/<version>},
 * then {@code [namespaces/<ns>/]<resource>[/<name>[/<subresource>]]}, then the query.
 *
 * @param prefix      {@code /api/v1} or {@code /apis/<group>/<version>}
 * @param group       the API group, empty for the core group
 * @param version     the API version
 * @param namespace   the namespace, or null for a cluster-scoped path or all namespaces
 * @param resource    the resource (plural), e.g. {@code deployments}
 * @param name        the object's name, or null for the collection
 * @param subresource e.g. {@code status}, {@code log}, or null
 * @param query       the decoded query parameters (the last value of each)
 */
record ApiPath(String prefix, String group, String version, String namespace, String resource, String name,
        String subresource, Map<String, String> query) {

    /**
     * Parses a request path.
     *
     * @param raw the path with its query string
     * @return the parts, or null when it is no resource path of the API
     */
    static ApiPath parse(String raw) {
        int question = raw.indexOf('?');
        String path = question < 0 ? raw : raw.substring(0, question);
        Map<String, String> query = question < 0 ? Map.of() : query(raw.substring(question + 1));
        String[] s = path.startsWith("/") ? path.substring(1).split("/") : path.split("/");
        int start;
        String prefix;
        String group;
        String version;
        if (s.length >= 3 && s[0].equals("api")) {
            group = "";
            version = s[1];
            prefix = "/api/" + version;
            start = 2;
        } else if (s.length >= 4 && s[0].equals("apis")) {
            group = s[1];
            version = s[2];
            prefix = "/apis/" + group + "/" + version;
            start = 3;
        } else {
            return null;
        }
        String namespace = null;
        if (s.length - start >= 3 && s[start].equals("namespaces")) {
            namespace = s[start + 1];
            start += 2;
        }
        int rest = s.length - start;
        if (rest < 1 || rest > 3) {
            return null;
        }
        return new ApiPath(prefix, group, version, namespace, s[start], rest >= 2 ? s[start + 1] : null,
                rest == 3 ? s[start + 2] : null, query);
    }

    /**
     * Returns the path of the named object, without subresource and query.
     *
     * @return e.g. {@code /apis/apps/v1/namespaces/default/deployments/web}
     */
    String objectPath() {
        return collectionPath() + "/" + name;
    }

    /**
     * Returns the path of the collection the object is in, without query.
     *
     * @return e.g. {@code /apis/apps/v1/namespaces/default/deployments}
     */
    String collectionPath() {
        return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource;
    }

    /**
     * Returns the path of another object of the same collection.
     *
     * @param otherName the other object's name
     * @return its path
     */
    String sibling(String otherName) {
        return collectionPath() + "/" + otherName;
    }

    private static Map<String, String> query(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }
}
