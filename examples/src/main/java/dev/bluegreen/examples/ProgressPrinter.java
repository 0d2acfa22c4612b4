package dev.bluegreen.examples;

import dev.bluegreen.ReleaseListener;
import dev.bluegreen.StepRecord;
import dev.bluegreen.event.GateEvaluated;
import dev.bluegreen.event.PhaseChanged;
import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.RolledBack;
import dev.bluegreen.event.StepFinished;
import dev.bluegreen.event.TrafficSwitched;

import java.io.PrintStream;

/** Prints a release as it happens: phases, each step with its duration, gates and switches. */
public final class ProgressPrinter implements ReleaseListener {
    private final PrintStream out;

    /**
     * @param out where to print; never null
     */
    public ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEvent(ReleaseEvent event) {
        if (event instanceof PhaseChanged) {
            out.println("phase " + ((PhaseChanged) event).to());
        } else if (event instanceof StepFinished) {
            StepRecord step = ((StepFinished) event).record();
            out.printf("  %-18s %-9s %6d ms  %s%n", step.name(), step.status(), step.duration().toMillis(), step.detail());
        } else if (event instanceof GateEvaluated && !((GateEvaluated) event).interim()) {
            out.println("    gate " + ((GateEvaluated) event).evaluation());
        } else if (event instanceof TrafficSwitched) {
            out.println("    traffic switched: " + ((TrafficSwitched) event).result());
        } else if (event instanceof RolledBack) {
            out.println("    rolled back: " + ((RolledBack) event).result());
        }
    }
}
