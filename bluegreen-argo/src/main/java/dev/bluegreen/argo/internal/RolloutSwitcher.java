package dev.bluegreen.argo.internal;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.SwitchConflictException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.VerificationException;
import dev.bluegreen.argo.ArgoException;
import dev.bluegreen.argo.Rollout;
import dev.bluegreen.argo.RolloutPhase;
import dev.bluegreen.argo.RolloutStatus;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a blue-green Rollout's traffic: the live color is the revision (pod-template hash) the active Service
 * selects. Switching to the desired revision promotes the Rollout; switching back to the stable revision before
 * the promotion completes aborts it; switching to an older revision after it completed undoes to that revision's
 * pod template and promotes it once Argo pauses it again. Each write is a merge or JSON patch conditioned on the
 * Rollout's resourceVersion from a read made right before it, which re-checked that the active Service still
 * selects the color the engine decided on; after a 409 (Argo's controller writes the status often) it reads and
 * decides again. The switch returns once the active Service selects the color: Argo's controller makes that
 * write, and only when the revision's replicas are available.
 */
public final class RolloutSwitcher implements TrafficSwitcher {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutSwitcher.class);
    private static final int ATTEMPTS = 10;
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private final RolloutClient rollouts;
    private final TimeSource time;

    /**
     * @param rollouts the Rollout's operations; never null
     * @param time     the clock for read times; never null
     */
    public RolloutSwitcher(RolloutClient rollouts, TimeSource time) {
        this.rollouts = rollouts;
        this.time = time;
    }

    @Override
    public String target() {
        return rollouts.describe();
    }

    /** The Rollout and the hash its active Service selects, read together. */
    private record Routing(Rollout rollout, Service active, String hash) {
    }

    private Routing routing() {
        Rollout rollout = rollouts.get();
        String name = rollout.activeService();
        Service active;
        try {
            active = rollouts.client().services().inNamespace(rollouts.namespace()).withName(name).get();
        } catch (KubernetesClientException e) {
            throw rollouts.apiError("read of Service " + rollouts.namespace() + "/" + name + " failed", e);
        }
        String hash = active == null || active.getSpec() == null || active.getSpec().getSelector() == null ? null
                : active.getSpec().getSelector().get(Rollout.HASH_LABEL);
        return new Routing(rollout, active, hash);
    }

    private RouteState state(Routing routing) {
        String service = "Service " + rollouts.namespace() + "/" + routing.rollout().activeService();
        if (routing.active() == null) {
            return RouteState.unrouted(target(), routing.rollout().resourceVersion(), "the active " + service
                    + " does not exist", time.now());
        }
        if (routing.hash() == null) {
            return RouteState.unrouted(target(), routing.rollout().resourceVersion(), "the active " + service
                    + " selects no revision (no " + Rollout.HASH_LABEL + " in its selector yet)", time.now());
        }
        return RouteState.routed(target(), Color.of(routing.hash()), routing.rollout().resourceVersion(), time.now());
    }

    @Override
    public RouteState read(Deadline deadline) {
        return state(routing());
    }

    @Override
    public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
        return List.of();
    }

    @Override
    public SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
        for (int attempt = 1; ; attempt++) {
            deadline.checkStopping();
            Routing now = routing();
            String rv = now.rollout().resourceVersion();
            if (color.name().equals(now.hash())) {
                return new SwitchResult(target(), color, color, false, rv, rv, time.now());
            }
            if (decidedOn.live() == null || !decidedOn.live().name().equals(now.hash())) {
                throw new SwitchConflictException(target(), decidedOn.revision(), target() + ": the active Service now "
                        + "selects " + now.hash() + ", not " + decidedOn.live() + " as when the switch was decided; "
                        + "nothing was written", null);
            }
            try {
                String action = write(now.rollout(), color);
                LOG.info("{}: {} (resourceVersion {})", target(), action, rv);
                break;
            } catch (ClusterApiException e) {
                if (e.statusCode() != 409 || attempt >= ATTEMPTS) {
                    if (e.statusCode() == 409) {
                        throw new SwitchConflictException(target(), rv, target() + " changed at every one of " + ATTEMPTS
                                + " attempts to switch it to " + color + "; nothing was written", e);
                    }
                    throw e;
                }
                deadline.noteFailure(e);
            }
        }
        Rollout after = awaitActive(color, deadline);
        return new SwitchResult(target(), decidedOn.live(), color, true, decidedOn.revision() == null ? "" : decidedOn.revision(),
                after.resourceVersion(), time.now());
    }

    /** One conditioned write that moves the Rollout towards {@code color}; returns what it did. */
    private String write(Rollout rollout, Color color) {
        String hash = color.name();
        String rv = rollout.resourceVersion();
        if (hash.equals(rollout.currentPodHash()) && !hash.equals(rollout.stableHash())) {
            if (rollout.paused()) {
                rollouts.patch("promote", MERGE, "{\"metadata\":{\"resourceVersion\":\"" + rv + "\"},"
                        + RolloutClient.UNPAUSE.substring(1));
                return "promote: unpaused";
            }
            if (rollout.aborted()) {
                throw new ArgoException(target() + " was aborted; it cannot be promoted to " + hash + " without a retry");
            }
            rollouts.statusPatch("promote", "{\"metadata\":{\"resourceVersion\":\"" + rv + "\"},"
                    + RolloutClient.CLEAR_PAUSE_CONDITIONS.substring(1));
            return "promote to " + hash;
        }
        if (hash.equals(rollout.stableHash()) && !hash.equals(rollout.currentPodHash())) {
            rollouts.statusPatch("abort", "{\"metadata\":{\"resourceVersion\":\"" + rv + "\"},"
                    + RolloutClient.ABORT.substring(1));
            return "abort: back to the stable revision " + hash;
        }
        List<ReplicaSet> owned = rollouts.ownedReplicaSets(rollout);
        ReplicaSet target = owned.stream().filter(rs -> hash.equals(RolloutClient.labels(rs).get(Rollout.HASH_LABEL)))
                .findFirst().orElseThrow(() -> new ArgoException(target() + " has no revision with pod-template hash "
                        + hash + " to switch to; nothing was written"));
        rollouts.undo(rollout, RolloutClient.revision(target));
        return "undo to revision " + RolloutClient.revision(target) + " (" + hash + ")";
    }

    /**
     * Waits until the active Service selects {@code color}; promotes the revision an undo brought back once Argo
     * pauses it before promotion (a Rollout without auto-promotion does).
     */
    private Rollout awaitActive(Color color, Deadline deadline) {
        String hash = color.name();
        RolloutStatus status = rollouts.await(s -> hash.equals(s.activeSelector())
                        || (hash.equals(s.currentHash()) && s.phase() == RolloutPhase.PAUSED
                                && s.pauseConditions().contains("BlueGreenPause"))
                        || s.phase() == RolloutPhase.DEGRADED && !s.aborted(),
                "switched to " + hash, deadline);
        if (!hash.equals(status.activeSelector()) && status.phase() == RolloutPhase.DEGRADED) {
            throw new ClusterApiException(target() + " is Degraded (" + status.message() + ") instead of switching to "
                    + hash, target(), 0, null);
        }
        if (!hash.equals(status.activeSelector())) {
            Rollout rollout = rollouts.get();
            rollouts.statusPatch("promote", "{\"metadata\":{\"resourceVersion\":\"" + rollout.resourceVersion() + "\"},"
                    + RolloutClient.CLEAR_PAUSE_CONDITIONS.substring(1));
            LOG.info("{}: promoted revision {} after the undo", target(), hash);
            rollouts.await(s -> hash.equals(s.activeSelector()), "switched to " + hash, deadline);
        }
        return rollouts.get();
    }

    @Override
    public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
        Rollout rollout = rollouts.get();
        String service = rollout.activeService();
        AtomicReference<RouteState> latest = new AtomicReference<>(from);
        Watch watch = rollouts.client().services().inNamespace(rollouts.namespace()).withName(service)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Service changed) {
                        String hash = action == Action.DELETED || changed.getSpec() == null
                                || changed.getSpec().getSelector() == null ? null
                                : changed.getSpec().getSelector().get(Rollout.HASH_LABEL);
                        RouteState state = hash == null
                                ? RouteState.unrouted(target(), changed.getMetadata().getResourceVersion(), "the active "
                                        + "Service " + rollouts.namespace() + "/" + service + " selects no revision",
                                        time.now())
                                : RouteState.routed(target(), Color.of(hash), changed.getMetadata().getResourceVersion(),
                                        time.now());
                        RouteState before = latest.getAndSet(state);
                        if (before == null || !java.util.Objects.equals(before.live(), state.live())) {
                            onChange.accept(state);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        if (cause != null) {
                            LOG.warn("{}: the watch of the active Service closed: {}", target(), cause.getMessage());
                        }
                    }
                });
        return new RouteWatch() {
            @Override
            public RouteState latest() {
                return latest.get();
            }

            @Override
            public void close() {
                watch.close();
            }
        };
    }

    @Override
    public Optional<TrafficVerifier> verifier() {
        return Optional.of(color -> new VerificationWatch() {
            @Override
            public TrafficVerification await(Deadline deadline) {
                Instant started = Instant.now();
                String hash = color.name();
                RolloutStatus status;
                try {
                    status = rollouts.await(s -> hash.equals(s.activeSelector()) && (s.phase() == RolloutPhase.HEALTHY
                            && hash.equals(s.stableHash()) || s.aborted() && hash.equals(s.stableHash())),
                            "serving " + hash + " through its active Service", deadline);
                } catch (ArgoException e) {
                    throw new VerificationException(e.getMessage());
                }
                List<String> ready = readyPods(hash);
                if (ready.isEmpty()) {
                    throw new VerificationException(target() + " selects " + hash + " but no pod of that revision is "
                            + "ready; last status: " + status);
                }
                return new TrafficVerification(target(), color, ready, "Rollout status and the revision's ready pods",
                        Duration.between(started, Instant.now()));
            }

            @Override
            public void close() {
            }
        });
    }

    private List<String> readyPods(String hash) {
        return rollouts.client().pods().inNamespace(rollouts.namespace()).withLabel(Rollout.HASH_LABEL, hash).list()
                .getItems().stream().filter(RolloutSwitcher::ready).map(pod -> pod.getMetadata().getName()).sorted()
                .toList();
    }

    private static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public String toString() {
        return "RolloutSwitcher[" + target() + "]";
    }
}
