package dev.bluegreen.examples;

import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.HttpBehavior;
import dev.bluegreen.testkit.Kubectl;
import dev.bluegreen.testkit.SimulatedCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blue-green guide's own automation script ({@code src/test/resources/guide/blue-green-deploy.sh}, the
 * guide's lines with only the cluster address changed) run end to end by bash and the
 * kubectl on the PATH against a simulated cluster set up as the guide's method 1 leaves it: myapp-blue and
 * myapp-green with 3 replicas each in namespace production, myapp-service selecting blue. It releases a healthy
 * image to green and switches traffic; for a broken image (its pods turn ready but answer every request with
 * a 500) it takes its rollback path. The smoke test's requests go through the data plane to the test Service's
 * ready pods. The healthy run lasts
 * over 30 s: the script observes the new version for 30 s ({@code sleep 30}), as the guide wrote it.
 */
class GuideScriptTest {

    private static final String BROKEN = "myregistry/myapp:v2.1-broken";

    @TempDir
    Path directory;
    private SimulatedCluster cluster;
    private Kubectl kubectl;
    private Path clusterDns;

    @BeforeEach
    void setUp() throws IOException {
        Path executable = KubectlOnPath.require();
        cluster = SimulatedCluster.start();
        BlueGreenApp.named("myapp").namespace("production").image("myregistry/myapp:v1.0").replicas(3).idleReplicas(3)
                .create(cluster);
        kubectl = Kubectl.against(executable, cluster, directory);
        // The broken image's pods start and turn ready, but answer every application request with a 500.
        cluster.markImage(BROKEN, HttpBehavior.DEFAULT.withErrorRatio(1.0));
        // What the cluster's DNS would answer for the test Services the script exposes: the data plane's local
        // address of each (reserved now, served from the moment the script creates the Service).
        clusterDns = directory.resolve("cluster-dns");
        StringBuilder hosts = new StringBuilder();
        for (String color : List.of("blue", "green")) {
            URI address = cluster.dataPlane().serviceUrl("production", "myapp-" + color + "-test");
            hosts.append("myapp-").append(color).append("-test.production.svc.cluster.local ")
                    .append(address.getHost()).append(':').append(address.getPort()).append('\n');
        }
        Files.writeString(clusterDns, hosts);
        Path scripts = Files.createDirectories(directory.resolve("scripts"));
        Path smokeTest = scripts.resolve("smoke-test.sh");
        Files.writeString(smokeTest, """
                #!/bin/bash
                # The guide's ./scripts/smoke-test.sh is not shown in the guide. This one takes the in-cluster DNS
                # name of a Service, resolves it through the CLUSTER_DNS file as a cluster's DNS would, sends
                # GET / (with bash alone, no curl needed) and succeeds on HTTP 200. A Service the script has just
                # created may have no ready endpoint yet (503, as on a real cluster until its endpoints are
                # published), so a 503 is retried for up to 10 seconds; any other status decides.
                name="$1"
                address=$(awk -v name="$name" '$1 == name { print $2 }' "${CLUSTER_DNS:?}")
                [ -n "$address" ] || { echo "smoke test: $name does not resolve"; exit 2; }
                for attempt in $(seq 1 50); do
                    exec 3<>"/dev/tcp/${address%:*}/${address##*:}"
                    printf 'GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' "$name" >&3
                    read -r _ status _ <&3
                    exec 3<&-
                    [ "$status" = "503" ] || break
                    sleep 0.2
                done
                echo "smoke test: GET http://$name/ -> $status"
                [ "$status" = "200" ]
                """);
        assertTrue(smokeTest.toFile().setExecutable(true));
    }

    @AfterEach
    void tearDown() {
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
        assertTrue(run.output().contains("smoke test: GET http://myapp-green-test.production.svc.cluster.local/ -> 200"),
                run.output());
        assertTrue(run.output().contains("✅ 流量已切换到 green 环境"), run.output());
        assertFalse(run.output().contains("⚠️ 警告"), "every green pod runs: " + run.output());
        assertTrue(run.output().contains("✅ 蓝绿发布完成!"), run.output());

        assertEquals("green", selectorVersion());
        assertEquals("myregistry/myapp:v2.0", cluster.client().apps().deployments().inNamespace("production")
                .withName("myapp-green").get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertNull(cluster.client().services().inNamespace("production").withName("myapp-green-test").get());
    }

    @Test
    void aBrokenImageFailsTheSmokeTestAndTheScriptRollsBack() throws Exception {
        Run run = runScript("v2.1-broken");

        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("deployment \"myapp-green\" successfully rolled out"), run.output());
        assertTrue(run.output().contains("smoke test: GET http://myapp-green-test.production.svc.cluster.local/ -> 500"),
                run.output());
        assertTrue(run.output().contains("❌ 冒烟测试失败,回滚部署"), run.output());
        assertTrue(run.output().contains("service \"myapp-green-test\" deleted"), run.output());
        assertFalse(run.output().contains("切换流量"), "traffic must not switch: " + run.output());

        assertEquals("blue", selectorVersion());
        assertNull(cluster.client().services().inNamespace("production").withName("myapp-green-test").get());
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
        builder.environment().put("CLUSTER_DNS", clusterDns.toString());
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
}
