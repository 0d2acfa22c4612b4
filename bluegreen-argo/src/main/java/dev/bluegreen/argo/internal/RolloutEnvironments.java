package dev.bluegreen.argo.internal;

import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.NotReadyException;
import dev.bluegreen.TimeSource;
import dev.bluegreen.argo.ArgoException;
import dev.bluegreen.argo.Rollout;
import dev.bluegreen.argo.RolloutPhase;
import dev.bluegreen.argo.RolloutStatus;
import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Rollout's revisions as environments: a color is a pod-template hash, its environment the Rollout's ReplicaSet
 * of that hash. Deploying sets the image (the plugin's {@code set image}, conditioned on the Rollout read) and names
 * the candidate once Argo has created its ReplicaSet; ready means Argo paused before promotion with every replica
 * of the new revision available behind the preview Service. Argo scales its own ReplicaSets, so retiring and
 * restoring write nothing (Argo scales the old revision down after {@code scaleDownDelaySeconds}); giving up a
 * candidate that was never promoted aborts the Rollout.
 */
public final class RolloutEnvironments implements ColorEnvironments {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutEnvironments.class);
    private static final Pattern IMAGE = Pattern.compile("[^\\s]+");

    private final RolloutClient rollouts;
    private final String container;
    private final TimeSource time;

    /**
     * @param rollouts  the Rollout's operations; never null
     * @param container the container whose image is the version, or null for the first container
     * @param time      the clock for read times; never null
     */
    public RolloutEnvironments(RolloutClient rollouts, String container, TimeSource time) {
        this.rollouts = rollouts;
        this.container = container;
        this.time = time;
    }

    @Override
    public String describe(Color color) {
        return "ReplicaSet " + rollouts.namespace() + "/" + rollouts.name() + "-" + color.name();
    }

    @Override
    public List<String> checkVersion(String version) {
        return IMAGE.matcher(version).matches() ? List.of()
                : List.of("version must be an image reference without whitespace, but was \"" + version + "\"");
    }

    @Override
    public Optional<Color> nextColor(Color live) {
        return Optional.empty();
    }

    @Override
    public EnvironmentState read(Color color, Deadline deadline) {
        Rollout rollout = rollouts.get();
        ReplicaSet rs = rollouts.ownedReplicaSets(rollout).stream()
                .filter(r -> color.name().equals(RolloutClient.labels(r).get(Rollout.HASH_LABEL)))
                .findFirst().orElse(null);
        if (rs == null) {
            return EnvironmentState.missing(color, describe(color), time.now());
        }
        int desired = rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
        int available = rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0
                : rs.getStatus().getAvailableReplicas();
        boolean observed = rs.getStatus() != null && rs.getStatus().getObservedGeneration() != null
                && rs.getStatus().getObservedGeneration() >= rs.getMetadata().getGeneration();
        boolean rolledOut = observed && desired > 0 && available >= desired;
        long revision = RolloutClient.revision(rs);
        return new EnvironmentState(color, describe(color), true, image(rs), desired, available, rolledOut,
                rs.getMetadata().getResourceVersion(), revision, "revision " + revision + ", " + available + " of "
                        + desired + " available", time.now());
    }

    private String image(ReplicaSet rs) {
        List<Container> containers = rs.getSpec().getTemplate().getSpec().getContainers();
        return containers.stream().filter(c -> container == null || container.equals(c.getName())).findFirst()
                .map(Container::getImage).orElse(null);
    }

    @Override
    public List<String> checkDeployable(EnvironmentState state, EnvironmentState live) {
        List<String> problems = new ArrayList<>();
        if (state != null) {
            problems.add("Argo Rollouts names the new revision itself, but the release asked about " + state.color());
        }
        Rollout rollout;
        try {
            rollout = rollouts.get();
        } catch (ArgoException e) {
            return List.of(e.getMessage());
        }
        if (rollout.autoPromotionEnabled()) {
            problems.add(rollout.describe() + " promotes by itself (spec.strategy.blueGreen.autoPromotionEnabled is "
                    + "true or unset), so gates could not run before the switch; set it to false");
        }
        if (rollout.previewService() == null) {
            problems.add(rollout.describe() + " has no spec.strategy.blueGreen.previewService, so the new revision "
                    + "cannot be tested before the switch; add one");
        }
        if (rollout.hasWorkloadRef()) {
            problems.add(rollout.describe() + " takes its pod template from spec.workloadRef, which is not supported");
        }
        if (container != null && !rollout.images().containsKey(container)) {
            problems.add(rollout.describe() + " has no container named \"" + container + "\"; its containers: "
                    + String.join(", ", rollout.images().keySet()));
        }
        RolloutStatus status = rollouts.statusOf(rollout);
        if (status.phase() != RolloutPhase.HEALTHY) {
            problems.add(rollout.describe() + " is " + status.phase() + (status.message().isEmpty() ? ""
                    : " (" + status.message() + ")") + ", not Healthy: an update is in progress or failed; promote, "
                    + "abort or undo it first");
        }
        return problems;
    }

    @Override
    public Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
        Rollout rollout = rollouts.get();
        String live = decidedOn.color().name();
        if (!live.equals(rollout.stableHash()) || !live.equals(rollout.currentPodHash())) {
            throw new ConflictException(rollouts.describe(), rollout.resourceVersion(), rollouts.describe()
                    + " changed since the release read it: its stable revision is " + rollout.stableHash()
                    + " and its desired one " + rollout.currentPodHash() + ", the release decided on " + live
                    + "; nothing was written", null);
        }
        String name = container != null ? container : firstContainer(rollout);
        String patch = rollouts.setImagePatch(rollout, name, version);
        if (patch == null) {
            throw new ArgoException(rollouts.describe() + " already runs " + version + " in container " + name
                    + ": there is no new revision to release; nothing was written");
        }
        Rollout written = rollouts.patch("set image", RolloutClient.JSON, patch);
        LOG.info("{}: set image {}={} (resourceVersion {} -> {})", rollouts.describe(), name, version,
                rollout.resourceVersion(), written.resourceVersion());
        RolloutStatus status = rollouts.await(s -> s.currentHash() != null && !live.equals(s.currentHash())
                && s.revision() > 0, "at a new revision", deadline);
        Color candidate = Color.of(status.currentHash());
        String preview = "Service " + rollouts.namespace() + "/" + written.previewService();
        return new Candidate(candidate, version, "revision " + status.revision() + ", pod-template hash "
                + status.currentHash(), describe(candidate), preview);
    }

    private static String firstContainer(Rollout rollout) {
        List<java.util.Map<String, Object>> containers = Trees.maps(rollout.podTemplate(), "spec", "containers");
        return containers.isEmpty() ? "*" : String.valueOf(containers.get(0).get("name"));
    }

    @Override
    public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
        String hash = candidate.color().name();
        RolloutStatus status;
        try {
            status = rollouts.await(s -> !hash.equals(s.currentHash()) || s.phase() == RolloutPhase.DEGRADED
                    || s.phase() == RolloutPhase.PAUSED && s.pauseConditions().contains("BlueGreenPause")
                            && hash.equals(s.previewSelector()),
                    "Paused (BlueGreenPause) with revision " + hash + " ready behind the preview Service", deadline);
        } catch (ArgoException e) {
            EnvironmentState state = read(candidate.color(), deadline);
            throw new NotReadyException(e.getMessage() + "; " + state, List.of(state.toString()));
        }
        if (!hash.equals(status.currentHash())) {
            throw new NotReadyException(rollouts.describe() + " moved on to revision " + status.currentHash()
                    + " while revision " + hash + " was coming up (someone changed its template)", List.of());
        }
        EnvironmentState state = read(candidate.color(), deadline);
        if (status.phase() == RolloutPhase.DEGRADED || !state.rolledOut()) {
            throw new NotReadyException(rollouts.describe() + " is " + status.phase() + " (" + status.message() + "); "
                    + state, List.of(state.toString()));
        }
        return state;
    }

    @Override
    public EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline) {
        LOG.info("{}: left to Argo, which scales it down after its scale-down delay", decidedOn.object());
        return read(decidedOn.color(), deadline);
    }

    @Override
    public EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline) {
        Rollout rollout = rollouts.get();
        String hash = decidedOn.color().name();
        if (hash.equals(rollout.currentPodHash()) && !hash.equals(rollout.stableHash()) && !rollout.aborted()) {
            rollouts.statusPatch("abort", "{\"metadata\":{\"resourceVersion\":\"" + rollout.resourceVersion() + "\"},"
                    + RolloutClient.ABORT.substring(1));
            LOG.info("{}: aborted revision {}; Argo scales it down after abortScaleDownDelaySeconds",
                    rollouts.describe(), hash);
        }
        return read(decidedOn.color(), deadline);
    }

    @Override
    public EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline) {
        LOG.warn("{}: Argo owns its replicas; asked to restore {} replicas, left to the Rollout", decidedOn.object(),
                replicas);
        return read(decidedOn.color(), deadline);
    }

    @Override
    public String toString() {
        return "RolloutEnvironments[" + rollouts.describe() + "]";
    }
}
