package dev.bluegreen.gates;

import dev.bluegreen.Color;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStage;
import dev.bluegreen.ManualTimeSource;
import dev.bluegreen.Signals;
import dev.bluegreen.TimeSource;
import dev.bluegreen.spi.Candidate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A gate context for tests: app shop/myapp, candidate green running myapp:v2, a manual clock, recorded interim results. */
final class Contexts {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final ManualTimeSource time = TimeSource.manual(T0);
    final List<String> interim = Collections.synchronizedList(new ArrayList<>());
    final Signals signals = Signals.create(time);

    GateContext context() {
        return context(GateStage.PRE_SWITCH);
    }

    GateContext context(GateStage stage) {
        return GateContext.builder().releaseId("r-42").app("myapp").namespace("shop")
                .candidate(new Candidate(Color.GREEN, "myapp:v2", "generation 7", "Deployment shop/myapp-green",
                        "pods labelled {app=myapp, color=green} in namespace shop"))
                .previous(Color.BLUE).stage(stage).time(time).signals(signals)
                .onInterim(this::record).build();
    }

    private void record(String gate, GateResult result) {
        synchronized (interim) {
            interim.add(gate + ": " + result);
            interim.notifyAll();
        }
    }

    /** Waits, without polling, until at least {@code count} interim results were published. */
    boolean awaitInterim(int count) throws InterruptedException {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        synchronized (interim) {
            while (interim.size() < count) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                interim.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    List<String> interim() {
        synchronized (interim) {
            return List.copyOf(interim);
        }
    }
}
