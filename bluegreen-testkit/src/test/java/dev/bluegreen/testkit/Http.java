package dev.bluegreen.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plain HTTP from the tests, with the JDK's client, so that the data plane is reached as any client would. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    static HttpResponse<String> get(URI base, String path) {
        try {
            return CLIENT.send(request(base, path), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static CompletableFuture<HttpResponse<String>> getAsync(URI base, String path) {
        return CLIENT.sendAsync(request(base, path), HttpResponse.BodyHandlers.ofString());
    }

    static String version(HttpResponse<?> response) {
        return response.headers().firstValue(HttpBehavior.VERSION_HEADER).orElse(null);
    }

    static String pod(HttpResponse<?> response) {
        return response.headers().firstValue(HttpBehavior.POD_HEADER).orElse(null);
    }

    /** Reads one sample of a Prometheus text exposition, e.g. {@code http_requests_total{status="200",...}}; 0 if absent. */
    static double metric(String exposition, String name, Map<String, String> labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(exposition);
        while (matcher.find()) {
            Map<String, String> actual = new java.util.HashMap<>();
            Matcher pair = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(matcher.group(1));
            while (pair.find()) {
                actual.put(pair.group(1), pair.group(2));
            }
            if (actual.equals(labels)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    private static HttpRequest request(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build();
    }
}
