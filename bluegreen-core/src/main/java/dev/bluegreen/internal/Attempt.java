package dev.bluegreen.internal;

import dev.bluegreen.BlueGreenException;
import dev.bluegreen.StepStatus;

/**
 * How one step ended.
 *
 * @param status how it ended
 * @param detail what it did or why it ended so
 * @param error  the failure, or null when it succeeded or was skipped
 */
record Attempt(StepStatus status, String detail, BlueGreenException error) {

    boolean ok() {
        return status == StepStatus.SUCCEEDED || status == StepStatus.SKIPPED;
    }
}
