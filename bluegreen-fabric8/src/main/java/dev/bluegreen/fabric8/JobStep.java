package dev.bluegreen.fabric8;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.CustomStep;
import dev.bluegreen.StepContext;
import dev.bluegreen.StepFailedException;
import dev.bluegreen.fabric8.internal.JobRunner;
import dev.bluegreen.internal.Checks;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;

/**
 * A release step that runs a Kubernetes Job from a template and waits until it succeeds, e.g. a
 * database migration in the expand/contract pattern: the expand migration before the deploy
 * ({@code stepBefore(StandardStep.DEPLOY, ...)}), so a failed Job aborts the release before any
 * traffic moves; the contract migration once the old color is gone
 * ({@code stepAfter(StandardStep.RETIRE_PREVIOUS, ...)}). A compensation Job (the guide's
 * {@code rollback.sql}) runs when the release does not succeed after the step completed, after
 * traffic is back on the previous color.
 *
 * <pre>{@code
 * CustomStep expand = JobStep.named("migrate-expand", client)
 *         .job(expandJob)                 // a batch/v1 Job, e.g. running flyway migrate
 *         .compensation(undoExpandJob)    // optional
 *         .timeout(Duration.ofMinutes(10))
 *         .build();
 * ReleasePlan plan = KubernetesBlueGreen.serviceSelectorPlan(client, myapp).version(image)
 *         .stepBefore(StandardStep.DEPLOY, expand)
 *         .stepAfter(StandardStep.RETIRE_PREVIOUS, contract)
 *         .build();
 * }</pre>
 *
 * <p>Each run creates a Job named after the template (or the step) with a random suffix, in the
 * template's namespace or else the release's, and waits for it by watch. A Job that fails (its
 * {@code Failed} condition, e.g. {@code BackoffLimitExceeded}) or runs past the timeout (it is then
 * deleted) fails the step with the Job's last log lines in the message. Finished Jobs are left for
 * inspection; set {@code ttlSecondsAfterFinished} in the template to have the cluster remove them.
 */
public final class JobStep {
    /** Log lines of a Job kept in messages, unless the builder says otherwise: 20. */
    public static final int DEFAULT_LOG_LINES = 20;

    private JobStep() {
    }

    /**
     * @param name   the step's name, a lowercase DNS label unique in the plan, e.g. {@code migrate-expand}
     * @param client the client that creates and watches the Jobs; never null
     * @return a builder
     */
    public static Builder named(String name, KubernetesClient client) {
        return new Builder(name, client);
    }

    /** Builds the {@link CustomStep}. Each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final KubernetesClient client;
        private Job job;
        private Job compensation;
        private Duration timeout = CustomStep.DEFAULT_TIMEOUT;
        private int logLines = DEFAULT_LOG_LINES;

        private Builder(String name, KubernetesClient client) {
            this.name = Checks.dnsLabel("job step name", name);
            this.client = Checks.nonNull("kubernetes client", client);
        }

        /**
         * @param job the Job to run; its pod template must have at least one container and restart policy
         *            {@code Never} or {@code OnFailure}
         * @return this builder
         */
        public Builder job(Job job) {
            this.job = validJob("job of step '" + name + "'", job);
            return this;
        }

        /**
         * @param job the Job that undoes this step's Job, run when the release does not succeed; same rules
         * @return this builder
         */
        public Builder compensation(Job job) {
            this.compensation = validJob("compensation job of step '" + name + "'", job);
            return this;
        }

        /**
         * @param timeout how long the Job (and, separately, its compensation) may run; positive; default
         *                {@link CustomStep#DEFAULT_TIMEOUT}
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive("timeout of job step '" + name + "'", timeout);
            return this;
        }

        /**
         * @param lines how many of the Job's last log lines a failure message carries; at least 1; default
         *              {@value #DEFAULT_LOG_LINES}
         * @return this builder
         */
        public Builder logLines(int lines) {
            this.logLines = Checks.atLeast("log lines of job step '" + name + "'", 1, lines);
            return this;
        }

        /**
         * @return the step, to place with {@code ReleasePlan.Builder.stepBefore} or {@code stepAfter}
         * @throws ConfigurationException when no Job was set
         */
        public CustomStep build() {
            Checks.required("job of step '" + name + "'", job);
            Job action = job;
            Job undo = compensation;
            Duration limit = timeout;
            int lines = logLines;
            CustomStep.Builder step = CustomStep.named(name).timeout(timeout)
                    .action(context -> run(context, action, limit, lines, "job"));
            if (undo != null) {
                step.compensation(context -> run(context, undo, limit, lines, "compensation job"));
            }
            return step.build();
        }

        private void run(StepContext context, Job template, Duration limit, int lines, String what)
                throws InterruptedException {
            JobRunner.Outcome outcome = JobRunner.run(client, context.namespace(), template, name, limit, lines);
            if (!outcome.succeeded()) {
                throw new StepFailedException(context.stepName(), "the " + what + " of step '" + name + "' of "
                        + context.namespace() + "/" + context.app() + " did not succeed: " + outcome.describe(), null);
            }
        }

        private static Job validJob(String what, Job job) {
            Checks.nonNull(what, job);
            if (job.getSpec() == null || job.getSpec().getTemplate() == null || job.getSpec().getTemplate().getSpec() == null
                    || job.getSpec().getTemplate().getSpec().getContainers() == null
                    || job.getSpec().getTemplate().getSpec().getContainers().isEmpty()) {
                throw new ConfigurationException(what + " must have spec.template.spec.containers with at least one "
                        + "container, but had none");
            }
            String restart = job.getSpec().getTemplate().getSpec().getRestartPolicy();
            if (!"Never".equals(restart) && !"OnFailure".equals(restart)) {
                throw new ConfigurationException(what + " must have spec.template.spec.restartPolicy Never or OnFailure "
                        + "(as the API server requires for Jobs), but had " + Checks.quote(restart));
            }
            return job;
        }
    }
}
