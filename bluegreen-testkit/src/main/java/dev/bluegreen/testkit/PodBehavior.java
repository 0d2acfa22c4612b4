package dev.bluegreen.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the simulated kubelet runs the containers of a given image, chosen with
 * {@link SimulatedCluster#markImage(String, PodBehavior)} or {@link SimulatedCluster.Builder#image}. Unmarked
 * images are {@link #HEALTHY}. Every pod starts {@code Pending} (containers waiting with reason
 * {@code ContainerCreating}) until the cluster's start delay has passed; what follows runs on the cluster's
 * simulated time, with the timings the pod spec gives (probe delays and periods, grace period).
 *
 * <p>Readiness follows the container's {@code readinessProbe} as the kubelet's prober does: the first probe
 * runs {@code initialDelaySeconds} after the container started, then one every {@code periodSeconds}; the
 * container turns ready after {@code successThreshold} successes in a row and unready after
 * {@code failureThreshold} failures in a row. A container without a readiness probe is ready as soon as it
 * runs, unless its behavior makes probes fail: then the probe defaults apply (period 10 s, thresholds 1 and
 * 3). Failed probes are reported as {@code Warning} Events with reason {@code Unhealthy} on the pod, as the
 * kubelet reports them; liveness probes are not simulated.
 */
public final class PodBehavior {

    /** What a behavior does, for the simulated kubelet. */
    public enum Mode {
        /** See {@link PodBehavior#HEALTHY}. */
        HEALTHY,
        /** See {@link PodBehavior#NEVER_READY}. */
        NEVER_READY,
        /** See {@link PodBehavior#readyThenUnready(Duration)}. */
        READY_THEN_UNREADY,
        /** See {@link PodBehavior#CRASH_LOOP}. */
        CRASH_LOOP,
        /** See {@link PodBehavior#OOM_KILLED}. */
        OOM_KILLED,
        /** See {@link PodBehavior#IMAGE_PULL_ERROR}. */
        IMAGE_PULL_ERROR
    }

    /**
     * The container starts and passes its readiness probe: phase {@code Running}, container running and
     * ready once the probe succeeded, pod conditions {@code Ready} and {@code ContainersReady} {@code True}.
     */
    public static final PodBehavior HEALTHY = new PodBehavior(Mode.HEALTHY, null, List.of());

    /**
     * The container runs but its readiness probe always fails: phase {@code Running}, container running with
     * {@code ready=false}, conditions {@code Ready}/{@code ContainersReady} {@code False} with reason
     * {@code ContainersNotReady} and message {@code containers with unready status: [<name>]}; a {@code Warning}
     * Event with reason {@code Unhealthy} says why (e.g. {@code Readiness probe failed: HTTP probe failed with
     * statuscode: 503}).
     */
    public static final PodBehavior NEVER_READY = new PodBehavior(Mode.NEVER_READY, null, List.of());

    /**
     * The container exits with code 1 right after starting, again and again: phase {@code Running}, container
     * waiting with reason {@code CrashLoopBackOff} and message {@code back-off 10s restarting failed
     * container=<c> pod=<pod>_<namespace>(<uid>)}, {@code lastState.terminated} with exit code 1 and reason
     * {@code Error}. As on a real node the restart count grows and the back-off doubles from 10 s up to 5
     * minutes (simulated); each restart records a {@code Warning} Event with reason {@code BackOff}. Restarts
     * are not pending work for {@link SimulatedCluster#awaitSettled}.
     */
    public static final PodBehavior CRASH_LOOP = new PodBehavior(Mode.CRASH_LOOP, null, List.of());

    /**
     * Like {@link #CRASH_LOOP}, but the kernel kills the container for exceeding its memory limit:
     * {@code lastState.terminated} has exit code 137 and reason {@code OOMKilled}.
     */
    public static final PodBehavior OOM_KILLED = new PodBehavior(Mode.OOM_KILLED, null, List.of());

    /**
     * The image cannot be pulled: the pod stays {@code Pending}, the container waits with reason
     * {@code ErrImagePull}, then {@code ImagePullBackOff} (message {@code Back-off pulling image "<image>"}),
     * with {@code Warning} Events with reason {@code Failed} and a {@code BackOff} Event, as the kubelet reports
     * them.
     */
    public static final PodBehavior IMAGE_PULL_ERROR = new PodBehavior(Mode.IMAGE_PULL_ERROR, null, List.of());

    private final Mode mode;
    private final Duration unreadyAfter;
    private final List<String> logLines;

    private PodBehavior(Mode mode, Duration unreadyAfter, List<String> logLines) {
        this.mode = mode;
        this.unreadyAfter = unreadyAfter;
        this.logLines = logLines;
    }

    /**
     * The container becomes ready like a {@link #HEALTHY} one, then, {@code after} (simulated time) its start,
     * its readiness probe starts failing: after {@code failureThreshold} failed probes the container and the
     * pod are no longer ready; Events with reason {@code Unhealthy} are recorded. Turning unready is not
     * pending work for {@link SimulatedCluster#awaitSettled}; wait for it with a watch.
     *
     * @param after simulated time from the container's start to the first failing probe; positive
     * @return the behavior
     * @throws IllegalArgumentException if {@code after} is null, zero or negative
     */
    public static PodBehavior readyThenUnready(Duration after) {
        if (after == null || after.isNegative() || after.isZero()) {
            throw new IllegalArgumentException("after must be positive, but was " + after);
        }
        return new PodBehavior(Mode.READY_THEN_UNREADY, after, List.of());
    }

    /**
     * Returns this behavior with lines the container writes to its log every time it starts, readable with
     * {@code GET .../pods/<name>/log} ({@code kubectl logs}) and {@link SimulatedCluster#podLogs()}.
     *
     * @param lines the lines, without line breaks; not null
     * @return a new behavior
     */
    public PodBehavior withLogLines(String... lines) {
        Objects.requireNonNull(lines, "lines");
        return new PodBehavior(mode, unreadyAfter, List.of(lines));
    }

    /**
     * Returns what the behavior does.
     *
     * @return the mode; never null
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns, for {@link Mode#READY_THEN_UNREADY}, the simulated time from the container's start to its first
     * failing probe.
     *
     * @return the duration, or null for other modes
     */
    public Duration unreadyAfter() {
        return unreadyAfter;
    }

    /**
     * Returns the lines the container writes when it starts.
     *
     * @return the lines; never null
     */
    public List<String> logLines() {
        return logLines;
    }

    /**
     * Tells whether the container starts at all (its image can be pulled).
     *
     * @return false for {@link #IMAGE_PULL_ERROR}
     */
    public boolean starts() {
        return mode != Mode.IMAGE_PULL_ERROR;
    }

    /**
     * Tells whether the container keeps crashing.
     *
     * @return true for {@link #CRASH_LOOP} and {@link #OOM_KILLED}
     */
    public boolean crashes() {
        return mode == Mode.CRASH_LOOP || mode == Mode.OOM_KILLED;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PodBehavior that && mode == that.mode && Objects.equals(unreadyAfter, that.unreadyAfter)
                && logLines.equals(that.logLines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, unreadyAfter, logLines);
    }

    /**
     * Names the behavior.
     *
     * @return e.g. {@code CRASH_LOOP} or {@code READY_THEN_UNREADY(PT1M)}
     */
    @Override
    public String toString() {
        return mode + (unreadyAfter == null ? "" : "(" + unreadyAfter + ")")
                + (logLines.isEmpty() ? "" : " writing " + logLines.size() + " log lines");
    }
}
