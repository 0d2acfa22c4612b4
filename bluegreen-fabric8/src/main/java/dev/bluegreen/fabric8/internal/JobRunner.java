package dev.bluegreen.fabric8.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a Kubernetes Job from a template and waits, by watch, until it succeeds or fails; keeps the
 * last log lines of its last pod. Used by the Job gate and the migration steps.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private JobRunner() {
    }

    /**
     * How a Job ended.
     *
     * @param namespace its namespace
     * @param job       its name
     * @param succeeded whether it succeeded
     * @param reason    why it ended, e.g. {@code Complete} or {@code BackoffLimitExceeded: Job has reached the
     *                  specified backoff limit} or {@code did not finish within PT5M}
     * @param logTail   the last log lines of its last pod, oldest first
     */
    public record Outcome(String namespace, String job, boolean succeeded, String reason, List<String> logTail) {
        /** @return e.g. {@code Job shop/migrate-x7k2p failed (BackoffLimitExceeded: ...); last log lines:\n  ...} */
        public String describe() {
            return headline() + (logTail.isEmpty() ? "; no log lines" : "; last log lines:\n  " + String.join("\n  ", logTail));
        }

        /** @return e.g. {@code Job shop/migrate-x7k2p succeeded (Complete)} */
        public String headline() {
            return "Job " + namespace + "/" + job + (succeeded ? " succeeded" : " failed") + " (" + reason + ")";
        }
    }

    /**
     * @param client    the client
     * @param namespace where to run it when the template names no namespace
     * @param template  the Job to run; its name (or {@code baseName}) gets a random suffix so it can run again
     * @param baseName  the name when the template has none
     * @param timeout   how long to wait; the Job is deleted when it runs longer
     * @param tailLines how many log lines to keep
     * @return how it ended
     * @throws InterruptedException when interrupted while waiting; the Job is deleted first
     */
    public static Outcome run(KubernetesClient client, String namespace, Job template, String baseName, Duration timeout,
                              int tailLines) throws InterruptedException {
        String ns = template.getMetadata() != null && template.getMetadata().getNamespace() != null
                ? template.getMetadata().getNamespace() : namespace;
        String base = template.getMetadata() != null && template.getMetadata().getName() != null
                ? template.getMetadata().getName() : baseName;
        String name = (base.length() > 57 ? base.substring(0, 57) : base).replaceAll("-+$", "") + "-" + suffix();
        Job job = new JobBuilder(template).editOrNewMetadata().withName(name).withNamespace(ns).withResourceVersion(null)
                .withUid(null).withGenerateName(null).endMetadata().build();
        Resource<Job> resource = client.batch().v1().jobs().inNamespace(ns).withName(name);
        Job created = client.batch().v1().jobs().inNamespace(ns).resource(job).create();
        LOG.info("Job {}/{} created", ns, name);
        long deadline = System.nanoTime() + timeout.toNanos();
        Job current = created;
        try {
            while (true) {
                Optional<Outcome> done = finished(client, current, ns, name, tailLines);
                if (done.isPresent()) {
                    LOG.info("{}", done.get().headline());
                    return done.get();
                }
                CompletableFuture<Job> next = new CompletableFuture<>();
                Watch watch = resource.watch(new ListOptionsBuilder()
                        .withResourceVersion(current.getMetadata().getResourceVersion()).build(), new Watcher<>() {
                            @Override
                            public void eventReceived(Action action, Job seen) {
                                if (action == Action.DELETED) {
                                    next.complete(null);
                                } else if (terminal(seen).isPresent()) {
                                    next.complete(seen);
                                }
                            }

                            @Override
                            public void onClose(WatcherException cause) {
                                next.completeExceptionally(cause);
                            }

                            @Override
                            public void onClose() {
                                next.completeExceptionally(new IllegalStateException("watch closed"));
                            }
                        });
                try {
                    // The Job may have finished between the read and the watch.
                    Job again = resource.get();
                    if (again != null && terminal(again).isPresent()) {
                        next.complete(again);
                    }
                    long left = deadline - System.nanoTime();
                    current = next.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                    if (current == null) {
                        return new Outcome(ns, name, false, "deleted while it ran", List.of());
                    }
                } catch (ExecutionException e) {
                    current = resource.get();
                    if (current == null) {
                        return new Outcome(ns, name, false, "deleted while it ran", List.of());
                    }
                } catch (TimeoutException e) {
                    List<String> tail = logTail(client, ns, name, tailLines);
                    delete(resource, ns, name);
                    return new Outcome(ns, name, false, "did not finish within " + timeout + "; deleted", tail);
                } finally {
                    watch.close();
                }
            }
        } catch (InterruptedException e) {
            delete(resource, ns, name);
            throw e;
        }
    }

    private static Optional<Outcome> finished(KubernetesClient client, Job job, String ns, String name, int tailLines) {
        return terminal(job).map(condition -> new Outcome(ns, name, "Complete".equals(condition.getType())
                || "SuccessCriteriaMet".equals(condition.getType()),
                condition.getType().equals("Failed") || condition.getType().equals("FailureTarget")
                        ? (condition.getReason() == null ? "Failed" : condition.getReason())
                                + (condition.getMessage() == null ? "" : ": " + condition.getMessage())
                        : "Complete", logTail(client, ns, name, tailLines)));
    }

    private static Optional<JobCondition> terminal(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        for (String type : List.of("Failed", "Complete")) {
            for (JobCondition condition : job.getStatus().getConditions()) {
                if (type.equals(condition.getType()) && "True".equals(condition.getStatus())) {
                    return Optional.of(condition);
                }
            }
        }
        return Optional.empty();
    }

    /** @return the last lines of the Job's most recent pod, every container, oldest first */
    static List<String> logTail(KubernetesClient client, String ns, String job, int tailLines) {
        if (tailLines <= 0) {
            return List.of();
        }
        try {
            List<Pod> pods = new ArrayList<>(client.pods().inNamespace(ns).withLabel("job-name", job).list().getItems());
            pods.sort(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                    .thenComparing(p -> p.getMetadata().getName()));
            if (pods.isEmpty()) {
                return List.of();
            }
            Pod last = pods.get(pods.size() - 1);
            List<String> lines = new ArrayList<>();
            for (Container container : last.getSpec().getContainers()) {
                String log = client.pods().inNamespace(ns).withName(last.getMetadata().getName())
                        .inContainer(container.getName()).tailingLines(tailLines).getLog();
                if (log != null && !log.isBlank()) {
                    lines.addAll(Arrays.asList(log.strip().split("\n")));
                }
            }
            return lines.size() > tailLines ? lines.subList(lines.size() - tailLines, lines.size()) : lines;
        } catch (KubernetesClientException e) {
            return List.of("(no logs: " + KubeCalls.reason(e) + ")");
        }
    }

    private static void delete(Resource<Job> resource, String ns, String name) {
        try {
            resource.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            LOG.info("Job {}/{} deleted", ns, name);
        } catch (KubernetesClientException e) {
            LOG.warn("Job {}/{} could not be deleted: {}", ns, name, e.getMessage());
        }
    }

    private static String suffix() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }
}
