package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import dev.bluegreen.fabric8.ServiceAddress;
import dev.bluegreen.fabric8.ServiceAddressResolver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The guide's {@code curl /version} loop after the switch: N requests through the live Service must
 * all answer the new version, read from a response header when the answer has it, else from the
 * body (trimmed).
 */
public final class VersionGate implements HealthGate {
    /** Time limit of one request. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final ServiceAddressResolver resolver;
    private final int requests;
    private final String path;
    private final String header;
    private final Function<GateContext, String> expected;

    /**
     * @param resolver finds the live Service's address
     * @param requests how many requests; at least 1
     * @param path     the path answering the version, e.g. {@code /version}
     * @param header   a response header naming the version, read first when present, e.g. {@code X-Version}; may be null
     * @param expected the version expected for a context, e.g. {@link GateContext#version()}
     */
    public VersionGate(ServiceAddressResolver resolver, int requests, String path, String header,
                       Function<GateContext, String> expected) {
        this.resolver = resolver;
        this.requests = requests;
        this.path = path.startsWith("/") ? path.substring(1) : path;
        this.header = header;
        this.expected = expected;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        KubernetesCandidate candidate = KubernetesCandidate.require(context.candidate());
        String want = expected.apply(context);
        String object = "Service " + candidate.namespace() + "/" + candidate.service();
        Map<String, Integer> answers = new TreeMap<>();
        int matching = 0;
        try (ServiceAddress address = resolver.resolve(candidate.namespace(), candidate.service(), null)) {
            URI url = address.baseUrl().resolve(path);
            for (int i = 0; i < requests; i++) {
                String got;
                try {
                    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    String fromHeader = header == null ? null : response.headers().firstValue(header).orElse(null);
                    got = response.statusCode() / 100 != 2 ? "HTTP " + response.statusCode()
                            : fromHeader != null ? fromHeader.strip() : response.body().strip();
                } catch (IOException e) {
                    got = "no answer (" + e.getClass().getSimpleName() + ")";
                }
                answers.merge(got, 1, Integer::sum);
                if (want.equals(got)) {
                    matching++;
                }
            }
        } catch (RuntimeException e) {
            return GateResult.failed(object + " cannot be reached: " + e.getMessage());
        }
        String what = matching + " of " + requests + " requests to " + object + " /" + path + " answered " + want;
        GateResult result = matching == requests ? GateResult.passed(what)
                : GateResult.failed(what + "; answers: " + answers);
        return result.withMeasurement("matching", matching).withMeasurement("requests", requests);
    }

    @Override
    public String name() {
        return "version";
    }
}
