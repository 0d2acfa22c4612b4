package dev.bluegreen.internal;

import dev.bluegreen.NotReadyException;
import dev.bluegreen.PreflightException;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.EnvironmentState;

import java.util.List;

/**
 * Recovery of a crashed release, rolling back: makes sure the color its record names as the
 * rollback target runs the version it ran before the release, with its replicas available, before
 * any traffic is sent to it. Brings its replicas back when the crashed release had retired it;
 * refuses when someone changed what it runs. When the crashed release was committed, the color is
 * fenced first, so that a retirement it still had on the wire cannot land after the rollback.
 */
final class RestorePreviousStep implements StepWork {
    private final ReleaseRun run;

    RestorePreviousStep(ReleaseRun run) {
        this.run = run;
    }

    @Override
    public Done run(StepDeadline deadline) {
        ReleaseRecord crashed = run.record;
        if (crashed.from() == null) {
            return Done.skipped("the release never chose its colors: nothing to restore");
        }
        ReleaseRecord.ColorSnapshot before = crashed.before().get(crashed.from());
        if (before == null || before.version() == null) {
            throw new PreflightException("rollback of " + crashed, List.of("its record does not say what "
                    + crashed.from() + " ran before; nothing to restore"));
        }
        EnvironmentState previous = run.environments.read(crashed.from(), deadline);
        run.colors.put(crashed.from(), previous);
        requireLastGood(crashed, before, previous);
        if (crashed.committed()) {
            // Committed, it may have been retiring this color when it was lost, its scale-down still on the
            // wire: a fence makes such a write fail before traffic goes back to the color.
            previous = run.route.fenceEnvironment(previous, deadline);
            requireLastGood(crashed, before, previous);
        }
        if (previous.servable() && previous.desired() >= before.replicas()) {
            return Done.skipped(previous + ": nothing to restore");
        }
        EnvironmentState asked = previous;
        if (previous.desired() < before.replicas()) {
            run.requireLock();
            asked = run.environments.restore(previous, before.replicas(), deadline);
            run.route.wrote();
        }
        Candidate previousColor = new Candidate(crashed.from(), before.version(), "restored", asked.object(), "",
                run.environments.candidateAttributes(crashed.from()));
        try {
            EnvironmentState ready = run.environments.awaitReady(previousColor, deadline);
            run.colors.put(crashed.from(), ready);
            return Done.of(ready + " (restored to " + before.replicas() + " replicas)");
        } catch (NotReadyException e) {
            throw new NotReadyException("cannot roll back to " + crashed.from() + ": " + e.getMessage(), e.unready());
        }
    }

    private static void requireLastGood(ReleaseRecord crashed, ReleaseRecord.ColorSnapshot before, EnvironmentState previous) {
        if (!previous.exists() || !before.version().equals(previous.version())) {
            throw new PreflightException("rollback of " + crashed, List.of(previous + ", not " + before.version()
                    + " as before the release: someone else changed it, so it is not the last good version any more; "
                    + "nothing was changed"));
        }
    }
}
