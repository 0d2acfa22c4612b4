package dev.bluegreen.testkit;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One HTTP request sent to the simulated API server, as the server received it or, for
 * {@link SimulatedCluster#beforeNextRequest} matchers, as the client is about to send it.
 *
 * @param method         the HTTP method, upper case ({@code GET}, {@code PATCH}, ...); never null
 * @param path           the request path including the query string, e.g.
 *                       {@code /apis/apps/v1/namespaces/default/deployments?watch=true}; never null
 * @param body           the request body decoded as UTF-8; empty (never null) when there is none
 * @param userAgent      the {@code User-Agent} header; empty (never null) when absent
 * @param fromController whether the simulated cluster itself sent the request (its controllers and the
 *                       test kit's own helpers such as {@link SimulatedCluster#awaitDeployment}), as
 *                       opposed to the code under test
 * @param at             when the request was received (or is about to be sent); never null
 */
public record ClientRequest(String method, String path, String body, String userAgent, boolean fromController,
        Instant at) {

    /**
     * Validates the mandatory parts and turns absent optional parts into empty strings.
     *
     * @param method         the HTTP method; not null
     * @param path           the path with query string; not null
     * @param body           the body, or null for none
     * @param userAgent      the {@code User-Agent}, or null if absent
     * @param fromController whether the simulated cluster sent the request
     * @param at             when it was sent or received; not null
     */
    public ClientRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(at, "at");
        body = body == null ? "" : body;
        userAgent = userAgent == null ? "" : userAgent;
    }

    /**
     * Tells whether this request opens a watch ({@code watch=true} or {@code watch=1} in the query string),
     * as informers and {@code waitUntilCondition} do.
     *
     * @return true for a watch request
     */
    public boolean isWatch() {
        String query = query();
        return Arrays.stream(query.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
    }

    /**
     * Returns the path without its query string.
     *
     * @return the path up to (excluding) the first {@code ?}; never null
     */
    public String pathWithoutQuery() {
        int question = path.indexOf('?');
        return question < 0 ? path : path.substring(0, question);
    }

    /**
     * Returns the raw (still URL-encoded) query string.
     *
     * @return the part of the path after the first {@code ?}; empty (never null) when there is none
     */
    public String query() {
        int question = path.indexOf('?');
        return question < 0 ? "" : path.substring(question + 1);
    }

    /**
     * Renders the request the way it reads in a failure message: method, path, origin and body.
     *
     * @return e.g. {@code PATCH /api/v1/namespaces/default/services/web (user) {"spec":...}}
     */
    @Override
    public String toString() {
        String origin = fromController ? "(cluster)" : "(user)";
        return method + " " + path + " " + origin + (body.isEmpty() ? "" : " " + body);
    }
}
