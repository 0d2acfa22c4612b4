package dev.bluegreen;

import java.time.Duration;
import java.time.Instant;

/**
 * One line of a release's timeline: a step, or an action taken on the way out (rollback,
 * compensation, scaling down the idle color), with how it ended and how long it took.
 *
 * @param name      the step's name, e.g. {@code "await-ready"} or {@code "compensate:migrate-schema"}
 * @param phase     the phase it ran in
 * @param status    how it ended
 * @param startedAt when it started
 * @param duration  how long it took
 * @param detail    what it did or why it ended so, one sentence; never null, may be empty
 * @param error     the failure, for {@link StepStatus#FAILED}, {@link StepStatus#TIMED_OUT} and {@link StepStatus#CANCELLED}; may be null
 */
public record StepRecord(String name, Phase phase, StepStatus status, Instant startedAt, Duration duration, String detail,
                         BlueGreenException error) {

    /**
     * @return e.g. {@code await-ready SUCCEEDED in 412 ms: Deployment shop/myapp-green: 3 of 3 replicas available}
     */
    @Override
    public String toString() {
        return name + " " + status + " in " + duration.toMillis() + " ms" + (detail.isEmpty() ? "" : ": " + detail);
    }
}
