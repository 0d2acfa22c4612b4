package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Job controller, after {@code pkg/controller/job/job_controller.go} (Kubernetes 1.31 and later, non-indexed
 * Jobs): creates pods from the template ({@code <job>-<5 chars>}, owned by the Job, bound to the simulated node)
 * until {@code completions} pods have succeeded, at most {@code parallelism} at a time; counts succeeded and
 * failed pods; waits between a failure and the next pod as upstream's back-off does (10 s doubling, at most 10
 * minutes); fails the Job when more pods failed than {@code backoffLimit} allows ({@code OnFailure}: when the
 * active pods' restarts reach it) or when {@code activeDeadlineSeconds} have passed since its start, deleting
 * its active pods; reports {@code active}, {@code ready}, {@code terminating}, {@code succeeded},
 * {@code failed}, {@code startTime}, {@code completionTime} and the conditions {@code SuccessCriteriaMet} and
 * {@code Complete}, or {@code FailureTarget} and {@code Failed} (reasons {@code CompletionsReached},
 * {@code BackoffLimitExceeded}, {@code DeadlineExceeded}), with the Events {@code SuccessfulCreate},
 * {@code SuccessfulDelete}, {@code FailedCreate}, {@code Completed}, {@code BackoffLimitExceeded} and
 * {@code DeadlineExceeded}. {@code suspend} stops it creating pods; the TTL-after-finished controller's part
 * deletes a finished Job {@code ttlSecondsAfterFinished} after it finished.
 *
 * <p>Not simulated: indexed completion, {@code podFailurePolicy}, {@code successPolicy},
 * {@code backoffLimitPerIndex}, the {@code batch.kubernetes.io/job-tracking} finalizer on pods (finished pods are
 * counted while the controller runs, as it always does here) and the slow-start batches of pod creation.
 */
final class JobController {

    static final String COMPLETE = "Complete";
    static final String FAILED = "Failed";
    static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";
    static final String FAILURE_TARGET = "FailureTarget";
    static final String SUSPENDED = "Suspended";
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    private static final Duration CREATE_RETRY = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final ControllerLoop loop;
    private final ObjectStore<Job> jobs;
    private final ObjectStore<Pod> pods;
    private final Kubelet kubelet;
    private final EventRecorder events;
    private final SimClock clock;
    /** Per Job uid, the pods counted as succeeded and as failed (uids), so that deleted pods stay counted. */
    private final Map<String, Set<String>> succeededPods = new HashMap<>();
    private final Map<String, Set<String>> failedPods = new HashMap<>();
    /** Per Job uid, the wake-ups already scheduled, so that each is scheduled once. */
    private final Map<String, Set<Instant>> wakeUps = new HashMap<>();

    JobController(KubernetesClient client, ControllerLoop loop, ObjectStore<Job> jobs, ObjectStore<Pod> pods,
            Kubelet kubelet, EventRecorder events) {
        this.client = client;
        this.loop = loop;
        this.jobs = jobs;
        this.pods = pods;
        this.kubelet = kubelet;
        this.events = events;
        this.clock = loop.clock();
    }

    void enqueue(String key) {
        loop.reconcile("job " + key, () -> reconcile(key));
    }

    /** Queues the Job controlling a pod that changed or disappeared. */
    void podChanged(Pod pod) {
        Models.controllerOf(pod)
                .filter(owner -> "Job".equals(owner.getKind()))
                .ifPresent(owner -> enqueue(ObjectStore.key(pod.getMetadata().getNamespace(), owner.getName())));
    }

    /** A Job is gone: forget what was counted for it. */
    void deleted(Job job) {
        String uid = job.getMetadata().getUid();
        succeededPods.remove(uid);
        failedPods.remove(uid);
        wakeUps.remove(uid);
    }

    /**
     * Tells whether a Job has finished: a {@code Complete} or {@code Failed} condition is {@code True}.
     *
     * @param job any Job
     * @return true once finished
     */
    static boolean finished(Job job) {
        return condition(job.getStatus(), COMPLETE).isPresent() || condition(job.getStatus(), FAILED).isPresent();
    }

    /**
     * Explains how a Job differs from what the controller would leave, for {@code awaitSettled}: an unfinished,
     * unsuspended Job that has not started or has fewer active pods than it wants while no failure back-off is
     * due.
     *
     * @param job  a Job as the server has it
     * @param podsInNamespace the pods of its namespace
     * @return the difference, or empty when the controller has nothing to do now
     */
    static Optional<String> unsettled(Job job, List<Pod> podsInNamespace) {
        if (finished(job) || job.getSpec() == null || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            return Optional.empty();
        }
        JobStatus status = job.getStatus();
        if (status == null || status.getStartTime() == null) {
            return Optional.of("Job " + ObjectStore.keyOf(job) + " has not been started by the job controller yet");
        }
        long active = podsInNamespace.stream().filter(p -> Models.isControlledBy(p, job.getMetadata().getUid()))
                .filter(ReplicaSetController::isActive).count();
        if (active != Models.orZero(status.getActive())) {
            return Optional.of("Job " + ObjectStore.keyOf(job) + " reports " + Models.orZero(status.getActive())
                    + " active pods but has " + active);
        }
        return Optional.empty();
    }

    // ---- sync ----

    private void reconcile(String key) {
        Job job = jobs.get(key);
        if (job == null || job.getSpec() == null || job.getSpec().getTemplate() == null
                || job.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String uid = job.getMetadata().getUid();
        Instant now = clock.instant();
        JobStatus previous = job.getStatus() == null ? new JobStatus() : job.getStatus();
        List<Pod> owned = pods.inNamespace(job.getMetadata().getNamespace()).stream()
                .filter(pod -> Models.isControlledBy(pod, uid))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getCreationTimestamp()))
                .toList();
        Set<String> succeeded = succeededPods.computeIfAbsent(uid, u -> new LinkedHashSet<>());
        Set<String> failed = failedPods.computeIfAbsent(uid, u -> new LinkedHashSet<>());
        Instant lastFailure = null;
        for (Pod pod : owned) {
            String phase = phase(pod);
            if ("Succeeded".equals(phase) && !failed.contains(pod.getMetadata().getUid())) {
                succeeded.add(pod.getMetadata().getUid());
            } else if ("Failed".equals(phase)) {
                failed.add(pod.getMetadata().getUid());
                Instant finishedAt = finishedAt(pod);
                lastFailure = lastFailure == null || (finishedAt != null && finishedAt.isAfter(lastFailure)) ? finishedAt : lastFailure;
            }
        }
        List<Pod> active = new ArrayList<>(owned.stream().filter(ReplicaSetController::isActive).toList());
        List<Pod> terminating = owned.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() != null && !isTerminal(pod)).toList();

        JobStatus status = copy(previous);
        boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
        if (finished(job)) {
            scheduleTtl(job, status);
            return;
        }
        if (status.getStartTime() == null && !suspended) {
            status.setStartTime(timestamp(now));
        }
        String failureReason = null;
        String failureMessage = null;
        Optional<JobCondition> failureTarget = condition(previous, FAILURE_TARGET);
        Optional<JobCondition> successTarget = condition(previous, SUCCESS_CRITERIA_MET);
        if (failureTarget.isPresent()) {
            failureReason = failureTarget.get().getReason();
            failureMessage = failureTarget.get().getMessage();
        } else if (successTarget.isEmpty()) {
            int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
            if (failed.size() > backoffLimit || pastBackoffLimitOnFailure(job, active, backoffLimit)) {
                failureReason = "BackoffLimitExceeded";
                failureMessage = "Job has reached the specified backoff limit";
            } else if (pastActiveDeadline(job, status, now)) {
                failureReason = "DeadlineExceeded";
                failureMessage = "Job was active longer than specified deadline";
            } else if (job.getSpec().getActiveDeadlineSeconds() != null && !suspended && status.getStartTime() != null) {
                wakeUpAt(job, Instant.parse(status.getStartTime()).plusSeconds(job.getSpec().getActiveDeadlineSeconds()).plusMillis(1));
            }
        }
        int completions = job.getSpec().getCompletions() == null ? -1 : job.getSpec().getCompletions();
        boolean complete = successTarget.isPresent() || failureReason == null && (completions >= 0
                ? succeeded.size() >= completions
                : !succeeded.isEmpty() && active.isEmpty());

        int deleted = 0;
        if (failureReason != null) {
            if (failureTarget.isEmpty()) {
                setCondition(status, newCondition(FAILURE_TARGET, failureReason, failureMessage, now));
                event(job, "Warning", failureReason, failureMessage);
            }
            for (Pod pod : active) {
                deleted += deletePod(job, pod) ? 1 : 0;
                failed.add(pod.getMetadata().getUid());
            }
            active.clear();
            if (terminating.isEmpty() && deleted == 0) {
                // FailureTarget first; Failed once no pod of the Job is terminating any more.
                setCondition(status, newCondition(FAILED, failureReason, failureMessage, now));
            }
        } else if (complete) {
            if (successTarget.isEmpty()) {
                setCondition(status, newCondition(SUCCESS_CRITERIA_MET, "CompletionsReached",
                        "Reached expected number of succeeded pods", now));
            }
            for (Pod pod : active) {
                deleted += deletePod(job, pod) ? 1 : 0;
            }
            active.clear();
            if (terminating.isEmpty() && deleted == 0) {
                setCondition(status, newCondition(COMPLETE, "CompletionsReached", "Reached expected number of succeeded pods", now));
                status.setCompletionTime(timestamp(now));
                event(job, "Normal", "Completed", "Job completed");
            }
        } else if (suspended) {
            for (Pod pod : active) {
                deleted += deletePod(job, pod) ? 1 : 0;
            }
            active.clear();
            if (condition(previous, SUSPENDED).isEmpty()) {
                setCondition(status, newCondition(SUSPENDED, "JobSuspended", "Job suspended", now));
                event(job, "Normal", "Suspended", "Job suspended");
            }
        } else {
            if (condition(previous, SUSPENDED).isPresent()) {
                status.setConditions(new ArrayList<>(status.getConditions().stream()
                        .filter(c -> !SUSPENDED.equals(c.getType())).toList()));
                status.setStartTime(timestamp(now));
                event(job, "Normal", "Resumed", "Job resumed");
            }
            deleted += manageActive(job, active, terminating.size(), succeeded.size(), failed.size(), lastFailure, now);
        }
        status.setActive(Models.omitZero(active.size()));
        status.setReady((int) active.stream().filter(Models::isReady).count());
        status.setTerminating(terminating.size() + deleted);
        status.setSucceeded(Models.omitZero(succeeded.size()));
        status.setFailed(Models.omitZero(failed.size()));
        if (status.getUncountedTerminatedPods() == null) {
            status.setUncountedTerminatedPods(new io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods());
        }
        writeStatus(job, status);
        if (condition(status, COMPLETE).isPresent() || condition(status, FAILED).isPresent()) {
            scheduleTtl(job, status);
        }
    }

    /**
     * Creates or deletes pods so that as many run as the Job wants now, after the failure back-off.
     *
     * @return how many pods it deleted
     */
    private int manageActive(Job job, List<Pod> active, int terminating, int succeeded, int failed, Instant lastFailure,
            Instant now) {
        int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
        int wantActive;
        if (job.getSpec().getCompletions() == null) {
            wantActive = succeeded > 0 ? active.size() : parallelism;
        } else {
            wantActive = Math.max(0, Math.min(job.getSpec().getCompletions() - succeeded, parallelism));
        }
        if (active.size() > wantActive) {
            List<Pod> extra = new ArrayList<>(active.subList(wantActive, active.size()));
            int deleted = 0;
            for (Pod pod : extra) {
                deleted += deletePod(job, pod) ? 1 : 0;
                active.remove(pod);
            }
            return deleted;
        }
        // podReplacementPolicy TerminatingOrFailed: terminating pods are replaced at once; Failed waits for them.
        int waitingFor = "Failed".equals(job.getSpec().getPodReplacementPolicy()) ? terminating : 0;
        int diff = wantActive - active.size() - waitingFor;
        if (diff <= 0) {
            return 0;
        }
        if (failed > 0 && lastFailure != null) {
            Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(failed - 1, 10));
            backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
            Instant due = lastFailure.plus(backoff);
            if (now.isBefore(due)) {
                wakeUpAt(job, due);
                return 0;
            }
        }
        for (int i = 0; i < diff; i++) {
            Pod created = createPod(job);
            if (created == null) {
                break;
            }
            active.add(created);
        }
        return 0;
    }

    /** With {@code restartPolicy: OnFailure}, the active pods' container restarts count against the limit. */
    private static boolean pastBackoffLimitOnFailure(Job job, List<Pod> active, int backoffLimit) {
        if (!"OnFailure".equals(job.getSpec().getTemplate().getSpec().getRestartPolicy())) {
            return false;
        }
        int restarts = 0;
        for (Pod pod : active) {
            String phase = phase(pod);
            if ("Running".equals(phase) || "Pending".equals(phase)) {
                List<ContainerStatus> statuses = new ArrayList<>(pod.getStatus().getInitContainerStatuses());
                statuses.addAll(pod.getStatus().getContainerStatuses());
                for (ContainerStatus container : statuses) {
                    restarts += Models.orZero(container.getRestartCount());
                }
            }
        }
        return backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit;
    }

    private static boolean pastActiveDeadline(Job job, JobStatus status, Instant now) {
        Long deadline = job.getSpec().getActiveDeadlineSeconds();
        if (deadline == null || status.getStartTime() == null || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            return false;
        }
        return !now.isBefore(Instant.parse(status.getStartTime()).plusSeconds(deadline));
    }

    // ---- pods ----

    private Pod createPod(Job job) {
        PodTemplateSpec template = job.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = null;
        if (template.getMetadata() != null) {
            if (template.getMetadata().getLabels() != null) {
                labels.putAll(template.getMetadata().getLabels());
            }
            annotations = template.getMetadata().getAnnotations();
        }
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withGenerateName(job.getMetadata().getName() + "-")
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .addNewOwnerReference()
                .withApiVersion("batch/v1")
                .withKind("Job")
                .withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                // The controller doubles as the scheduler: every pod lands on the one simulated node.
                .withSpec(new PodSpecBuilder(template.getSpec()).withNodeName(Kubelet.NODE_NAME).build())
                .build();
        Pod created;
        try {
            created = client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 || e.getCode() == 422) {
                // Refused (a quota, validation): upstream requeues with a growing delay; a settled cluster does not
                // wait for that.
                event(job, "Warning", "FailedCreate", "Error creating: " + message(e));
                wakeUpAt(job, clock.instant().plus(CREATE_RETRY));
                return null;
            }
            throw e;
        }
        pods.observe(created);
        kubelet.observe(created);
        event(job, "Normal", "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
        return created;
    }

    /** Deletes a pod of the Job; tells whether it was there to delete. */
    private boolean deletePod(Job job, Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
            event(job, "Normal", "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            return false;
        }
    }

    /** The TTL-after-finished controller: deletes the Job (and, through the garbage collector, its pods). */
    private void scheduleTtl(Job job, JobStatus status) {
        Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
        if (ttl == null) {
            return;
        }
        Instant finishedAt = status.getCompletionTime() != null ? Instant.parse(status.getCompletionTime())
                : condition(status, FAILED).map(c -> Instant.parse(c.getLastTransitionTime())).orElse(null);
        if (finishedAt == null) {
            return;
        }
        Instant due = finishedAt.plusSeconds(ttl);
        if (clock.instant().isBefore(due)) {
            wakeUpAt(job, due);
            return;
        }
        try {
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void wakeUpAt(Job job, Instant when) {
        String uid = job.getMetadata().getUid();
        if (!wakeUps.computeIfAbsent(uid, u -> new java.util.HashSet<>()).add(when)) {
            return;
        }
        String key = ObjectStore.keyOf(job);
        loop.wakeUpAt(when, () -> enqueue(key));
    }

    // ---- status ----

    private void writeStatus(Job job, JobStatus status) {
        if (Canonical.same(status, job.getStatus() == null ? new JobStatus() : job.getStatus())) {
            return;
        }
        Job updated = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                .resource(new JobBuilder(job).withStatus(status).build())
                .updateStatus();
        jobs.observe(updated);
    }

    private static void setCondition(JobStatus status, JobCondition condition) {
        List<JobCondition> conditions = new ArrayList<>(status.getConditions().stream()
                .filter(c -> !condition.getType().equals(c.getType())).toList());
        conditions.add(condition);
        status.setConditions(conditions);
    }

    private static JobCondition newCondition(String type, String reason, String message, Instant now) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(timestamp(now)).withLastTransitionTime(timestamp(now)).build();
    }

    static Optional<JobCondition> condition(JobStatus status, String type) {
        if (status == null) {
            return Optional.empty();
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }

    private void event(Job job, String type, String reason, String message) {
        events.record(job, null, type, reason, message, "job-controller", null);
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static boolean isTerminal(Pod pod) {
        String phase = phase(pod);
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static Instant finishedAt(Pod pod) {
        Instant latest = null;
        for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
            if (container.getState() != null && container.getState().getTerminated() != null
                    && container.getState().getTerminated().getFinishedAt() != null) {
                Instant at = Instant.parse(container.getState().getTerminated().getFinishedAt());
                latest = latest == null || at.isAfter(latest) ? at : latest;
            }
        }
        return latest;
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    private static JobStatus copy(JobStatus status) {
        return Json.model(Json.tree(status), JobStatus.class);
    }
}
