package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Counts the lines matching a pattern in the last lines of every container of the candidate's pods
 * (the guide's {@code kubectl logs | grep ERROR | wc -l}); fails above a threshold.
 */
public final class LogErrorsGate implements HealthGate {
    /** Most matching lines quoted in a result. */
    private static final int QUOTED = 3;

    private final KubernetesClient client;
    private final Pattern pattern;
    private final int maxLines;
    private final int tailLines;

    /**
     * @param client    the client
     * @param pattern   what an error line contains (found anywhere in the line)
     * @param maxLines  the most matching lines, summed over the pods, that pass
     * @param tailLines how many recent lines of each container are read
     */
    public LogErrorsGate(KubernetesClient client, Pattern pattern, int maxLines, int tailLines) {
        this.client = client;
        this.pattern = pattern;
        this.maxLines = maxLines;
        this.tailLines = tailLines;
    }

    @Override
    public GateResult evaluate(GateContext context) {
        KubernetesCandidate candidate = CandidatePods.of(context);
        List<Pod> pods = CandidatePods.list(client, candidate);
        if (pods.isEmpty()) {
            return GateResult.inconclusive("no " + candidate.describePods() + " exist, so there are no logs to read");
        }
        int matching = 0;
        int read = 0;
        List<String> unreadable = new ArrayList<>();
        List<String> quoted = new ArrayList<>();
        for (Pod pod : pods) {
            for (Container container : pod.getSpec().getContainers()) {
                String log;
                try {
                    log = client.pods().inNamespace(candidate.namespace()).withName(CandidatePods.name(pod))
                            .inContainer(container.getName()).tailingLines(tailLines).getLog();
                } catch (KubernetesClientException e) {
                    unreadable.add(CandidatePods.name(pod) + "/" + container.getName() + " (" + e.getCode() + ")");
                    continue;
                }
                read++;
                for (String line : log == null ? new String[0] : log.split("\n")) {
                    if (pattern.matcher(line).find()) {
                        matching++;
                        if (quoted.size() < QUOTED) {
                            quoted.add(CandidatePods.name(pod) + ": " + line.strip());
                        }
                    }
                }
            }
        }
        if (read == 0) {
            return GateResult.inconclusive("the logs of " + candidate.describePods() + " could not be read: " + unreadable);
        }
        String what = matching + " line(s) matching '" + pattern + "' in the last " + tailLines + " lines of " + read
                + " container(s) of " + candidate.describePods() + " (at most " + maxLines + " allowed)"
                + (unreadable.isEmpty() ? "" : "; unreadable: " + unreadable);
        GateResult result = matching > maxLines ? GateResult.failed(what + ", e.g. " + quoted) : GateResult.passed(what);
        return result.withMeasurement("matching_lines", matching).withMeasurement("containers_read", read);
    }

    @Override
    public String name() {
        return "log-errors";
    }
}
