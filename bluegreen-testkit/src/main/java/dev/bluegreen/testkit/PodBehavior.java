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
        IMAGE_PULL_ERROR,
        /** See {@link PodBehavior#succeedsAfter(Duration)}. */
        SUCCEEDS,
        /** See {@link PodBehavior#failsAfter(Duration, int)}. */
        FAILS
    }

    /** The CPU a container uses unless {@link #withUsage} says otherwise, in millicores. */
    public static final int DEFAULT_CPU_MILLIS = 1;
    /** The memory a container uses unless {@link #withUsage} says otherwise, in MiB. */
    public static final int DEFAULT_MEMORY_MIB = 8;

    /**
     * The container starts and passes its readiness probe: phase {@code Running}, container running and
     * ready once the probe succeeded, pod conditions {@code Ready} and {@code ContainersReady} {@code True}.
     */
    public static final PodBehavior HEALTHY = new PodBehavior(Mode.HEALTHY, null, List.of(), null, 0,
            DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);

    /**
     * The container runs but its readiness probe always fails: phase {@code Running}, container running with
     * {@code ready=false}, conditions {@code Ready}/{@code ContainersReady} {@code False} with reason
     * {@code ContainersNotReady} and message {@code containers with unready status: [<name>]}; a {@code Warning}
     * Event with reason {@code Unhealthy} says why (e.g. {@code Readiness probe failed: HTTP probe failed with
     * statuscode: 503}).
     */
    public static final PodBehavior NEVER_READY = new PodBehavior(Mode.NEVER_READY, null, List.of(), null, 0,
            DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);

    /**
     * The container exits with code 1 right after starting, again and again: phase {@code Running}, container
     * waiting with reason {@code CrashLoopBackOff} and message {@code back-off 10s restarting failed
     * container=<c> pod=<pod>_<namespace>(<uid>)}, {@code lastState.terminated} with exit code 1 and reason
     * {@code Error}. As on a real node the restart count grows and the back-off doubles from 10 s up to 5
     * minutes (simulated); each restart records a {@code Warning} Event with reason {@code BackOff}. Restarts
     * are not pending work for {@link SimulatedCluster#awaitSettled}.
     */
    public static final PodBehavior CRASH_LOOP = new PodBehavior(Mode.CRASH_LOOP, null, List.of(), null, 0,
            DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);

    /**
     * Like {@link #CRASH_LOOP}, but the kernel kills the container for exceeding its memory limit:
     * {@code lastState.terminated} has exit code 137 and reason {@code OOMKilled}.
     */
    public static final PodBehavior OOM_KILLED = new PodBehavior(Mode.OOM_KILLED, null, List.of(), null, 0,
            DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);

    /**
     * The image cannot be pulled: the pod stays {@code Pending}, the container waits with reason
     * {@code ErrImagePull}, then {@code ImagePullBackOff} (message {@code Back-off pulling image "<image>"}),
     * with {@code Warning} Events with reason {@code Failed} and a {@code BackOff} Event, as the kubelet reports
     * them.
     */
    public static final PodBehavior IMAGE_PULL_ERROR = new PodBehavior(Mode.IMAGE_PULL_ERROR, null, List.of(), null, 0,
            DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);

    private final Mode mode;
    private final Duration unreadyAfter;
    private final List<String> logLines;
    private final Duration runFor;
    private final int exitCode;
    private final int cpuMillis;
    private final int memoryMiB;

    private PodBehavior(Mode mode, Duration unreadyAfter, List<String> logLines, Duration runFor, int exitCode,
            int cpuMillis, int memoryMiB) {
        this.mode = mode;
        this.unreadyAfter = unreadyAfter;
        this.logLines = logLines;
        this.runFor = runFor;
        this.exitCode = exitCode;
        this.cpuMillis = cpuMillis;
        this.memoryMiB = memoryMiB;
    }

    /**
     * The container runs (ready as its probe says) for {@code runFor} of simulated time, then exits with code 0,
     * as a batch program that did its work: its state turns {@code terminated} with reason {@code Completed}.
     * What follows depends on the pod's {@code restartPolicy}, as on a real node: with {@code Never} or
     * {@code OnFailure} the container stays terminated and, once all its containers have, the pod's phase is
     * {@code Succeeded} (a Job counts it); with {@code Always} the kubelet restarts it after a back-off
     * ({@code CrashLoopBackOff}, {@code lastState.terminated.reason} {@code Completed}). The exit is not pending
     * work for {@link SimulatedCluster#awaitSettled}: wait for the pod or the Job with a watch.
     *
     * @param runFor how long the container runs, simulated; zero or more
     * @return the behavior
     * @throws IllegalArgumentException if {@code runFor} is null or negative
     */
    public static PodBehavior succeedsAfter(Duration runFor) {
        return new PodBehavior(Mode.SUCCEEDS, null, List.of(), requireRunFor(runFor), 0, DEFAULT_CPU_MILLIS,
                DEFAULT_MEMORY_MIB);
    }

    /**
     * The container runs for {@code runFor} of simulated time, then exits with {@code exitCode}: its state turns
     * {@code terminated} with reason {@code Error}. With {@code restartPolicy: Never} the pod's phase turns
     * {@code Failed} (a Job counts a failed pod and may create another one); with {@code OnFailure} or
     * {@code Always} the kubelet restarts the container after a back-off (10 s doubling to 5 min), counting
     * restarts. Give it {@link #withLogLines log lines} to read the failure's reason through
     * {@code GET .../pods/<name>/log}. The exit is not pending work for {@link SimulatedCluster#awaitSettled}.
     *
     * @param runFor   how long the container runs, simulated; zero or more
     * @param exitCode the exit code, 1 to 255
     * @return the behavior
     * @throws IllegalArgumentException if {@code runFor} is null or negative or {@code exitCode} is out of range
     */
    public static PodBehavior failsAfter(Duration runFor, int exitCode) {
        if (exitCode < 1 || exitCode > 255) {
            throw new IllegalArgumentException("exitCode must be between 1 and 255, but was " + exitCode);
        }
        return new PodBehavior(Mode.FAILS, null, List.of(), requireRunFor(runFor), exitCode, DEFAULT_CPU_MILLIS,
                DEFAULT_MEMORY_MIB);
    }

    private static Duration requireRunFor(Duration runFor) {
        if (runFor == null || runFor.isNegative()) {
            throw new IllegalArgumentException("runFor must be zero or positive, but was " + runFor);
        }
        return runFor;
    }

    /**
     * Returns this behavior with the CPU and memory each of its running containers uses, as the metrics API
     * ({@code metrics.k8s.io/v1beta1} {@code PodMetrics} and {@code NodeMetrics}, which {@code kubectl top} and
     * fabric8's {@code client.top()} read) reports it. Without it a container uses
     * {@value #DEFAULT_CPU_MILLIS}m and {@value #DEFAULT_MEMORY_MIB}Mi.
     *
     * @param cpuMillis CPU in millicores, zero or more
     * @param memoryMiB memory in MiB, zero or more
     * @return a new behavior
     * @throws IllegalArgumentException if either is negative
     */
    public PodBehavior withUsage(int cpuMillis, int memoryMiB) {
        if (cpuMillis < 0 || memoryMiB < 0) {
            throw new IllegalArgumentException("usage must be zero or positive, but was " + cpuMillis + "m CPU and "
                    + memoryMiB + "Mi memory");
        }
        return new PodBehavior(mode, unreadyAfter, logLines, runFor, exitCode, cpuMillis, memoryMiB);
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
        return new PodBehavior(Mode.READY_THEN_UNREADY, after, List.of(), null, 0, DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);
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
        return new PodBehavior(mode, unreadyAfter, List.of(lines), runFor, exitCode, cpuMillis, memoryMiB);
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
     * Returns, for {@link Mode#SUCCEEDS} and {@link Mode#FAILS}, how long the container runs before it exits.
     *
     * @return the simulated duration, or null for other modes
     */
    public Duration runFor() {
        return runFor;
    }

    /**
     * Returns the code the container exits with: 0 for {@link Mode#SUCCEEDS}, the chosen code for
     * {@link Mode#FAILS}.
     *
     * @return the exit code; 0 for modes whose containers do not exit by themselves
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * Tells whether the container exits by itself after {@link #runFor()}.
     *
     * @return true for {@link Mode#SUCCEEDS} and {@link Mode#FAILS}
     */
    public boolean exits() {
        return mode == Mode.SUCCEEDS || mode == Mode.FAILS;
    }

    /**
     * Returns the CPU a running container uses, as the metrics API reports it.
     *
     * @return millicores
     */
    public int cpuMillis() {
        return cpuMillis;
    }

    /**
     * Returns the memory a running container uses, as the metrics API reports it.
     *
     * @return MiB
     */
    public int memoryMiB() {
        return memoryMiB;
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
                && logLines.equals(that.logLines) && Objects.equals(runFor, that.runFor) && exitCode == that.exitCode
                && cpuMillis == that.cpuMillis && memoryMiB == that.memoryMiB;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, unreadyAfter, logLines, runFor, exitCode, cpuMillis, memoryMiB);
    }

    /**
     * Names the behavior.
     *
     * @return e.g. {@code CRASH_LOOP} or {@code READY_THEN_UNREADY(PT1M)}
     */
    @Override
    public String toString() {
        return mode + (unreadyAfter == null ? "" : "(" + unreadyAfter + ")")
                + (runFor == null ? "" : "(" + runFor + (mode == Mode.FAILS ? ", exit " + exitCode : "") + ")")
                + (logLines.isEmpty() ? "" : " writing " + logLines.size() + " log lines")
                + (cpuMillis == DEFAULT_CPU_MILLIS && memoryMiB == DEFAULT_MEMORY_MIB ? ""
                        : " using " + cpuMillis + "m CPU and " + memoryMiB + "Mi memory");
    }
}
