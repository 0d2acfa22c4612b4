package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.ClientRequest;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A client-side interceptor running one-shot actions right before a matching request leaves the client.
 * fabric8 calls {@link #before} on the thread that sends the request, so an action that writes through
 * another client has finished before the hooked request reaches the server.
 */
public final class RequestHooks implements Interceptor {

    /** The name the interceptor is installed under on the user clients. */
    public static final String NAME = "bluegreen-testkit-request-hooks";

    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final Clock clock;

    /**
     * Creates an empty set of hooks.
     *
     * @param clock the source of the {@link ClientRequest#at()} times the matchers see
     */
    public RequestHooks(Clock clock) {
        this.clock = clock;
    }

    /**
     * Registers a one-shot hook.
     *
     * @param matcher selects the request; called for every request until it matches once
     * @param action  runs once, on the sending thread, before the first matching request is sent
     */
    public void add(Predicate<ClientRequest> matcher, Runnable action) {
        hooks.add(new Hook(Objects.requireNonNull(matcher, "matcher"), Objects.requireNonNull(action, "action")));
    }

    /**
     * Runs, on the sending thread, the actions of the hooks whose matcher accepts the outgoing request.
     *
     * @param builder the request being built; left unchanged
     * @param request the request about to be sent
     * @param tags    the client's tags; unused
     */
    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (hooks.isEmpty()) {
            return;
        }
        ClientRequest outgoing = describe(request);
        for (Hook hook : hooks) {
            // remove() succeeds for exactly one caller, which keeps the hook one-shot under concurrent requests.
            if (hook.matcher.test(outgoing) && hooks.remove(hook)) {
                hook.action.run();
            }
        }
    }

    private ClientRequest describe(HttpRequest request) {
        URI uri = request.uri();
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new ClientRequest(request.method(), path, request.bodyString(), request.header("User-Agent"), false,
                clock.instant());
    }

    /** Identity matters: two hooks with the same matcher and action are still two hooks. */
    private static final class Hook {
        private final Predicate<ClientRequest> matcher;
        private final Runnable action;

        private Hook(Predicate<ClientRequest> matcher, Runnable action) {
            this.matcher = matcher;
            this.action = action;
        }
    }
}
