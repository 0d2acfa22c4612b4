package dev.bluegreen.fabric8.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;
import dev.bluegreen.fabric8.KubernetesCandidate;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Passes when a Service (by default the candidate's live Service) has at least N ready addresses and
 * every ready address is a pod of the candidate's color.
 */
public final class EndpointsReadyGate implements HealthGate {
    private final KubernetesClient client;
    private final Function<GateContext, String> service;
    private final int minReady;

    /**
     * @param client   the client
     * @param service  the Service for a context; null means the candidate's live Service
     * @param minReady the fewest ready addresses that pass; at least 1
     */
    public EndpointsReadyGate(KubernetesClient client, Function<GateContext, String> service, int minReady) {
        this.client = client;
        this.service = service;
        this.minReady = minReady;
    }

    @Override
    public GateResult evaluate(GateContext context) {
        KubernetesCandidate candidate = CandidatePods.of(context);
        String name = service == null ? candidate.service() : service.apply(context);
        String object = "Service " + candidate.namespace() + "/" + name;
        Endpoints endpoints = client.endpoints().inNamespace(candidate.namespace()).withName(name).get();
        Set<String> ours = CandidatePods.list(client, candidate).stream().map(Pod::getMetadata)
                .map(m -> m.getName()).collect(Collectors.toSet());
        List<String> ready = new ArrayList<>();
        Set<String> foreign = new TreeSet<>();
        int notReady = 0;
        if (endpoints != null && endpoints.getSubsets() != null) {
            for (EndpointSubset subset : endpoints.getSubsets()) {
                for (EndpointAddress address : subset.getAddresses()) {
                    String pod = address.getTargetRef() == null ? null : address.getTargetRef().getName();
                    ready.add(pod == null ? address.getIp() : pod);
                    if (pod == null || !ours.contains(pod)) {
                        foreign.add(pod == null ? address.getIp() : pod);
                    }
                }
                notReady += subset.getNotReadyAddresses().size();
            }
        }
        String counts = ready.size() + " ready address(es) (at least " + minReady + " expected), " + notReady + " not ready";
        GateResult result;
        if (!foreign.isEmpty()) {
            result = GateResult.failed(object + " has ready addresses that are not pods of " + candidate.color() + " ("
                    + candidate.selectorString() + "): " + foreign + "; " + counts);
        } else if (ready.size() < minReady) {
            result = GateResult.failed(object + " has too few ready endpoints of " + candidate.color() + ": " + counts);
        } else {
            result = GateResult.passed(object + ": " + counts + ", all pods of " + candidate.color());
        }
        return result.withMeasurement("ready", ready.size()).withMeasurement("not_ready", notReady)
                .withMeasurement("other_color", foreign.size());
    }

    @Override
    public String name() {
        return "endpoints-ready";
    }
}
