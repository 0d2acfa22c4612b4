package dev.bluegreen.internal;

import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.EnvironmentState;

/**
 * Installs the new version in the idle color (or, for revision platforms, as a new revision),
 * after reading the router and checking that it still selects the live color: the SDK never
 * redeploys the color the router selects. The release record naming both colors was written
 * with the lock.
 */
final class DeployStep implements StepWork {
    private final ReleaseRun run;

    DeployStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) {
        run.route.requireRouteNow(run.from, "deploying " + run.version, deadline);
        EnvironmentState decidedOn = run.targetAtStart != null ? run.targetAtStart : run.liveAtStart;
        run.deployAttempted = true;
        run.route.wrote();
        run.requireLock();
        Candidate candidate = run.environments.deploy(decidedOn, run.version, run.replicas, deadline);
        run.candidate = candidate;
        if (run.to == null) {
            run.to = candidate.color();
            run.journal(run.record.withTarget(candidate.color()));
        }
        return Done.of(candidate.object() + " now runs " + run.version + " with " + run.replicas
                + " replicas requested (" + candidate.identity() + ")");
    }
}
