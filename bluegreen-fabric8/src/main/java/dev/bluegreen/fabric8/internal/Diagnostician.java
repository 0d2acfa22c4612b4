package dev.bluegreen.fabric8.internal;

import dev.bluegreen.fabric8.KubernetesCandidate;
import dev.bluegreen.fabric8.KubernetesDiagnosis;
import dev.bluegreen.fabric8.KubernetesDiagnosis.PodDiagnosis;
import dev.bluegreen.fabric8.KubernetesDiagnosis.ServiceEndpoints;
import dev.bluegreen.spi.Deadline;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Gathers a {@link KubernetesDiagnosis}: reads only, and notes what it cannot read instead of failing. */
public final class Diagnostician {
    /** Log lines kept per failing pod. */
    static final int LOG_LINES = 10;
    /** Events kept per pod. */
    static final int EVENTS = 5;

    private Diagnostician() {
    }

    /**
     * @param client    the client
     * @param candidate the color's objects
     * @param deadline  bounds the reads: pods left when it expires are listed without events and logs
     * @return the diagnosis
     */
    public static KubernetesDiagnosis diagnose(KubernetesClient client, KubernetesCandidate candidate, Deadline deadline) {
        List<String> problems = new ArrayList<>();
        ServiceEndpoints endpoints = endpoints(client, candidate, problems);
        List<PodDiagnosis> pods = new ArrayList<>();
        List<Pod> found;
        try {
            found = CandidatePods.list(client, candidate);
        } catch (KubernetesClientException e) {
            problems.add("the pods " + candidate.selectorString() + ": " + KubeCalls.reason(e));
            found = List.of();
        }
        for (Pod pod : found) {
            if (deadline.expired()) {
                problems.add("the events and logs of pod " + CandidatePods.name(pod) + ": no time left within "
                        + deadline.timeout());
                pods.add(new PodDiagnosis(CandidatePods.name(pod), CandidatePods.phase(pod), Pods.isReady(pod),
                        CandidatePods.restarts(pod), CandidatePods.waitingReason(pod), Optional.empty(), List.of(), List.of(),
                        false));
                continue;
            }
            pods.add(pod(client, candidate.namespace(), pod, problems));
        }
        return new KubernetesDiagnosis(candidate.describePods(), endpoints, pods, problems);
    }

    private static ServiceEndpoints endpoints(KubernetesClient client, KubernetesCandidate candidate, List<String> problems) {
        try {
            Endpoints endpoints = client.endpoints().inNamespace(candidate.namespace()).withName(candidate.service()).get();
            if (endpoints == null) {
                return new ServiceEndpoints(candidate.service(), false, List.of(), List.of());
            }
            List<String> ready = new ArrayList<>();
            List<String> notReady = new ArrayList<>();
            for (EndpointSubset subset : endpoints.getSubsets()) {
                subset.getAddresses().forEach(a -> ready.add(address(a)));
                subset.getNotReadyAddresses().forEach(a -> notReady.add(address(a)));
            }
            return new ServiceEndpoints(candidate.service(), true, ready, notReady);
        } catch (KubernetesClientException e) {
            problems.add("the endpoints of Service " + candidate.service() + ": " + KubeCalls.reason(e));
            return new ServiceEndpoints(candidate.service(), false, List.of(), List.of());
        }
    }

    private static String address(EndpointAddress address) {
        return address.getTargetRef() == null ? address.getIp() : address.getTargetRef().getName() + " (" + address.getIp() + ")";
    }

    private static PodDiagnosis pod(KubernetesClient client, String namespace, Pod pod, List<String> problems) {
        String name = CandidatePods.name(pod);
        boolean ready = Pods.isReady(pod);
        int restarts = CandidatePods.restarts(pod);
        Optional<String> waiting = CandidatePods.containers(pod).stream()
                .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
                .map(c -> c.getState().getWaiting().getReason()
                        + (c.getState().getWaiting().getMessage() == null ? "" : " (" + c.getState().getWaiting().getMessage() + ")"))
                .findFirst();
        Optional<String> lastTermination = CandidatePods.containers(pod).stream()
                .map(Diagnostician::terminated).filter(t -> t != null)
                .map(t -> "exit code " + t.getExitCode() + (t.getReason() == null ? "" : " (" + t.getReason() + ")"))
                .findFirst();
        List<String> events = events(client, namespace, name, problems);
        boolean failing = !ready || restarts > 0 || waiting.isPresent();
        List<String> logs = List.of();
        boolean previous = false;
        if (failing) {
            previous = restarts > 0;
            logs = logs(client, namespace, pod, previous, problems);
            if (logs.isEmpty() && previous) {
                previous = false;
                logs = logs(client, namespace, pod, false, problems);
            }
        }
        return new PodDiagnosis(name, CandidatePods.phase(pod), ready, restarts, waiting.map(w -> w.split(" ")[0]),
                lastTermination, events, logs, previous);
    }

    private static ContainerStateTerminated terminated(ContainerStatus container) {
        if (container.getState() != null && container.getState().getTerminated() != null) {
            return container.getState().getTerminated();
        }
        return container.getLastState() == null ? null : container.getLastState().getTerminated();
    }

    private static List<String> events(KubernetesClient client, String namespace, String pod, List<String> problems) {
        try {
            List<Event> events = new ArrayList<>(client.v1().events().inNamespace(namespace)
                    .withField("involvedObject.name", pod).list().getItems());
            events.removeIf(e -> !"Warning".equals(e.getType()) || e.getInvolvedObject() == null
                    || !pod.equals(e.getInvolvedObject().getName()));
            events.sort(Comparator.comparing((Event e) -> String.valueOf(e.getLastTimestamp() != null ? e.getLastTimestamp()
                    : e.getMetadata().getCreationTimestamp())));
            List<String> lines = new ArrayList<>();
            for (Event event : events.subList(Math.max(0, events.size() - EVENTS), events.size())) {
                int count = event.getCount() == null ? 1 : event.getCount();
                lines.add(event.getReason() + (count > 1 ? " (x" + count + ")" : "") + ": " + event.getMessage());
            }
            return lines;
        } catch (KubernetesClientException e) {
            problems.add("the events of pod " + pod + ": " + KubeCalls.reason(e));
            return List.of();
        }
    }

    private static List<String> logs(KubernetesClient client, String namespace, Pod pod, boolean previous, List<String> problems) {
        List<String> lines = new ArrayList<>();
        for (var container : pod.getSpec().getContainers()) {
            try {
                var resource = client.pods().inNamespace(namespace).withName(CandidatePods.name(pod)).inContainer(container.getName());
                String log = previous ? resource.terminated().tailingLines(LOG_LINES).getLog()
                        : resource.tailingLines(LOG_LINES).getLog();
                if (log != null && !log.isBlank()) {
                    String prefix = pod.getSpec().getContainers().size() > 1 ? container.getName() + ": " : "";
                    Arrays.stream(log.strip().split("\n")).map(l -> prefix + l).forEach(lines::add);
                }
            } catch (KubernetesClientException e) {
                if (!previous) {
                    lines.add("(no logs: " + KubeCalls.reason(e) + ")");
                }
            }
        }
        return lines;
    }
}
