package dev.bluegreen.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.Kubectl;
import dev.bluegreen.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blue-green guide's own automation script ({@code src/test/resources/guide/blue-green-deploy.sh}, the
 * guide's lines with only the cluster address and the smoke test URL changed) run end to end by bash and the
 * kubectl on the PATH against a simulated cluster set up as the guide's method 1 leaves it: myapp-blue and
 * myapp-green with 3 replicas each in namespace production, myapp-service selecting blue. It releases a healthy
 * image to green and switches traffic; for a broken image it takes its rollback path. The healthy run lasts
 * over 30 s: the script observes the new version for 30 s ({@code sleep 30}), as the guide wrote it.
 */
class GuideScriptTest {

    private static final String BROKEN = "myregistry/myapp:v2.1-broken";

    @TempDir
    Path directory;
    private SimulatedCluster cluster;
    private Kubectl kubectl;
    private SmokeTestStandIn smokeTests;

    @BeforeEach
    void setUp() throws IOException {
        Path executable = KubectlOnPath.require();
        cluster = SimulatedCluster.start();
        BlueGreenApp.named("myapp").namespace("production").image("myregistry/myapp:v1.0").replicas(3).idleReplicas(3)
                .create(cluster);
        kubectl = Kubectl.against(executable, cluster, directory);
        smokeTests = new SmokeTestStandIn(cluster, Set.of(BROKEN));
        Path scripts = Files.createDirectories(directory.resolve("scripts"));
        Path smokeTest = scripts.resolve("smoke-test.sh");
        Files.writeString(smokeTest, """
                #!/bin/bash
                # Stand-in for the guide's ./scripts/smoke-test.sh, which the guide does not show: GET <url>/health
                # (with bash alone, no curl needed) and succeed on HTTP 200.
                url="$1"
                rest="${url#http://}"
                hostport="${rest%%/*}"
                path="/${rest#*/}/health"
                exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
                printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' "$path" "$hostport" >&3
                read -r _ status _ <&3
                echo "smoke test: GET $url/health -> $status"
                [ "$status" = "200" ]
                """);
        assertTrue(smokeTest.toFile().setExecutable(true));
    }

    @AfterEach
    void tearDown() {
        if (smokeTests != null) {
            smokeTests.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aHealthyImageIsReleasedToGreenAndTrafficSwitches() throws Exception {
        Run run = runScript("v2.0");

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("📍 当前颜色: blue"), run.output());
        assertTrue(run.output().contains("deployment \"myapp-green\" successfully rolled out"), run.output());
        assertTrue(run.output().contains("service/myapp-green-test created"), run.output());
        assertTrue(run.output().contains("smoke test: GET " + smokeTests.baseUrl()
                + "/myapp-green-test.production.svc.cluster.local/health -> 200"), run.output());
        assertTrue(run.output().contains("✅ 流量已切换到 green 环境"), run.output());
        assertFalse(run.output().contains("⚠️ 警告"), "every green pod runs: " + run.output());
        assertTrue(run.output().contains("✅ 蓝绿发布完成!"), run.output());

        assertEquals("green", selectorVersion());
        assertEquals("myregistry/myapp:v2.0", cluster.client().apps().deployments().inNamespace("production")
                .withName("myapp-green").get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertNull(cluster.client().services().inNamespace("production").withName("myapp-green-test").get());
        assertEquals(List.of("myapp-green-test.production.svc.cluster.local -> 200"), smokeTests.answered());
    }

    @Test
    void aBrokenImageFailsTheSmokeTestAndTheScriptRollsBack() throws Exception {
        Run run = runScript("v2.1-broken");

        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("deployment \"myapp-green\" successfully rolled out"), run.output());
        assertTrue(run.output().contains("-> 500"), run.output());
        assertTrue(run.output().contains("❌ 冒烟测试失败,回滚部署"), run.output());
        assertTrue(run.output().contains("service \"myapp-green-test\" deleted"), run.output());
        assertFalse(run.output().contains("切换流量"), "traffic must not switch: " + run.output());

        assertEquals("blue", selectorVersion());
        assertNull(cluster.client().services().inNamespace("production").withName("myapp-green-test").get());
        assertEquals(List.of("myapp-green-test.production.svc.cluster.local -> 500"), smokeTests.answered());
    }

    private String selectorVersion() {
        return cluster.client().services().inNamespace("production").withName("myapp-service").get()
                .getSpec().getSelector().get("version");
    }

    private record Run(int exitCode, String output) {
    }

    private Run runScript(String version) throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/guide/blue-green-deploy.sh").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), version)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DEMO_KUBECONFIG", kubectl.kubeconfig().toString());
        builder.environment().putAll(kubectl.environment());
        builder.environment().put("SMOKE_TEST_BASE_URL", smokeTests.baseUrl());
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                output.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append("(could not read the output: ").append(e).append(')');
            }
        });
        reader.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            reader.join(5_000);
            throw new AssertionError("the guide's script did not end within 3 minutes:\n" + output);
        }
        reader.join(10_000);
        System.out.println("--- bash blue-green-deploy.sh " + version + " (exit " + process.exitValue() + ")\n" + output);
        return new Run(process.exitValue(), output.toString());
    }

    /**
     * STAND-IN for the loopback HTTP data plane the testkit is getting (another branch): answers
     * {@code GET /<service>.<namespace>.svc.cluster.local/...} for the Service of that name with 200 when its
     * ready pods run a healthy image, 500 when any runs an image this test calls broken, and 503 when the
     * Service is missing or has no ready pod. It reads the pods from the cluster at each request, so it follows
     * what the script did (the test Service it exposed, the image it set). Once the data plane exists, the
     * script's SMOKE_TEST_BASE_URL is to point at it instead.
     */
    private static final class SmokeTestStandIn implements AutoCloseable {
        private final SimulatedCluster cluster;
        private final Set<String> brokenImages;
        private final HttpServer server;
        private final List<String> answered = new CopyOnWriteArrayList<>();

        SmokeTestStandIn(SimulatedCluster cluster, Set<String> brokenImages) throws IOException {
            this.cluster = cluster;
            this.brokenImages = brokenImages;
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
        }

        List<String> answered() {
            return answered;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String host = exchange.getRequestURI().getPath().substring(1).split("/")[0];
            String[] parts = host.split("\\.");
            int code;
            String body;
            Service service = parts.length < 2 ? null
                    : cluster.client().services().inNamespace(parts[1]).withName(parts[0]).get();
            if (service == null) {
                code = 503;
                body = "no Service " + host;
            } else {
                List<Pod> ready = cluster.client().pods().inNamespace(parts[1]).withLabels(service.getSpec().getSelector())
                        .list().getItems().stream()
                        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                        .filter(pod -> pod.getStatus() != null && pod.getStatus().getConditions().stream()
                                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                        .toList();
                List<String> images = ready.stream().map(pod -> pod.getSpec().getContainers().get(0).getImage()).distinct().toList();
                if (ready.isEmpty()) {
                    code = 503;
                    body = "no ready endpoint for " + host;
                } else if (images.stream().anyMatch(brokenImages::contains)) {
                    code = 500;
                    body = "internal error from " + images;
                } else {
                    code = 200;
                    body = "ok from " + images;
                }
            }
            answered.add(host + " -> " + code);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
