package dev.bluegreen.testkit;

/**
 * How the simulated kubelet runs the containers of a given image, chosen with
 * {@link SimulatedCluster#markImage(String, PodBehavior)} or {@link SimulatedCluster.Builder#image}.
 * Unmarked images are {@link #HEALTHY}. Every pod starts {@code Pending} (containers waiting with reason
 * {@code ContainerCreating}) and takes its final state once the cluster's readiness delay has passed.
 */
public enum PodBehavior {

    /**
     * The container starts and passes its readiness probe: phase {@code Running}, container running and
     * ready, pod conditions {@code Ready} and {@code ContainersReady} are {@code True}.
     */
    HEALTHY,

    /**
     * The container runs but its readiness probe always fails: phase {@code Running}, container running with
     * {@code ready=false}, conditions {@code Ready}/{@code ContainersReady} are {@code False} with reason
     * {@code ContainersNotReady} and message {@code containers with unready status: [<name>]}. The probe
     * failure is explained in the pod's {@code status.message} (e.g. {@code Readiness probe failed: HTTP probe
     * failed with statuscode: 503}) and in a {@code Warning} Event with reason {@code Unhealthy}.
     */
    NEVER_READY,

    /**
     * The container exits with code 1 right after starting: phase {@code Running}, container waiting with
     * reason {@code CrashLoopBackOff} and message {@code back-off 10s restarting failed container=<c>
     * pod=<pod>}, {@code restartCount} 1, {@code lastState.terminated} with exit code 1 and reason
     * {@code Error}; a {@code Warning} Event with reason {@code BackOff} is recorded. The restart count does
     * not keep growing, so the cluster still settles.
     */
    CRASH_LOOP
}
