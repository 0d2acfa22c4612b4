package dev.bluegreen.internal;

import dev.bluegreen.spi.EnvironmentState;

/** Waits, through the environments' own watch and the step's deadline, until every replica of the candidate is available. */
final class AwaitReadyStep implements StepWork {
    private final ReleaseRun run;

    AwaitReadyStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) {
        EnvironmentState ready = run.environments.awaitReady(run.candidate, deadline);
        run.colors.put(ready.color(), ready);
        return Done.of(ready.toString());
    }
}
