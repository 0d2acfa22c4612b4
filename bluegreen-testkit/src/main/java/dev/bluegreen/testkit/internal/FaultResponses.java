package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.ClientRequest;
import dev.bluegreen.testkit.Fault;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Map;

/**
 * Builds the answers of status faults the way the API server words them: a {@code Status} object with the
 * reason the server uses for the code, a message naming the object when the path names one, and for 429 a
 * {@code Retry-After} header plus {@code details.retryAfterSeconds}.
 */
final class FaultResponses {

    private static final String MARK = " (fault injected by bluegreen-testkit)";

    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(400, "BadRequest"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
            Map.entry(404, "NotFound"), Map.entry(405, "MethodNotAllowed"), Map.entry(406, "NotAcceptable"),
            Map.entry(409, "Conflict"), Map.entry(410, "Expired"), Map.entry(413, "RequestEntityTooLarge"),
            Map.entry(415, "UnsupportedMediaType"), Map.entry(422, "Invalid"), Map.entry(429, "TooManyRequests"),
            Map.entry(500, "InternalError"), Map.entry(503, "ServiceUnavailable"), Map.entry(504, "Timeout"));

    private FaultResponses() {
    }

    /**
     * Answers a request with the status of a fault.
     *
     * @param fault   the status fault
     * @param request the request, whose path names the object in the message
     * @return the response; the request was not applied
     */
    static MockResponse status(Fault.HttpStatus fault, ClientRequest request) {
        MockResponse response = json(fault.code(), status(fault.code(), REASONS.get(fault.code()),
                message(fault.code(), ObjectPath.parse(request.pathWithoutQuery())), request, fault.retryAfterSeconds()));
        if (fault.retryAfter() != null) {
            response.setHeader("Retry-After", String.valueOf(fault.retryAfterSeconds()));
        }
        return response;
    }

    /**
     * Answers, with a 500, a request that came through the mock's own listener with a fault that needs the
     * connection, which only the cluster's front server can close or hold.
     *
     * @param fault   the fault that could not be applied
     * @param request the request
     * @return a 500 explaining why
     */
    static MockResponse unsupported(Fault fault, ClientRequest request) {
        return json(500, status(500, "InternalError", "The fault \"" + fault + "\" can only be applied to requests sent to"
                + " the cluster's masterUrl(), not to the mock server's own port" + MARK, request, 0));
    }

    private static MockResponse json(int code, Status status) {
        return new MockResponse().setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(status));
    }

    private static Status status(int code, String reason, String message, ClientRequest request, long retryAfterSeconds) {
        ObjectPath object = ObjectPath.parse(request.pathWithoutQuery());
        StatusDetailsBuilder details = new StatusDetailsBuilder();
        if (object != null) {
            details.withName(object.name()).withKind(object.resource()).withGroup(object.group());
        }
        if (retryAfterSeconds > 0) {
            details.withRetryAfterSeconds((int) Math.min(Integer.MAX_VALUE, retryAfterSeconds));
        }
        return new StatusBuilder()
                .withApiVersion("v1").withKind("Status")
                .withNewMetadata().endMetadata()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(message)
                .withDetails(details.build())
                .build();
    }

    private static String message(int code, ObjectPath object) {
        String subject = object == null || object.name() == null ? null : object.qualifiedResource() + " \"" + object.name() + "\"";
        String text = switch (code) {
            case 404 -> subject == null ? "the server could not find the requested resource" : subject + " not found";
            case 409 -> subject == null
                    ? "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again"
                    : "Operation cannot be fulfilled on " + subject
                            + ": the object has been modified; please apply your changes to the latest version and try again";
            case 429 -> "Too many requests, please try again later.";
            case 500 -> "Internal error occurred: injected fault";
            case 503 -> "The server is currently unable to handle the request";
            case 504 -> "Timeout: request did not complete within the allotted timeout";
            default -> "The server answered " + code;
        };
        return text + MARK;
    }

    /**
     * The object an API path names: {@code /api/v1/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]} or
     * the same under {@code /apis/<group>/<version>}.
     */
    private record ObjectPath(String group, String resource, String name) {

        static ObjectPath parse(String path) {
            String[] segments = path.startsWith("/") ? path.substring(1).split("/") : path.split("/");
            int start;
            String group;
            if (segments.length >= 3 && segments[0].equals("api")) {
                start = 2;
                group = null;
            } else if (segments.length >= 4 && segments[0].equals("apis")) {
                start = 3;
                group = segments[1];
            } else {
                return null;
            }
            if (segments.length - start >= 3 && segments[start].equals("namespaces")) {
                start += 2;
            }
            int rest = segments.length - start;
            if (rest < 1) {
                return null;
            }
            return new ObjectPath(group, segments[start], rest >= 2 ? segments[start + 1] : null);
        }

        String qualifiedResource() {
            return group == null ? resource : resource + "." + group;
        }
    }
}
