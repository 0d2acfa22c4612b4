package dev.bluegreen.fabric8;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.CustomStep;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Outcome;
import dev.bluegreen.ReleaseEngine;
import dev.bluegreen.ReleasePlan;
import dev.bluegreen.ReleaseResult;
import dev.bluegreen.Retention;
import dev.bluegreen.StandardStep;
import dev.bluegreen.StepStatus;
import dev.bluegreen.TimeSource;
import dev.bluegreen.testkit.BlueGreenApp;
import dev.bluegreen.testkit.PodBehavior;
import dev.bluegreen.testkit.SimulatedCluster;
import dev.bluegreen.testkit.SimulatedClusterExtension;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Migration Jobs (expand/contract) as release steps: success, failure before traffic moves, compensation. */
@ExtendWith(SimulatedClusterExtension.class)
class JobStepTest {
    private SimulatedCluster cluster;
    private KubernetesClient client;
    private BlueGreenApp app;
    private BlueGreenConventions conventions;
    private final ManualTimeSource time = TimeSource.manual(Instant.parse("2026-01-01T00:00:00Z"));
    private final ReleaseEngine engine = ReleaseEngine.builder().time(time).build();

    @BeforeEach
    void createApp(SimulatedCluster simulated) {
        cluster = simulated;
        client = cluster.client();
        app = BlueGreenApp.named("myapp").image("myapp:v1").replicas(2).create(cluster);
        conventions = BlueGreenConventions.forApp("myapp").namespace(app.namespace()).build();
        cluster.markImage("migrate:expand", PodBehavior.succeedsAfter(Duration.ofSeconds(10))
                .withLogLines("ALTER TABLE orders ADD COLUMN currency text", "expand done"));
        cluster.markImage("migrate:contract", PodBehavior.succeedsAfter(Duration.ofSeconds(10))
                .withLogLines("ALTER TABLE orders DROP COLUMN legacy_total", "contract done"));
        cluster.markImage("migrate:undo", PodBehavior.succeedsAfter(Duration.ofSeconds(5)).withLogLines("rollback.sql applied"));
        cluster.markImage("migrate:broken", PodBehavior.failsAfter(Duration.ofSeconds(5), 1)
                .withLogLines("applying 042_add_currency.sql", "ERROR: column \"currency\" already exists"));
    }

    private ReleasePlan.Builder plan(String version) {
        return KubernetesBlueGreen.serviceSelectorPlan(client, conventions).version(version)
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(1)));
    }

    private static Job job(String name, String image) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(5L)
                .addNewContainer().withName("migrate").withImage(image).endContainer()
                .endSpec().endTemplate().endSpec()
                .build();
    }

    private List<Job> jobs(String prefix) {
        return client.batch().v1().jobs().inNamespace(app.namespace()).list().getItems().stream()
                .filter(j -> j.getMetadata().getName().startsWith(prefix + "-")).toList();
    }

    private static boolean succeeded(Job job) {
        return job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() == 1;
    }

    private String selectedColor() {
        return client.services().inNamespace(app.namespace()).withName("myapp-service").get().getSpec().getSelector().get("version");
    }

    @Test
    void theExpandJobRunsBeforeTheDeployAndTheContractJobAfterTheOldColorIsGone() {
        CustomStep expand = JobStep.named("migrate-expand", client).job(job("orders-expand", "migrate:expand")).build();
        CustomStep contract = JobStep.named("migrate-contract", client).job(job("orders-contract", "migrate:contract")).build();

        ReleaseResult result = engine.run(plan("myapp:v2")
                .stepBefore(StandardStep.DEPLOY, expand)
                .stepAfter(StandardStep.RETIRE_PREVIOUS, contract)
                .build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        List<String> order = result.timeline().stream().map(s -> s.name()).toList();
        assertTrue(order.indexOf("migrate-expand") < order.indexOf("deploy"), order.toString());
        assertTrue(order.indexOf("migrate-contract") > order.indexOf("retire-previous"), order.toString());
        assertEquals(StepStatus.SUCCEEDED, result.step("migrate-expand").orElseThrow().status());
        assertEquals(1, jobs("orders-expand").size());
        assertTrue(succeeded(jobs("orders-expand").get(0)));
        assertTrue(jobs("orders-expand").get(0).getMetadata().getName().matches("orders-expand-[a-z0-9]{5}"));
        assertTrue(succeeded(jobs("orders-contract").get(0)));
        assertEquals("green", selectedColor());
    }

    @Test
    void aFailedExpandJobAbortsTheReleaseBeforeTrafficMovesWithTheJobsLastLogLines() {
        CustomStep expand = JobStep.named("migrate-expand", client).job(job("orders-expand", "migrate:broken")).build();

        ReleaseResult result = engine.run(plan("myapp:v2").stepBefore(StandardStep.DEPLOY, expand).build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals("blue", selectedColor());
        assertEquals("myapp:v1", client.apps().deployments().inNamespace(app.namespace()).withName("myapp-green").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), "nothing was deployed");
        String message = result.error().orElseThrow().getMessage();
        assertTrue(message.contains("the job of step 'migrate-expand' of " + app.namespace() + "/myapp did not succeed: Job "
                + app.namespace() + "/orders-expand-"), message);
        assertTrue(message.contains("failed (BackoffLimitExceeded"), message);
        assertTrue(message.endsWith("last log lines:\n  applying 042_add_currency.sql\n"
                + "  ERROR: column \"currency\" already exists"), message);
    }

    @Test
    void whenTheReleaseFailsAfterTheExpandJobItsCompensationJobRuns() {
        CustomStep expand = JobStep.named("migrate-expand", client).job(job("orders-expand", "migrate:expand"))
                .compensation(job("orders-undo", "migrate:undo")).build();

        ReleaseResult result = engine.run(plan("myapp:v2").stepBefore(StandardStep.DEPLOY, expand)
                .preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("GET /checkout answered 500")))
                .build());

        assertEquals(Outcome.ABORTED, result.outcome(), result::summary);
        assertEquals(1, jobs("orders-undo").size(), result::summary);
        assertTrue(succeeded(jobs("orders-undo").get(0)), result::summary);
        assertEquals("blue", selectedColor());
    }

    @Test
    void aFailedCompensationJobIsReported() {
        CustomStep expand = JobStep.named("migrate-expand", client).job(job("orders-expand", "migrate:expand"))
                .compensation(job("orders-undo", "migrate:broken")).build();

        ReleaseResult result = engine.run(plan("myapp:v2").stepBefore(StandardStep.DEPLOY, expand)
                .preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.failed("GET /checkout answered 500")))
                .build());

        assertEquals(Outcome.FAILED, result.outcome(), result::summary);
        assertTrue(result.summary().contains("ERROR: column \\\"currency\\\" already exists")
                || result.summary().contains("ERROR: column \"currency\" already exists"), result::summary);
    }

    @Test
    void aFailedContractJobAfterTheOldColorIsGoneIsAWarningOfTheCommittedRelease() {
        CustomStep contract = JobStep.named("migrate-contract", client).job(job("orders-contract", "migrate:broken")).build();

        ReleaseResult result = engine.run(plan("myapp:v2").stepAfter(StandardStep.RETIRE_PREVIOUS, contract).build());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result::summary);
        assertEquals("green", selectedColor());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("the job of step 'migrate-contract'")
                && w.contains("ERROR: column \"currency\" already exists")), result::summary);
    }

    @Test
    void aJobWithoutContainersOrWithRestartPolicyAlwaysIsRejectedBeforeAnyRelease() {
        Job always = job("x", "migrate:expand");
        always.getSpec().getTemplate().getSpec().setRestartPolicy("Always");

        assertEquals("job of step 'migrate' must have spec.template.spec.restartPolicy Never or OnFailure (as the API "
                        + "server requires for Jobs), but had 'Always'",
                assertThrows(ConfigurationException.class, () -> JobStep.named("migrate", client).job(always)).getMessage());
        assertEquals("job of step 'migrate' must have spec.template.spec.containers with at least one container, but had none",
                assertThrows(ConfigurationException.class, () -> JobStep.named("migrate", client).job(new Job())).getMessage());
        assertThrows(ConfigurationException.class, () -> JobStep.named("migrate", client).build());
    }
}
