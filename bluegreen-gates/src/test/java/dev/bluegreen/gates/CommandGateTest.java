package dev.bluegreen.gates;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command gate running real shell scripts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandGateTest {
    private final Contexts contexts = new Contexts();

    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /**
     * A script that starts a child ignoring SIGTERM, which keeps the script's output open and
     * would outlive a naive kill of the script, prints the child's pid, then waits forever.
     */
    private Path spawner() throws Exception {
        return script("spawner.sh", "( trap '' TERM; exec sleep 300 ) &\n"
                + "echo \"child $!\"\n"
                + "echo \"$!\" > \"$PID_FILE\"\n"
                + "sleep 300\n");
    }

    @Test
    void passesWhenTheProgramExitsZeroAndGetsTheTargetUrlAsArgumentAndEnvironment() throws Exception {
        Path smoke = script("smoke-test.sh", "echo \"testing $1 (env $BLUEGREEN_TARGET_URL)\"\n"
                + "echo \"release $BLUEGREEN_RELEASE_ID of $BLUEGREEN_NAMESPACE/$BLUEGREEN_APP: $BLUEGREEN_VERSION on "
                + "$BLUEGREEN_COLOR (was $BLUEGREEN_PREVIOUS_COLOR) at $BLUEGREEN_STAGE, token $API_TOKEN\"\n");

        GateResult result = CommandGate.builder("smoke-test").command(smoke.toString())
                .targetUrl(context -> "http://myapp-" + context.candidate().color().name() + ".shop.svc:8080")
                .environment("API_TOKEN", "t0k3n").build().evaluate(contexts.context());

        assertEquals(GateStatus.PASSED, result.status(), result::toString);
        assertTrue(result.reason().startsWith("'" + smoke + " http://myapp-green.shop.svc:8080' exited 0 in "), result.reason());
        assertTrue(result.reason().endsWith("; all 2 lines of output:\n"
                + "testing http://myapp-green.shop.svc:8080 (env http://myapp-green.shop.svc:8080)\n"
                + "release r-42 of shop/myapp: myapp:v2 on green (was blue) at PRE_SWITCH, token t0k3n"), result.reason());
        assertEquals(0, result.measurements().get("exit_code"));
    }

    @Test
    void failsOnANonZeroExitKeepingTheTailOfItsOutput() throws Exception {
        Path failing = script("integration-test.sh", "for i in $(seq 1 30); do echo \"check $i ok\"; done\n"
                + "echo 'checkout returned 500' >&2\n"
                + "exit 3\n");

        GateResult result = CommandGate.builder("integration-test").command(failing.toString()).outputLines(3)
                .build().evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().startsWith("'" + failing + "' exited 3 in "), result.reason());
        assertTrue(result.reason().endsWith("; last 3 of 31 lines of output:\ncheck 29 ok\ncheck 30 ok\n"
                + "checkout returned 500"), result.reason());
        assertEquals(3, result.measurements().get("exit_code"));
    }

    @Test
    void passesTheUrlOnlyTheWayItIsAskedTo() throws Exception {
        Path echo = script("echo.sh", "echo \"args=$# env=${BLUEGREEN_TARGET_URL:-none}\"\n");

        GateResult env = CommandGate.builder("echo").command(echo.toString()).targetUrl("http://x")
                .passUrlAs(CommandGate.UrlPassing.ENVIRONMENT).build().evaluate(contexts.context());
        GateResult arg = CommandGate.builder("echo").command(echo.toString(), "--verbose").targetUrl("http://x")
                .passUrlAs(CommandGate.UrlPassing.ARGUMENT).build().evaluate(contexts.context());

        assertTrue(env.reason().endsWith("output:\nargs=0 env=http://x"), env.reason());
        assertTrue(arg.reason().endsWith("output:\nargs=2 env=none"), arg.reason());
    }

    @Test
    void aProgramThatCannotBeStartedIsInconclusive() throws Exception {
        GateResult result = CommandGate.builder("missing").command(dir.resolve("no-such-script.sh").toString())
                .build().evaluate(contexts.context());

        assertEquals(GateStatus.INCONCLUSIVE, result.status());
        assertTrue(result.reason().startsWith("'" + dir.resolve("no-such-script.sh") + "' could not be started: "),
                result.reason());
    }

    @Test
    void aNaiveKillOfTheScriptLeavesItsChildRunning() throws Exception {
        // Why the gate kills the tree: destroying only the script leaves the child it started.
        Path pids = dir.resolve("naive.pid");
        ProcessBuilder builder = new ProcessBuilder(spawner().toString()).redirectErrorStream(true);
        builder.environment().put("PID_FILE", pids.toString());
        Process script = builder.start();
        long child;
        try (BufferedReader output = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
            child = Long.parseLong(output.readLine().substring("child ".length()));
            script.destroy();
            script.onExit().get(10, TimeUnit.SECONDS);
            Optional<ProcessHandle> orphan = ProcessHandle.of(child);
            try {
                assertTrue(orphan.isPresent() && orphan.get().isAlive(), "the child outlived the script's kill");
            } finally {
                orphan.ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aTimeoutKillsTheWholeProcessTreeEvenAChildThatIgnoresSigterm() throws Exception {
        Path pids = dir.resolve("gate.pid");
        CommandGate gate = CommandGate.builder("stuck").command(spawner().toString()).environment("PID_FILE", pids.toString())
                .timeout(Duration.ofSeconds(2)).killGrace(Duration.ofMillis(300)).build();

        GateResult result = gate.evaluate(contexts.context());

        assertEquals(GateStatus.FAILED, result.status());
        assertTrue(result.reason().startsWith("'" + gate.command().get(0) + "' did not finish within 2 s: killed it and "
                + "2 processes it started; "), result.reason());
        assertTrue(result.reason().contains("output:\nchild "), result.reason());
        assertEquals(2, result.measurements().get("killed_processes"));
        long child = Long.parseLong(Files.readString(pids).strip());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false),
                "the child that ignores SIGTERM was killed with the script");
    }

    @Test
    void stoppingTheGateKillsTheTreeAndEndsTheEvaluationWithTheInterrupt() throws Exception {
        Path pids = dir.resolve("stopped.pid");
        // Both children are running before the script says it started (a foreground sleep after the
        // announcement could still be starting when the gate is stopped).
        Path script = script("announce.sh", "( trap '' TERM; exec sleep 300 ) &\n"
                + "echo \"$!\" > \"$PID_FILE\"\n"
                + "sleep 300 &\n"
                + "echo started > \"$STARTED\"\n"
                + "wait\n");
        Path started = dir.resolve("started");
        Files.createFile(started);
        CommandGate gate = CommandGate.builder("stuck").command(script.toString()).environment("PID_FILE", pids.toString())
                .environment("STARTED", started.toString()).killGrace(Duration.ofMillis(300)).build();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        CountDownLatch running = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            running.countDown();
            try {
                gate.evaluate(contexts.context());
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        thread.start();
        running.await();
        // Wait for the script to say it started its child, by watching the file it writes.
        try (java.nio.file.WatchService watcher = dir.getFileSystem().newWatchService()) {
            dir.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            while (Files.size(started) == 0) {
                watcher.poll(10, TimeUnit.SECONDS);
            }
        }

        thread.interrupt();
        Throwable thrown = ended.get(30, TimeUnit.SECONDS);

        assertTrue(thrown instanceof InterruptedException, String.valueOf(thrown));
        assertTrue(thrown.getMessage().startsWith("gate 'stuck' was stopped while '" + script + "' ran; killed it and "
                + "2 processes it started"), thrown.getMessage());
        long child = Long.parseLong(Files.readString(pids).strip());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void itsBuilderRejectsBadValuesNamingThem() {
        assertEquals("command of gate 'smoke' is required but was not set",
                assertThrows(ConfigurationException.class, () -> CommandGate.builder("smoke").build()).getMessage());
        assertEquals("timeout of gate 'smoke' must be a positive duration, but was PT-1S",
                assertThrows(ConfigurationException.class, () -> CommandGate.builder("smoke")
                        .timeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("environment variable of gate 'smoke' must not contain '=', but was 'A=B'",
                assertThrows(ConfigurationException.class, () -> CommandGate.builder("smoke").environment("A=B", "c"))
                        .getMessage());
        assertEquals("output lines of gate 'smoke' must be at least 1, but was 0",
                assertThrows(ConfigurationException.class, () -> CommandGate.builder("smoke").outputLines(0)).getMessage());
        assertFalse(CommandGate.builder("smoke").command("true").environment("TOKEN", "s3cret").build().toString()
                .contains("s3cret"));
    }
}
