package dev.bluegreen.gates.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.gates.GatePolicies;
import dev.bluegreen.gates.JsonCondition;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What an {@code HttpGate.Builder} collected. Internal: not part of the API.
 *
 * @param name            the gate's name
 * @param method          the HTTP method
 * @param url             the URL for a context
 * @param urlDescription  the URL as shown in {@code toString}
 * @param headers         headers to send
 * @param body            the body, or null
 * @param expected        the statuses that pass, or null for any 2xx
 * @param json            conditions on fields of the JSON answer
 * @param timeout         time limit of one attempt, or null for the policies'
 * @param followSameHost  whether to follow same-host redirects
 * @param maxRedirects    most redirects followed
 * @param maxBody         most body bytes read
 * @param policies        the call policies
 * @param client          the HTTP client, or null for the shared one
 */
public record HttpGateSettings(String name, String method, Function<GateContext, String> url, String urlDescription,
                               Map<String, List<String>> headers, String body, List<Integer> expected,
                               List<JsonCheck> json, Duration timeout, boolean followSameHost, int maxRedirects,
                               int maxBody, GatePolicies policies, HttpClient client) {

    /**
     * One condition on a field of the JSON answer.
     *
     * @param pointer   the field's JSON Pointer
     * @param condition what it must satisfy
     */
    public record JsonCheck(String pointer, JsonCondition condition) {
    }
}
