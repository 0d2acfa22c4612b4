package dev.bluegreen.testkit;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Ready-made request matchers for {@link Faults#when} and {@link SimulatedCluster#beforeNextRequest}. Each
 * is stateless and describes itself in {@code toString()}, which shows in {@link FaultRule#toString()}.
 * Combine them with {@link Predicate#and}:
 * {@code RequestMatchers.method("PATCH").and(RequestMatchers.pathEndingWith("/services/web"))}.
 */
public final class RequestMatchers {

    private RequestMatchers() {
    }

    /**
     * Matches every request.
     *
     * @return the matcher
     */
    public static Predicate<ClientRequest> anyRequest() {
        return new Described("any request", request -> true);
    }

    /**
     * Matches requests with the given HTTP method.
     *
     * @param method e.g. {@code PATCH}; compared ignoring case; not blank
     * @return the matcher
     * @throws IllegalArgumentException if {@code method} is blank
     */
    public static Predicate<ClientRequest> method(String method) {
        String expected = requireText(method, "method").toUpperCase(Locale.ROOT);
        return new Described(expected, request -> request.method().equals(expected));
    }

    /**
     * Matches requests whose path without query string is exactly {@code path}.
     *
     * @param path e.g. {@code /api/v1/namespaces/default/services/web}; starts with {@code /}
     * @return the matcher
     * @throws IllegalArgumentException if {@code path} does not start with {@code /} or has a query string
     */
    public static Predicate<ClientRequest> path(String path) {
        if (path == null || !path.startsWith("/") || path.contains("?")) {
            throw new IllegalArgumentException("path must start with '/' and have no query string, but was "
                    + (path == null ? "null" : "\"" + path + "\""));
        }
        return new Described("path " + path, request -> request.pathWithoutQuery().equals(path));
    }

    /**
     * Matches requests whose path without query string ends with {@code suffix}, e.g. {@code /services/web}
     * for that Service in any namespace.
     *
     * @param suffix the end of the path; not blank
     * @return the matcher
     * @throws IllegalArgumentException if {@code suffix} is blank
     */
    public static Predicate<ClientRequest> pathEndingWith(String suffix) {
        String expected = requireText(suffix, "suffix");
        return new Described("path ending with " + expected, request -> request.pathWithoutQuery().endsWith(expected));
    }

    /**
     * Matches requests that open a watch ({@link ClientRequest#isWatch()}).
     *
     * @return the matcher
     */
    public static Predicate<ClientRequest> watches() {
        return new Described("watch requests", ClientRequest::isWatch);
    }

    /**
     * Matches write requests: {@code POST}, {@code PUT}, {@code PATCH} and {@code DELETE}.
     *
     * @return the matcher
     */
    public static Predicate<ClientRequest> writes() {
        return new Described("writes", request -> switch (request.method()) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        });
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was " + (value == null ? "null" : "\"" + value + "\""));
        }
        return value;
    }

    /** A predicate with a readable {@code toString()}; {@code and}/{@code or} keep the description. */
    private record Described(String description, Predicate<ClientRequest> delegate) implements Predicate<ClientRequest> {

        private Described {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(delegate, "delegate");
        }

        @Override
        public boolean test(ClientRequest request) {
            return delegate.test(request);
        }

        @Override
        public Predicate<ClientRequest> and(Predicate<? super ClientRequest> other) {
            return new Described(description + " and " + other, Predicate.super.and(other));
        }

        @Override
        public Predicate<ClientRequest> or(Predicate<? super ClientRequest> other) {
            return new Described("(" + description + " or " + other + ")", Predicate.super.or(other));
        }

        @Override
        public Predicate<ClientRequest> negate() {
            return new Described("not (" + description + ")", Predicate.super.negate());
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
