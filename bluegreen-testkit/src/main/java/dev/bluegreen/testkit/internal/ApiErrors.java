package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Error answers worded as the API server words them ({@code k8s.io/apimachinery/pkg/api/errors} and
 * {@code pkg/util/validation/field}): a {@code Status} with code, reason, message and details.
 */
final class ApiErrors {

    private ApiErrors() {
    }

    /**
     * A failed request, carried to the point where it is answered.
     */
    static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient MockResponse response;

        Rejected(MockResponse response) {
            super(null, null, false, false);
            this.response = response;
        }

        MockResponse response() {
            return response;
        }
    }

    /**
     * One invalid field, as {@code field.Error} describes it.
     *
     * @param type   {@code Invalid}, {@code Required}, {@code Forbidden}, {@code NotSupported}
     * @param field  the field path, e.g. {@code spec.selector}
     * @param value  the bad value already formatted as Go prints it (null for Required and Forbidden)
     * @param detail the explanation, may be empty
     */
    record FieldError(String type, String field, String value, String detail) {

        static FieldError invalid(String field, String value, String detail) {
            return new FieldError("Invalid", field, value, detail);
        }

        static FieldError required(String field, String detail) {
            return new FieldError("Required", field, null, detail);
        }

        static FieldError forbidden(String field, String detail) {
            return new FieldError("Forbidden", field, null, detail);
        }

        static FieldError notSupported(String field, String value, List<String> supported) {
            return new FieldError("NotSupported", field, quote(value),
                    "supported values: " + supported.stream().map(ApiErrors::quote).collect(Collectors.joining(", ")));
        }

        /** The text after the field: {@code Invalid value: "x": detail}, as {@code ErrorBody()} renders it. */
        String body() {
            String text = switch (type) {
                case "Invalid" -> "Invalid value: " + value;
                case "Required" -> "Required value";
                case "Forbidden" -> "Forbidden";
                case "NotSupported" -> "Unsupported value: " + value;
                default -> type + ": " + value;
            };
            return detail == null || detail.isEmpty() ? text : text + ": " + detail;
        }

        String reason() {
            return switch (type) {
                case "Invalid" -> "FieldValueInvalid";
                case "Required" -> "FieldValueRequired";
                case "Forbidden" -> "FieldValueForbidden";
                case "NotSupported" -> "FieldValueNotSupported";
                default -> "FieldValue" + type;
            };
        }

        @Override
        public String toString() {
            return field + ": " + body();
        }
    }

    /** 422 Invalid: {@code Deployment.apps "web" is invalid: <errors>}. */
    static MockResponse invalid(ApiResources.Kind kind, String name, List<FieldError> errors) {
        String list = errors.size() == 1 ? errors.get(0).toString()
                : errors.stream().map(FieldError::toString).collect(Collectors.joining(", ", "[", "]"));
        List<StatusCause> causes = new ArrayList<>();
        for (FieldError error : errors) {
            causes.add(new StatusCauseBuilder().withReason(error.reason()).withMessage(error.body())
                    .withField(error.field()).build());
        }
        return json(422, status(422, "Invalid", kind.groupKind() + " \"" + name + "\" is invalid: " + list,
                new StatusDetailsBuilder().withName(name).withGroup(group(kind)).withKind(kind.kind())
                        .withCauses(causes).build()));
    }

    /** 409 Conflict after a stale resourceVersion. */
    static MockResponse conflict(ApiResources.Kind kind, String name) {
        return json(409, status(409, "Conflict", "Operation cannot be fulfilled on " + kind.groupResource() + " \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again",
                details(kind, name)));
    }

    /** 409 AlreadyExists on a create. */
    static MockResponse alreadyExists(ApiResources.Kind kind, String name) {
        return json(409, status(409, "AlreadyExists", kind.groupResource() + " \"" + name + "\" already exists",
                details(kind, name)));
    }

    /** 404 NotFound. */
    static MockResponse notFound(ApiResources.Kind kind, String name) {
        return json(404, status(404, "NotFound", kind.groupResource() + " \"" + name + "\" not found", details(kind, name)));
    }

    /** 403 Forbidden, as an admission plug-in refuses: {@code pods "web-1" is forbidden: <reason>}. */
    static MockResponse forbidden(ApiResources.Kind kind, String name, String reason) {
        return json(403, status(403, "Forbidden", kind.groupResource() + " \"" + name + "\" is forbidden: " + reason,
                details(kind, name)));
    }

    /** 400 BadRequest. */
    static MockResponse badRequest(String message) {
        return json(400, status(400, "BadRequest", message, null));
    }

    /** 422 without field causes, e.g. for a JSON patch that cannot be applied. */
    static MockResponse unprocessable(String message) {
        return json(422, status(422, "Invalid", message, null));
    }

    /**
     * A strategic merge patch that cannot be applied: 400 BadRequest, 422 Invalid, or a 500 whose message is
     * the bare error, as the API server answers an error it has no reason for.
     */
    static MockResponse patchFailed(int code, String message) {
        return switch (code) {
            case 400 -> badRequest(message);
            case 422 -> unprocessable(message);
            default -> json(code, status(code, null, message, null));
        };
    }

    /** 415 for a patch type the resource does not accept (a strategic merge patch of a custom resource). */
    static MockResponse unsupportedMediaType(String contentType) {
        return json(415, status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                + "application/apply-patch+yaml", null));
    }

    /** 200 with a {@code Status} of success, as a delete of an object that is gone answers. */
    static MockResponse deleted(ApiResources.Kind kind, String name, String uid) {
        Status status = new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                .withStatus("Success")
                .withDetails(new StatusDetailsBuilder().withName(name).withGroup(group(kind)).withKind(kind.plural())
                        .withUid(uid).build())
                .build();
        return json(200, status);
    }

    /** Quotes a string as Go's {@code %q} does for plain text. */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Formats a label map as Go's {@code %#v} prints a {@code map[string]string}: keys sorted. */
    static String goMap(Map<String, String> map) {
        if (map == null) {
            return "map[string]string(nil)";
        }
        return new TreeMap<>(map).entrySet().stream().map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
                .collect(Collectors.joining(", ", "map[string]string{", "}"));
    }

    /** Formats a string list as Go's {@code %#v} prints a {@code []string}. */
    static String goStrings(List<String> values) {
        return values.stream().map(ApiErrors::quote).collect(Collectors.joining(", ", "[]string{", "}"));
    }

    private static String group(ApiResources.Kind kind) {
        return kind.group().isEmpty() ? null : kind.group();
    }

    private static io.fabric8.kubernetes.api.model.StatusDetails details(ApiResources.Kind kind, String name) {
        return new StatusDetailsBuilder().withName(name).withGroup(group(kind)).withKind(kind.plural()).build();
    }

    private static Status status(int code, String reason, String message, io.fabric8.kubernetes.api.model.StatusDetails details) {
        return new StatusBuilder()
                .withApiVersion("v1").withKind("Status")
                .withNewMetadata().endMetadata()
                .withStatus("Failure")
                .withMessage(message)
                .withReason(reason)
                .withDetails(details)
                .withCode(code)
                .build();
    }

    private static MockResponse json(int code, Object body) {
        return new MockResponse().setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }
}
