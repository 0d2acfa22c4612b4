package dev.bluegreen.testkit;

import java.util.Objects;

/**
 * A fault the simulated API server applied to a request, as listed by {@link Faults#injected()}.
 *
 * @param request the request the fault was applied to, as the server received it; never null
 * @param fault   what the server did; never null
 * @param rule    the rule that fired; never null
 */
public record InjectedFault(ClientRequest request, Fault fault, FaultRule rule) {

    /**
     * Validates that every part is present.
     *
     * @param request the request; not null
     * @param fault   the fault; not null
     * @param rule    the rule; not null
     */
    public InjectedFault {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(rule, "rule");
    }

    /**
     * Renders the fault and the request, for failure messages.
     *
     * @return e.g. {@code status 500 -> PATCH /api/v1/namespaces/default/services/web (user)}
     */
    @Override
    public String toString() {
        return fault + " -> " + request.method() + " " + request.path() + (request.fromController() ? " (cluster)" : " (user)");
    }
}
