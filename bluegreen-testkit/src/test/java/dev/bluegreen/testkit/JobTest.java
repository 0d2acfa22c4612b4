package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** batch/v1 Jobs run as the Job controller runs them: pods, completions, failures, back-off limit, deadline, logs. */
@ExtendWith(SimulatedClusterExtension.class)
class JobTest {

    /** Roomy: the machine may be shared with other builds; the Jobs here take well under a second of real time. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aJobWhosePodSucceedsIsCompleteWithItsCountsTimesAndConditions(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("migrate:v1", PodBehavior.succeedsAfter(Duration.ofSeconds(20)).withLogLines("migrated 3 tables"));

        client.batch().v1().jobs().resource(job("migrate", "migrate:v1", "Never")).create();
        Job done = cluster.awaitJob("default", "migrate", finished(), TIMEOUT);

        assertEquals(1, done.getStatus().getSucceeded());
        assertNull(done.getStatus().getFailed(), "no failure");
        assertNull(done.getStatus().getActive(), "nothing runs any more");
        assertEquals(0, done.getStatus().getReady());
        assertEquals(List.of("SuccessCriteriaMet", "Complete"), types(done));
        JobCondition complete = condition(done, "Complete");
        assertEquals("True", complete.getStatus());
        assertEquals("CompletionsReached", complete.getReason());
        assertEquals("Reached expected number of succeeded pods", complete.getMessage());
        Instant started = Instant.parse(done.getStatus().getStartTime());
        Instant completed = Instant.parse(done.getStatus().getCompletionTime());
        assertFalse(completed.isBefore(started.plusSeconds(20)), "the container ran 20 s: " + started + " .. " + completed);

        // The API server's defaults and generated selector, and the pod the controller made.
        String uid = done.getMetadata().getUid();
        assertEquals(6, done.getSpec().getBackoffLimit());
        assertEquals(1, done.getSpec().getCompletions());
        assertEquals(1, done.getSpec().getParallelism());
        assertEquals(Map.of("batch.kubernetes.io/controller-uid", uid), done.getSpec().getSelector().getMatchLabels());
        Pod pod = podsOf(client, "migrate").get(0);
        assertTrue(pod.getMetadata().getName().matches("migrate-[a-z0-9]{5}"), pod.getMetadata().getName());
        assertEquals("migrate", pod.getMetadata().getLabels().get("job-name"));
        assertEquals("migrate", pod.getMetadata().getLabels().get("batch.kubernetes.io/job-name"));
        assertEquals(uid, pod.getMetadata().getLabels().get("controller-uid"));
        assertEquals("Job", pod.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals(uid, pod.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("Succeeded", pod.getStatus().getPhase());
        assertEquals("Completed", pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason());
        assertEquals("migrated 3 tables\n", client.pods().withName(pod.getMetadata().getName()).getLog());
        assertEquals(List.of("SuccessfulCreate", "Completed"), reasons(client, done));
    }

    @Test
    void aJobWhosePodsKeepFailingFailsPastItsBackoffLimitAndKeepsItsFailedPodsAndTheirLogs(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("migrate:broken", PodBehavior.failsAfter(Duration.ofSeconds(5), 3)
                .withLogLines("applying migration 42", "ERROR: relation \"users\" already exists"));
        Job spec = job("migrate", "migrate:broken", "Never");
        spec.getSpec().setBackoffLimit(2);

        client.batch().v1().jobs().resource(spec).create();
        Job failed = cluster.awaitJob("default", "migrate", finished(), TIMEOUT);

        assertEquals(3, failed.getStatus().getFailed(), "the first pod and backoffLimit (2) more");
        assertNull(failed.getStatus().getSucceeded());
        assertEquals(List.of("FailureTarget", "Failed"), types(failed));
        JobCondition condition = condition(failed, "Failed");
        assertEquals("BackoffLimitExceeded", condition.getReason());
        assertEquals("Job has reached the specified backoff limit", condition.getMessage());
        assertNull(failed.getStatus().getCompletionTime());
        List<Pod> pods = podsOf(client, "migrate");
        assertEquals(3, pods.size(), "failed pods stay for their logs");
        pods.forEach(pod -> assertEquals("Failed", pod.getStatus().getPhase()));
        Pod last = pods.get(pods.size() - 1);
        var terminated = last.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(3, terminated.getExitCode());
        assertEquals("Error", terminated.getReason());
        // What an operator reads first: the failing migration's last line.
        assertEquals("ERROR: relation \"users\" already exists\n",
                client.pods().withName(last.getMetadata().getName()).tailingLines(1).getLog());
        // Upstream's back-off between failed pods: 10 s, then 20 s (simulated).
        Instant first = created(pods.get(0));
        Instant second = created(pods.get(1));
        Instant third = created(pods.get(2));
        assertTrue(!second.isBefore(first.plusSeconds(15)) && !third.isBefore(second.plusSeconds(25)),
                "pods created at " + first + ", " + second + ", " + third);
        Event backoff = events(client, failed).stream().filter(e -> e.getReason().equals("BackoffLimitExceeded")).findFirst()
                .orElseThrow();
        assertEquals("Warning", backoff.getType());
    }

    @Test
    void aJobThatRunsPastItsActiveDeadlineIsStoppedAndFailsWithDeadlineExceeded(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("report:slow", PodBehavior.succeedsAfter(Duration.ofHours(1)));
        Job spec = job("report", "report:slow", "Never");
        spec.getSpec().setActiveDeadlineSeconds(30L);

        client.batch().v1().jobs().resource(spec).create();
        Job failed = cluster.awaitJob("default", "report", finished(), TIMEOUT);

        JobCondition condition = condition(failed, "Failed");
        assertEquals("DeadlineExceeded", condition.getReason());
        assertEquals("Job was active longer than specified deadline", condition.getMessage());
        Instant started = Instant.parse(failed.getStatus().getStartTime());
        Instant target = Instant.parse(condition(failed, "FailureTarget").getLastTransitionTime());
        assertFalse(target.isBefore(started.plusSeconds(30)), "not before the deadline: " + started + " .. " + target);
        assertTrue(target.isBefore(started.plusSeconds(60)), "soon after the deadline: " + started + " .. " + target);
        assertEquals(1, failed.getStatus().getFailed(), "the pod it stopped counts as failed");
        assertNull(failed.getStatus().getActive());
        assertTrue(podsOf(client, "report").isEmpty(), "the running pod was deleted");
    }

    @Test
    void aJobWithAnInvalidTemplateIsRefusedAsTheApiServerRefusesIt(SimulatedCluster cluster) {
        Job spec = job("migrate", "migrate:v1", null);

        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> cluster.client().batch().v1().jobs().resource(spec).create());

        assertEquals(422, refused.getCode());
        assertEquals("Job.batch \"migrate\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": "
                + "supported values: \"OnFailure\", \"Never\"", refused.getStatus().getMessage());
    }

    @Test
    void aFinishedJobWithATtlIsDeletedWithItsPodsWhenTheTtlHasPassed(SimulatedCluster cluster) {
        KubernetesClient client = cluster.client();
        cluster.markImage("migrate:v1", PodBehavior.succeedsAfter(Duration.ofSeconds(1)));
        Job spec = job("migrate", "migrate:v1", "OnFailure");
        spec.getSpec().setTtlSecondsAfterFinished(30);

        client.batch().v1().jobs().resource(spec).create();
        Job done = cluster.awaitJob("default", "migrate", finished(), TIMEOUT);
        client.batch().v1().jobs().withName("migrate").waitUntilCondition(job -> job == null, TIMEOUT.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);

        assertFalse(cluster.clock().instant().isBefore(Instant.parse(done.getStatus().getCompletionTime()).plusSeconds(30)));
        cluster.awaitSettled(TIMEOUT);
        assertTrue(podsOf(client, "migrate").isEmpty(), "its pods went with it");
    }

    // ---- helpers ----

    static Job job(String name, String image, String restartPolicy) {
        return new JobBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .withRestartPolicy(restartPolicy)
                .withTerminationGracePeriodSeconds(5L)
                .addNewContainer().withName("main").withImage(image).endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static Predicate<Job> finished() {
        return job -> job.getStatus() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }

    private static JobCondition condition(Job job, String type) {
        return job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    private static List<String> types(Job job) {
        return job.getStatus().getConditions().stream().map(JobCondition::getType).toList();
    }

    static List<Pod> podsOf(KubernetesClient client, String job) {
        return client.pods().withLabel("job-name", job).list().getItems().stream()
                .sorted(Comparator.comparing(JobTest::created)).toList();
    }

    private static Instant created(Pod pod) {
        return Instant.parse(pod.getMetadata().getCreationTimestamp());
    }

    private static List<Event> events(KubernetesClient client, Job job) {
        return client.v1().events().list().getItems().stream()
                .filter(e -> job.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                .sorted(Comparator.comparing(Event::getFirstTimestamp)).toList();
    }

    private static List<String> reasons(KubernetesClient client, Job job) {
        assertNotNull(job.getMetadata().getUid());
        return events(client, job).stream().map(Event::getReason).toList();
    }
}
