package dev.bluegreen.fabric8;

import dev.bluegreen.Diagnosis;
import dev.bluegreen.ReleaseResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guide's troubleshooting steps, done when a release fails, aborts or rolls back, before its
 * candidate is given up: the live Service's endpoints ({@code kubectl get endpoints}), each pod of the
 * candidate's color with its phase, readiness, restarts and waiting reason ({@code kubectl get pods}),
 * its warning events such as readiness-probe failures ({@code kubectl describe pod}), and the last log
 * lines of every failing pod ({@code kubectl logs [--previous]}). {@link ReleaseResult#diagnosis()}
 * carries it; {@link #toString()} renders it; the records give it as data.
 *
 * @param subject   what was diagnosed, e.g. {@code pods app=myapp,version=green of Deployment shop/myapp-green}
 * @param endpoints the live Service's endpoints
 * @param pods      each pod of the color, by name
 * @param problems  what could not be read, if anything
 */
public record KubernetesDiagnosis(String subject, ServiceEndpoints endpoints, List<PodDiagnosis> pods,
                                  List<String> problems) implements Diagnosis {

    /** Copies the lists. */
    public KubernetesDiagnosis {
        pods = List.copyOf(pods);
        problems = List.copyOf(problems);
    }

    /**
     * @param result a release's result
     * @return its diagnosis, when the Kubernetes adapter gathered one
     */
    public static Optional<KubernetesDiagnosis> of(ReleaseResult result) {
        return result.diagnosis().filter(KubernetesDiagnosis.class::isInstance).map(KubernetesDiagnosis.class::cast);
    }

    /**
     * @param name a pod's name
     * @return that pod's diagnosis
     */
    public Optional<PodDiagnosis> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** @return the pods that are not ready, restarted or wait for something */
    public List<PodDiagnosis> failingPods() {
        return pods.stream().filter(PodDiagnosis::failing).toList();
    }

    @Override
    public List<String> findings() {
        List<String> findings = new ArrayList<>();
        for (PodDiagnosis pod : failingPods()) {
            findings.add(pod.summary());
        }
        if (pods.isEmpty()) {
            findings.add("no pods of " + subject + " exist");
        }
        if (endpoints.exists() && endpoints.ready().isEmpty()) {
            findings.add("Service " + endpoints.service() + " has no ready endpoints");
        }
        findings.addAll(problems);
        return findings;
    }

    @Override
    public String render() {
        StringBuilder text = new StringBuilder("diagnosis of ").append(subject).append('\n');
        text.append("  endpoints of Service ").append(endpoints.service()).append(": ");
        if (!endpoints.exists()) {
            text.append("none (no Endpoints object)\n");
        } else {
            text.append("ready ").append(endpoints.ready()).append(", not ready ").append(endpoints.notReady()).append('\n');
        }
        if (pods.isEmpty()) {
            text.append("  no pods\n");
        }
        for (PodDiagnosis pod : pods) {
            text.append("  pod ").append(pod.summary()).append('\n');
            for (String event : pod.events()) {
                text.append("    event ").append(event).append('\n');
            }
            if (!pod.logTail().isEmpty()) {
                text.append("    last log lines").append(pod.previousLogs() ? " (previous container)" : "").append(":\n");
                for (String line : pod.logTail()) {
                    text.append("      ").append(line).append('\n');
                }
            }
        }
        for (String problem : problems) {
            text.append("  could not read: ").append(problem).append('\n');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    /**
     * A Service's endpoints when the diagnosis was made.
     *
     * @param service  the Service's name
     * @param exists   whether the Endpoints object exists
     * @param ready    ready addresses, as pod names (or IPs without a pod)
     * @param notReady not-ready addresses, likewise
     */
    public record ServiceEndpoints(String service, boolean exists, List<String> ready, List<String> notReady) {
        /** Copies the lists. */
        public ServiceEndpoints {
            ready = List.copyOf(ready);
            notReady = List.copyOf(notReady);
        }
    }

    /**
     * One pod of the diagnosed color.
     *
     * @param name          the pod's name
     * @param phase         its phase, e.g. {@code Running}
     * @param ready         whether its Ready condition is true
     * @param restarts      container restarts, summed
     * @param waitingReason why a container waits, e.g. {@code CrashLoopBackOff}; empty when none waits
     * @param lastTermination how a container last ended, e.g. {@code exit code 1 (Error)}; empty when none did
     * @param events        its warning events, e.g. {@code Unhealthy (x3): Readiness probe failed: ...}
     * @param logTail       its last log lines when it is failing, oldest first
     * @param previousLogs  whether the lines are those of the previous (crashed) container
     */
    public record PodDiagnosis(String name, String phase, boolean ready, int restarts, Optional<String> waitingReason,
                               Optional<String> lastTermination, List<String> events, List<String> logTail,
                               boolean previousLogs) {
        /** Copies the lists. */
        public PodDiagnosis {
            events = List.copyOf(events);
            logTail = List.copyOf(logTail);
        }

        /** @return whether it is not ready, restarted or waits */
        public boolean failing() {
            return !ready || restarts > 0 || waitingReason.isPresent();
        }

        /** @return e.g. {@code myapp-green-5d8f-abcde Running, not ready, 4 restarts, waiting: CrashLoopBackOff} */
        public String summary() {
            return name + " " + phase + ", " + (ready ? "ready" : "not ready") + ", " + restarts
                    + (restarts == 1 ? " restart" : " restarts")
                    + waitingReason.map(r -> ", waiting: " + r).orElse("")
                    + lastTermination.map(t -> ", last ended: " + t).orElse("");
        }
    }
}
