package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies JSON merge patches (RFC 7386) of whole objects the way a real API server does. The 8.0.0 mock
 * appends to arrays instead of replacing them (a patch of {@code containers} adds a second container) and
 * stores {@code "key": null} instead of removing the key; code that is right on a real cluster would fail
 * in tests, and the reverse. The patch is applied here and the result stored with a PUT, so the mock still
 * rejects a stale {@code resourceVersion} carried by the patch (409), bumps the generation on spec changes
 * and notifies watches. Subresources ({@code /status}, {@code /scale}) keep the mock's own handling.
 */
final class MergePatches {

    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

    private MergePatches() {
    }

    /**
     * Tells whether {@code request} is a JSON merge patch of a whole object.
     *
     * @param request a request to the mock server
     * @return true if {@link #apply} should handle it
     */
    static boolean isMergePatchOfObject(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        return "PATCH".equals(request.getMethod())
                && contentType != null && contentType.startsWith(MERGE_PATCH)
                && isObjectPath(pathWithoutQuery(request.getPath()));
    }

    /**
     * Tells whether {@code request} is a strategic merge patch of a whole object.
     *
     * @param request a request to the mock server
     * @return true if {@link #applyStrategic} should handle it
     */
    static boolean isStrategicPatchOfObject(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        return "PATCH".equals(request.getMethod())
                && contentType != null && contentType.startsWith(STRATEGIC_MERGE_PATCH)
                && isObjectPath(pathWithoutQuery(request.getPath()));
    }

    /**
     * Applies a strategic merge patch of a whole object the mock stores without further semantics (e.g. an
     * Ingress or a Job): with the kind's patch strategies for a built-in kind, and 415 Unsupported Media Type
     * for a custom resource, as a real API server answers.
     *
     * @param request a strategic merge patch of a whole object
     * @param store   the mock's dispatcher, which holds the objects
     * @return the response
     */
    static MockResponse applyStrategic(RecordedRequest request, Dispatcher store) {
        ApiPath path = ApiPath.parse(request.getPath());
        if (path == null || !ApiCatalog.isBuiltInGroup(path.group())) {
            return ApiErrors.unsupportedMediaType(request.getHeader("Content-Type"));
        }
        ApiCatalog.Resource resource = ApiCatalog.find(path.group(), path.version(), path.resource());
        PatchMeta meta = resource == null ? PatchMeta.of(path.group(), "") : PatchMeta.of(path.group(), resource.kind());
        return apply(request, store, (object, patch) -> {
            try {
                return StrategicMergePatch.apply(Json.cast(object), Json.cast(patch), meta);
            } catch (StrategicMergePatch.PatchException e) {
                throw new ApiErrors.Rejected(ApiErrors.patchFailed(e.code(), e.getMessage()));
            }
        });
    }

    /**
     * Reads the object, merges the patch into it and replaces the object with the result.
     *
     * @param request a merge patch of a whole object
     * @param store   the mock's dispatcher, which holds the objects
     * @return the response to the PUT, or the mock's own response when the object cannot be read
     */
    static MockResponse apply(RecordedRequest request, Dispatcher store) {
        return apply(request, store, MergePatches::merge);
    }

    private static MockResponse apply(RecordedRequest request, Dispatcher store,
            java.util.function.BinaryOperator<Map<String, Object>> merging) {
        MockResponse current = store.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET,
                pathWithoutQuery(request.getPath()), request.getHeaders(), new Buffer()));
        String patchText = new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
        if (current.code() != 200 || !patchText.strip().startsWith("{")) {
            // Missing object or a patch that is no JSON object: the mock's answer is as good as any.
            return store.dispatch(request);
        }
        Map<String, Object> patch = Json.cast(Serialization.unmarshal(patchText, Map.class));
        Map<String, Object> object = Json.cast(Serialization.unmarshal(new String(current.getBody().getBytes(), StandardCharsets.UTF_8), Map.class));
        Map<String, Object> merged;
        try {
            merged = merging.apply(object, patch);
        } catch (ApiErrors.Rejected rejected) {
            return rejected.response();
        }
        if (!carriesResourceVersion(patch) && merged.get("metadata") instanceof Map<?, ?> metadata) {
            // Without a resourceVersion in the patch, a real server applies it to whatever version is current.
            metadata.remove("resourceVersion");
        }
        return store.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.PUT, request.getPath(),
                request.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
                new Buffer(Serialization.asJson(merged).getBytes(StandardCharsets.UTF_8))));
    }

    /** RFC 7386: objects merge key by key, null removes a key, anything else replaces the target. */
    private static Map<String, Object> merge(Map<?, ?> target, Map<?, ?> patch) {
        Map<String, Object> result = new LinkedHashMap<>();
        target.forEach((key, value) -> result.put(String.valueOf(key), value));
        patch.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (value == null) {
                result.remove(name);
            } else if (value instanceof Map<?, ?> patchValue) {
                result.put(name, merge(result.get(name) instanceof Map<?, ?> targetValue ? targetValue : Map.of(), patchValue));
            } else {
                result.put(name, value);
            }
        });
        return result;
    }

    private static boolean carriesResourceVersion(Map<?, ?> patch) {
        return patch.get("metadata") instanceof Map<?, ?> metadata && metadata.get("resourceVersion") != null;
    }

    /**
     * An object path is {@code /api/v1} or {@code /apis/<group>/<version>} followed by
     * {@code [namespaces/<ns>/]<resource>/<name>}; anything longer names a subresource.
     */
    private static boolean isObjectPath(String path) {
        String[] segments = path.substring(1).split("/");
        int prefix;
        if (segments.length > 0 && segments[0].equals("api")) {
            prefix = 2;
        } else if (segments.length > 0 && segments[0].equals("apis")) {
            prefix = 3;
        } else {
            return false;
        }
        int rest = segments.length - prefix;
        return rest == 2 || (rest == 4 && segments[prefix].equals("namespaces"));
    }

    private static String pathWithoutQuery(String path) {
        int question = path.indexOf('?');
        return question < 0 ? path : path.substring(0, question);
    }
}
