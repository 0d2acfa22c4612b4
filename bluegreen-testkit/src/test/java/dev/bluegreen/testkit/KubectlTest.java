package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubectl on the PATH against a simulated cluster, through its own process and a kubeconfig written by
 * {@link SimulatedCluster#writeKubeconfig}: each command a blue-green guide uses behaves as on a real cluster.
 * Skipped locally without kubectl; with {@code CI=true} a missing kubectl fails.
 */
class KubectlTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path directory;
    private SimulatedCluster cluster;
    private Kubectl kubectl;

    @BeforeEach
    void start() {
        Path executable = KubectlOnPath.require();
        cluster = SimulatedCluster.start();
        BlueGreenApp.named("myapp").image("registry.example.com/myapp:v1").replicas(3).create(cluster);
        kubectl = Kubectl.against(executable, cluster, directory);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void versionReportsTheSimulatedServer() {
        Kubectl.Result version = ok("version", "-o", "json");

        assertTrue(version.stdout().matches("(?s).*\"serverVersion\": \\{.*\"major\": \"1\",.*\"minor\": \"32\",.*"
                + "\"gitVersion\": \"v1\\.32\\.\\d+.*"), version.stdout());
    }

    @Test
    void getPrintsTheServersColumns() {
        Kubectl.Result deployments = ok("get", "deployments");
        assertLines(deployments.stdout(),
                "NAME +READY +UP-TO-DATE +AVAILABLE +AGE",
                "myapp-blue +3/3 +3 +3 +\\d+[smh].*",
                "myapp-green +0/0 +0 +0 +\\d+[smh].*");

        Kubectl.Result wide = ok("get", "services", "-o", "wide");
        assertLines(wide.stdout(),
                "NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE +SELECTOR",
                "myapp-service +ClusterIP +10\\.96\\.\\d+\\.\\d+ +<none> +80/TCP +\\S+ +app=myapp,version=blue");

        Kubectl.Result pods = ok("get", "pods", "-l", "version=blue");
        assertLines(pods.stdout(),
                "NAME +READY +STATUS +RESTARTS +AGE",
                "myapp-blue-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\S+",
                "myapp-blue-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\S+",
                "myapp-blue-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\S+");

        Kubectl.Result endpoints = ok("get", "endpoints", "myapp-service");
        assertLines(endpoints.stdout(),
                "NAME +ENDPOINTS +AGE",
                "myapp-service +10\\.244\\.\\d+\\.\\d+:8080,10\\.244\\.\\d+\\.\\d+:8080,10\\.244\\.\\d+\\.\\d+:8080 +\\S+");
    }

    @Test
    void getAsYamlAndJsonPathShowTheStoredObject() {
        Kubectl.Result yaml = ok("get", "deployment", "myapp-blue", "-o", "yaml");
        assertTrue(yaml.stdout().startsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"), yaml.stdout());
        assertTrue(yaml.stdout().contains("\n  replicas: 3\n"), yaml.stdout());
        assertTrue(yaml.stdout().contains("image: registry.example.com/myapp:v1"), yaml.stdout());

        assertEquals("blue", ok("get", "service", "myapp-service", "-o", "jsonpath={.spec.selector.version}").stdout());
        // The guide's script counts the running pods this way.
        Kubectl.Result running = ok("get", "pods", "-l", "app=myapp,version=blue", "-o",
                "jsonpath={.items[?(@.status.phase==\"Running\")].metadata.name}");
        assertEquals(3, running.stdout().trim().split("\\s+").length, running.stdout());
    }

    @Test
    void patchWithTheDefaultStrategicTypeMergesTheSelector() {
        Kubectl.Result patch = ok("patch", "service", "myapp-service", "-p", "{\"spec\":{\"selector\":{\"version\":\"green\"}}}");

        assertEquals("service/myapp-service patched\n", patch.stdout());
        Service service = cluster.client().services().withName("myapp-service").get();
        assertEquals(Map.of("app", "myapp", "version", "green"), service.getSpec().getSelector());
        assertEquals("service/myapp-service patched (no change)\n",
                ok("patch", "service", "myapp-service", "-p", "{\"spec\":{\"selector\":{\"version\":\"green\"}}}").stdout());
    }

    @Test
    void scaleSetImageAndRolloutStatusRollTheDeploymentOut() {
        assertEquals("deployment.apps/myapp-green scaled\n", ok("scale", "deployment", "myapp-green", "--replicas=2").stdout());
        assertTrue(ok("rollout", "status", "deployment/myapp-green", "--timeout=60s").stdout()
                .endsWith("deployment \"myapp-green\" successfully rolled out\n"));
        assertEquals(2, cluster.client().apps().deployments().withName("myapp-green").get().getStatus().getReadyReplicas());

        assertEquals("deployment.apps/myapp-green image updated\n",
                ok("set", "image", "deployment/myapp-green", "myapp=registry.example.com/myapp:v2").stdout());
        Kubectl.Result status = ok("rollout", "status", "deployment/myapp-green", "--timeout=60s");
        assertTrue(status.stdout().endsWith("deployment \"myapp-green\" successfully rolled out\n"), status.stdout());
        Deployment green = cluster.client().apps().deployments().withName("myapp-green").get();
        assertEquals("registry.example.com/myapp:v2", green.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(2, green.getStatus().getUpdatedReplicas());
        assertEquals("2", green.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));

        Kubectl.Result replicaSets = ok("get", "replicasets", "-l", "version=green", "-o", "wide");
        assertTrue(replicaSets.stdout().matches("(?s).*myapp-green-\\S+ +2 +2 +2 +\\S+ +myapp +registry\\.example\\.com/myapp:v2 .*"),
                replicaSets.stdout());
    }

    @Test
    void describeRolloutHistoryAndUndoReadThroughKubectlsTypedClients() {
        Kubectl.Result describe = ok("describe", "deployment", "myapp-blue");
        assertTrue(describe.stdout().contains("Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable"),
                describe.stdout());
        assertTrue(describe.stdout().matches("(?s).*Normal +ScalingReplicaSet +\\S+ +deployment-controller +Scaled up replica "
                + "set myapp-blue-\\S+ from 0 to 3\n.*"), describe.stdout());

        ok("set", "image", "deployment/myapp-blue", "myapp=registry.example.com/myapp:v2");
        ok("rollout", "status", "deployment/myapp-blue", "--timeout=60s");
        assertLines(ok("rollout", "history", "deployment/myapp-blue").stdout(),
                "deployment.apps/myapp-blue ", "REVISION +CHANGE-CAUSE", "1 +<none>", "2 +<none>");

        assertEquals("deployment.apps/myapp-blue rolled back\n", ok("rollout", "undo", "deployment/myapp-blue").stdout());
        ok("rollout", "status", "deployment/myapp-blue", "--timeout=60s");
        assertEquals("registry.example.com/myapp:v1", cluster.client().apps().deployments().withName("myapp-blue").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void exposeCreatesAServiceSelectingTheDeploymentsPods() {
        ok("scale", "deployment", "myapp-green", "--replicas=2");
        Kubectl.Result expose = ok("expose", "deployment", "myapp-green", "--name=myapp-green-test", "--port=80",
                "--target-port=8080", "--type=ClusterIP");

        assertEquals("service/myapp-green-test exposed\n", expose.stdout());
        Service service = cluster.client().services().withName("myapp-green-test").get();
        assertEquals(Map.of("app", "myapp", "version", "green"), service.getSpec().getSelector());
        assertEquals(8080, service.getSpec().getPorts().get(0).getTargetPort().getIntVal());
        cluster.awaitEndpoints("default", "myapp-green-test",
                e -> e.getSubsets().stream().mapToInt(s -> s.getAddresses().size()).sum() == 2, WAIT);
    }

    @Test
    void applyCreatesThenUpdatesWithoutValidateFalse() {
        String manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.25
                        env: [{name: A, value: "1"}, {name: B, value: "2"}]
                      - name: sidecar
                        image: busybox:1.36
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: web-config
                data:
                  mode: blue
                """;
        Kubectl.Result created = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertEquals(0, created.exitCode(), created.toString());
        assertEquals("deployment.apps/web created\nconfigmap/web-config created\n", created.stdout());

        String changed = manifest.replace("nginx:1.25", "nginx:1.26").replace("{name: B, value: \"2\"}", "{name: C, value: \"3\"}")
                .replace("mode: blue", "mode: green");
        Kubectl.Result updated = kubectl.runWithInput(changed, "apply", "-f", "-");
        assertEquals(0, updated.exitCode(), updated.toString());
        assertEquals("deployment.apps/web configured\nconfigmap/web-config configured\n", updated.stdout());
        Deployment web = cluster.client().apps().deployments().withName("web").get();
        var container = web.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("nginx:1.26", container.getImage());
        assertEquals(List.of("A=1", "C=3"), container.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList());
        assertEquals("busybox:1.36", web.getSpec().getTemplate().getSpec().getContainers().get(1).getImage());
        assertEquals("green", cluster.client().configMaps().withName("web-config").get().getData().get("mode"));

        Kubectl.Result again = kubectl.runWithInput(changed, "apply", "-f", "-");
        assertEquals("deployment.apps/web unchanged\nconfigmap/web-config unchanged\n", again.stdout(), again.toString());
    }

    @Test
    void applyValidatesFieldsOnTheServerAsKubectlAsksWithoutValidateFalse() {
        String typo = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: typo
                date:
                  mode: blue
                """;
        Kubectl.Result refused = kubectl.runWithInput(typo, "apply", "-f", "-");

        assertEquals(1, refused.exitCode(), refused.toString());
        assertEquals("Error from server (BadRequest): error when creating \"STDIN\": ConfigMap in version \"v1\" cannot be "
                + "handled as a ConfigMap: strict decoding error: unknown field \"date\"\n", refused.stderr());
        assertNull(cluster.client().configMaps().withName("typo").get());

        Kubectl.Result warned = kubectl.runWithInput(typo, "apply", "--validate=warn", "-f", "-");
        assertEquals("configmap/typo created\n", warned.stdout(), warned.toString());
        assertEquals("Warning: unknown field \"date\"\n", warned.stderr());
        assertFalse(cluster.client().configMaps().withName("typo").get().getAdditionalProperties().containsKey("date"),
                "unknown fields are not stored");
    }

    @Test
    void deleteRemovesTheObjectAndWhatItOwned() {
        Kubectl.Result deleted = ok("delete", "deployment", "myapp-blue");

        assertEquals("deployment.apps \"myapp-blue\" deleted\n", deleted.stdout());
        assertNull(cluster.client().apps().deployments().withName("myapp-blue").get());
        cluster.awaitSettled(WAIT);
        assertTrue(cluster.client().pods().withLabel("version", "blue").list().getItems().isEmpty());
        Kubectl.Result missing = kubectl.run("get", "deployment", "myapp-blue");
        assertEquals(1, missing.exitCode());
        assertEquals("Error from server (NotFound): deployments.apps \"myapp-blue\" not found\n", missing.stderr());
    }

    @Test
    void getWatchPrintsTheListThenEachChange() throws Exception {
        Process watch = kubectl.start("get", "deployments", "-w");
        PrintedLines lines = new PrintedLines();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.start();
        try {
            lines.await(printed -> printed.size() >= 3, "the header and the two Deployments");
            assertLines(String.join("\n", lines.snapshot().subList(0, 3)),
                    "NAME +READY +UP-TO-DATE +AVAILABLE +AGE", "myapp-blue +3/3 +3 +3 +\\S+", "myapp-green +0/0 +0 +0 +\\S+");

            ok("scale", "deployment", "myapp-green", "--replicas=1");
            cluster.awaitDeployment("default", "myapp-green", DeploymentConditions.rolloutComplete(), WAIT);
            Pattern scaled = Pattern.compile("myapp-green +1/1 +1 +1 +\\S+");
            List<String> printed = lines.await(all -> all.stream().anyMatch(l -> scaled.matcher(l).matches()),
                    "a line like '" + scaled + "'");
            // Nothing the list showed is printed again: the watch starts after the list's resourceVersion.
            assertEquals(1, printed.stream().filter(l -> l.startsWith("myapp-blue")).count(), printed.toString());
            assertTrue(printed.stream().skip(3).allMatch(l -> l.startsWith("myapp-green ")), printed.toString());
        } finally {
            watch.destroy();
            watch.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Kubectl.Result ok(String... args) {
        Kubectl.Result result = kubectl.run(args);
        assertEquals(0, result.exitCode(), "kubectl " + String.join(" ", args) + ": " + result);
        return result;
    }

    private static void assertLines(String output, String... patterns) {
        String[] lines = output.split("\n");
        assertEquals(patterns.length, lines.length, output);
        for (int i = 0; i < patterns.length; i++) {
            assertTrue(lines[i].matches(patterns[i]), "line " + (i + 1) + " '" + lines[i] + "' does not match '" + patterns[i]
                    + "' in:\n" + output);
        }
    }

    /** The lines a process printed so far, with a wait for a condition on them (no polling). */
    private static final class PrintedLines {
        private final List<String> lines = new ArrayList<>();

        synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        synchronized List<String> snapshot() {
            return List.copyOf(lines);
        }

        synchronized List<String> await(java.util.function.Predicate<List<String>> condition, String what)
                throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!condition.test(lines)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("kubectl get -w did not print " + what + " within " + WAIT + ": " + lines);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return List.copyOf(lines);
        }
    }
}
