package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side field validation ({@code ?fieldValidation=Strict} or {@code Warn}, which kubectl sends since the
 * OpenAPI documents of {@link Discovery} say the server supports it): fields of an object that its kind does
 * not declare are an error (Strict) or a warning (Warn), as a real API server decodes objects. The declared
 * fields are read from fabric8's model classes, field by field ({@code @JsonProperty}); free-form parts of the
 * model (no declared field) are not checked. Unknown fields are never stored, as a real server's decoding drops
 * them; without the parameter the server warns, as a real one does by default; {@code Ignore} drops them
 * silently. Only the kinds {@link ApiServer} gives real semantics are validated.
 */
final class FieldValidation {

    private static final Map<String, Class<?>> MODELS = Map.of(
            "/Pod", Pod.class,
            "/Service", Service.class,
            "/Endpoints", Endpoints.class,
            "/ConfigMap", ConfigMap.class,
            "/Secret", Secret.class,
            "/Event", io.fabric8.kubernetes.api.model.Event.class,
            "/ServiceAccount", ServiceAccount.class,
            "apps/Deployment", Deployment.class,
            "apps/ReplicaSet", ReplicaSet.class,
            "discovery.k8s.io/EndpointSlice", EndpointSlice.class);
    private static final Map<String, Class<?>> MORE_MODELS = Map.of(
            "coordination.k8s.io/Lease", Lease.class,
            "events.k8s.io/Event", io.fabric8.kubernetes.api.model.events.v1.Event.class);
    private static final String JSON_PROPERTY = "com.fasterxml.jackson.annotation.JsonProperty";
    private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();

    private FieldValidation() {
    }

    /**
     * Returns the validation a request asks for.
     *
     * @param path the request's path
     * @return {@code Strict}, {@code Ignore}, or {@code Warn} (also when absent, the server's default)
     */
    static String directive(ApiPath path) {
        String value = path.query().get("fieldValidation");
        return "Strict".equals(value) || "Ignore".equals(value) ? value : "Warn";
    }

    /**
     * Lists the fields of {@code object} its kind does not declare.
     *
     * @param kind   the object's kind
     * @param object the object
     * @return each unknown field's path, e.g. {@code spec.template.spec.containers[0].imagePullPolcy}; empty when
     *         all are known or the kind is not validated
     */
    static List<String> unknownFields(ApiResources.Kind kind, Map<String, Object> object) {
        Class<?> model = MODELS.get(kind.group() + "/" + kind.kind());
        if (model == null) {
            model = MORE_MODELS.get(kind.group() + "/" + kind.kind());
        }
        if (model == null) {
            return List.of();
        }
        List<String> unknown = new ArrayList<>();
        walk(object, model, "", unknown, false);
        return unknown;
    }

    /**
     * Removes from {@code object} the fields its kind does not declare, as decoding it into its type does.
     *
     * @param kind   the object's kind
     * @param object the object, changed in place
     * @return the removed fields' paths
     */
    static List<String> dropUnknownFields(ApiResources.Kind kind, Map<String, Object> object) {
        Class<?> model = MODELS.get(kind.group() + "/" + kind.kind());
        if (model == null) {
            model = MORE_MODELS.get(kind.group() + "/" + kind.kind());
        }
        if (model == null) {
            return List.of();
        }
        List<String> unknown = new ArrayList<>();
        walk(object, model, "", unknown, true);
        return unknown;
    }

    /**
     * The text of a strict decoding error, as the API server words it.
     *
     * @param unknown the unknown fields
     * @return e.g. {@code strict decoding error: unknown field "spec.replica"}
     */
    static String strictDecodingError(List<String> unknown) {
        List<String> parts = new ArrayList<>();
        for (String field : unknown) {
            parts.add("unknown field \"" + field + "\"");
        }
        return "strict decoding error: " + String.join(", ", parts);
    }

    private static void walk(Object json, Class<?> type, String path, List<String> unknown, boolean drop) {
        if (!(json instanceof Map<?, ?> map)) {
            return;
        }
        Map<String, Field> fields = fieldsOf(type);
        if (fields.isEmpty()) {
            return;
        }
        for (Map.Entry<?, ?> entry : new ArrayList<>(map.entrySet())) {
            String key = String.valueOf(entry.getKey());
            String child = path.isEmpty() ? key : path + "." + key;
            Field field = fields.get(key);
            if (field == null) {
                unknown.add(child);
                if (drop) {
                    map.remove(entry.getKey());
                }
                continue;
            }
            Object value = entry.getValue();
            Type generic = field.getGenericType();
            if (value instanceof List<?> list && generic instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
                if (p.getActualTypeArguments()[0] instanceof Class<?> element && isModel(element)) {
                    for (int i = 0; i < list.size(); i++) {
                        walk(list.get(i), element, child + "[" + i + "]", unknown, drop);
                    }
                }
            } else if (value instanceof Map<?, ?> values && generic instanceof ParameterizedType p
                    && Map.class.isAssignableFrom(field.getType())) {
                if (p.getActualTypeArguments().length == 2 && p.getActualTypeArguments()[1] instanceof Class<?> element
                        && isModel(element)) {
                    for (Map.Entry<?, ?> item : values.entrySet()) {
                        walk(item.getValue(), element, child + "." + item.getKey(), unknown, drop);
                    }
                }
            } else if (value instanceof Map<?, ?> && isModel(field.getType())) {
                walk(value, field.getType(), child, unknown, drop);
            }
        }
    }

    private static boolean isModel(Class<?> type) {
        return type.getName().startsWith("io.fabric8.kubernetes.api.model") && !type.isEnum() && !type.isInterface()
                && type != IntOrString.class && type != Quantity.class;
    }

    /** The JSON names a model class declares, with their fields; empty for a free-form class. */
    private static Map<String, Field> fieldsOf(Class<?> type) {
        return FIELDS.computeIfAbsent(type, t -> {
            Map<String, Field> fields = new HashMap<>();
            for (Class<?> c = t; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers())) {
                        continue;
                    }
                    String name = jsonName(field);
                    if (name != null && !name.isEmpty()) {
                        fields.putIfAbsent(name, field);
                    }
                }
            }
            return Collections.unmodifiableMap(fields);
        });
    }

    private static String jsonName(Field field) {
        for (Annotation annotation : field.getDeclaredAnnotations()) {
            if (annotation.annotationType().getName().equals(JSON_PROPERTY)) {
                try {
                    return String.valueOf(annotation.annotationType().getMethod("value").invoke(annotation));
                } catch (ReflectiveOperationException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
