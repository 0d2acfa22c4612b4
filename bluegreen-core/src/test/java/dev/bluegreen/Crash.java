package dev.bluegreen;

import dev.bluegreen.event.ReleaseEvent;
import dev.bluegreen.event.StepStarted;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The crash of a release's process, simulated in one JVM: the release's thread stops where
 * {@link #here()} is called (as a listener, when a given step starts) and never does anything
 * else until {@link #wake()}, after which it throws, like a call whose connection was cut.
 * Together with shutting down the crashed engine's own scheduler (no more lock renewals) and
 * moving the clock past the lease, the release looks exactly like one whose process died.
 */
final class Crash implements ReleaseListener {
    private final String step;
    private final CountDownLatch crashed = new CountDownLatch(1);
    private final CountDownLatch woken = new CountDownLatch(1);
    private volatile Thread thread;

    /** @param step the step at whose start the process dies, or null to crash only where {@link #here()} is called */
    Crash(String step) {
        this.step = step;
    }

    @Override
    public void onEvent(ReleaseEvent event) {
        if (step != null && event instanceof StepStarted && ((StepStarted) event).step().equals(step)) {
            here();
        }
    }

    /** The process dies here, once; the thread waits until woken, then throws. */
    void here() {
        synchronized (this) {
            if (thread != null) {
                return;
            }
            thread = Thread.currentThread();
        }
        crashed.countDown();
        boolean interrupted = false;
        while (true) {
            try {
                woken.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throw new ClusterApiException("the process of this release is gone (simulated crash)", 0, null);
    }

    /** Waits until the crash happened. */
    boolean awaitCrash() throws InterruptedException {
        return crashed.await(10, TimeUnit.SECONDS);
    }

    /** Lets the crashed thread go on (it throws at once); call at the end of each test. */
    void wake() {
        woken.countDown();
    }
}
