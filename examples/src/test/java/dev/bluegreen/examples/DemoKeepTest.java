package dev.bluegreen.examples;

import dev.bluegreen.testkit.Kubectl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code demo --keep}: after the release the cluster stays up, and kubectl reaches it with the printed kubeconfig. */
class DemoKeepTest {

    @TempDir
    Path directory;

    @Test
    void theKeptClusterAnswersKubectlWithThePrintedKubeconfig() {
        Path executable = KubectlOnPath.require();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        AtomicReference<Path> kept = new AtomicReference<>();
        AtomicReference<String> service = new AtomicReference<>();
        AtomicReference<Kubectl.Result> deployments = new AtomicReference<>();

        int code = Demo.run(new PrintStream(buffer, true, StandardCharsets.UTF_8), kubeconfig -> {
            kept.set(kubeconfig);
            Kubectl kubectl = Kubectl.withKubeconfig(executable, kubeconfig, directory);
            service.set(kubectl.run("get", "service", "myapp-service", "-o", "jsonpath={.spec.selector.version}").stdout());
            deployments.set(kubectl.run("get", "deployments"));
        });
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertEquals(0, code, output);
        assertTrue(output.contains("kubeconfig: " + kept.get() + " (context bluegreen-simulated, namespace default)"), output);
        assertTrue(output.contains("  export KUBECONFIG=" + kept.get() + "\n"), output);
        assertTrue(output.contains("Press Ctrl-C to stop the cluster."), output);
        assertEquals("green", service.get());
        assertTrue(deployments.get().stdout().matches("(?s)NAME +READY +UP-TO-DATE +AVAILABLE +AGE\n"
                + "myapp-blue +0/0 +0 +0 +\\S+\nmyapp-green +3/3 +3 +3 +\\S+\n"), deployments.get().toString());
        assertFalse(Files.exists(kept.get()), "the kubeconfig file is deleted when the cluster stops");
    }
}
