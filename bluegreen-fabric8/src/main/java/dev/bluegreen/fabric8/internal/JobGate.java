package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.function.BiFunction;

/**
 * Argo's job analysis: runs a Job (e.g. the team's integration tests, in the cluster) and passes when it
 * succeeds; the reason carries its last log lines.
 */
public final class JobGate implements HealthGate {
    private final KubernetesClient client;
    private final String name;
    private final BiFunction<GateContext, Job, Job> template;
    private final Job job;
    private final Duration timeout;
    private final int tailLines;

    /**
     * @param client    the client
     * @param name      the gate's name, also the Job's name when the template has none
     * @param job       the Job to run
     * @param customize adapts the Job to the context (e.g. passes the candidate's Service as an env var)
     * @param timeout   how long it may run
     * @param tailLines how many log lines to keep
     */
    public JobGate(KubernetesClient client, String name, Job job, BiFunction<GateContext, Job, Job> customize,
                   Duration timeout, int tailLines) {
        this.client = client;
        this.name = name;
        this.job = job;
        this.template = customize;
        this.timeout = timeout;
        this.tailLines = tailLines;
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        Job toRun = template.apply(context, new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(job).build());
        JobRunner.Outcome outcome = JobRunner.run(client, context.namespace(), toRun, name, timeout, tailLines);
        GateResult result = outcome.succeeded() ? GateResult.passed(outcome.describe()) : GateResult.failed(outcome.describe());
        return result.withMeasurement("log_lines", outcome.logTail().size());
    }

    @Override
    public String name() {
        return name;
    }
}
