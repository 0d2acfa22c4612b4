package dev.bluegreen;

import dev.bluegreen.spi.Candidate;
import dev.bluegreen.spi.ColorEnvironments;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.EnvironmentState;
import dev.bluegreen.spi.RouteState;
import dev.bluegreen.spi.RouteWatch;
import dev.bluegreen.spi.SwitchResult;
import dev.bluegreen.spi.TrafficSwitcher;
import dev.bluegreen.spi.TrafficVerification;
import dev.bluegreen.spi.TrafficVerifier;
import dev.bluegreen.spi.VerificationWatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-memory platform of the Argo Rollouts kind for engine tests: one Rollout owns both routing
 * and environments. Its "colors" are revisions named when they are deployed ({@code rev-2}, ...);
 * switching to the new revision promotes it, switching back aborts a promotion that has not
 * completed or undoes one that has. Its own controller scales revisions (old ones after the
 * scale-down delay, aborted ones at once), so retiring and giving up only record that the
 * controller will do it: the engine must never scale anything here itself.
 */
final class RevisionPlatform {
    private static final String ROLLOUT = "Rollout shop/app";

    /** One revision (ReplicaSet) of the Rollout. */
    private static final class Revision {
        final String version;
        final int desired;
        int available;
        long generation = 1;
        int resourceVersion = 1;

        Revision(String version, int desired, boolean ready) {
            this.version = version;
            this.desired = desired;
            this.available = ready ? desired : 0;
        }
    }

    private final TimeSource time;
    private final Map<Color, Revision> revisions = new LinkedHashMap<>();
    private final List<String> operations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> scalesAskedOfTheEngine = Collections.synchronizedList(new ArrayList<>());
    private final List<Consumer<RouteState>> watchers = new CopyOnWriteArrayList<>();
    private Color stable = Color.of("rev-1");
    private Color beforePromotion;
    private boolean promotionComplete;
    private int routeRevision = 1;
    private int nextRevision = 2;
    private volatile String verificationFailure;

    RevisionPlatform(TimeSource time) {
        this.time = time;
        revisions.put(stable, new Revision("app:v1", 3, true));
    }

    /** Verification of the next promotion fails with this message (the promotion never completes). */
    RevisionPlatform failVerification(String message) {
        verificationFailure = message;
        return this;
    }

    /** @return the Rollout verbs run, and what its controller was left to do, in order */
    List<String> operations() {
        synchronized (operations) {
            return List.copyOf(operations);
        }
    }

    /** @return every time the engine asked for replicas itself (it never should here) */
    List<String> scalesAskedOfTheEngine() {
        synchronized (scalesAskedOfTheEngine) {
            return List.copyOf(scalesAskedOfTheEngine);
        }
    }

    synchronized Color stable() {
        return stable;
    }

    synchronized int replicasOf(String revision) {
        return revisions.get(Color.of(revision)).desired;
    }

    private synchronized RouteState route() {
        return RouteState.routed(ROLLOUT, stable, String.valueOf(routeRevision), time.now());
    }

    private synchronized EnvironmentState state(Color color) {
        Revision revision = revisions.get(color);
        String object = "ReplicaSet shop/app-" + color;
        if (revision == null) {
            return EnvironmentState.missing(color, object, time.now());
        }
        boolean rolledOut = revision.available == revision.desired;
        return new EnvironmentState(color, object, true, revision.version, revision.desired, revision.available,
                rolledOut, String.valueOf(revision.resourceVersion), revision.generation,
                rolledOut ? "all replicas available" : "waiting for replicas", time.now());
    }

    private void notifyWatchers() {
        RouteState now = route();
        watchers.forEach(watcher -> watcher.accept(now));
    }

    TrafficSwitcher switcher() {
        return new TrafficSwitcher() {
            @Override
            public String target() {
                return ROLLOUT;
            }

            @Override
            public RouteState read(Deadline deadline) {
                return route();
            }

            @Override
            public List<String> checkRoutable(Color color, RouteState route, Deadline deadline) {
                return List.of();
            }

            @Override
            public SwitchResult switchTo(Color color, RouteState decidedOn, Deadline deadline) {
                Color from;
                String before;
                synchronized (RevisionPlatform.this) {
                    before = String.valueOf(routeRevision);
                    if (!before.equals(decidedOn.revision())) {
                        throw new SwitchConflictException(ROLLOUT, decidedOn.revision(), ROLLOUT + " changed since "
                                + "revision " + decidedOn.revision(), null);
                    }
                    from = stable;
                    if (color.equals(stable)) {
                        return new SwitchResult(ROLLOUT, from, color, false, before, before, time.now());
                    }
                    if (!revisions.containsKey(color)) {
                        throw new ClusterApiException(ROLLOUT + " has no revision " + color, 422, null);
                    }
                    if (color.equals(beforePromotion)) {
                        operations.add((promotionComplete ? "undo to " : "abort " + stable + ", back to ") + color);
                        beforePromotion = null;
                    } else {
                        operations.add("promote " + color);
                        beforePromotion = stable;
                        promotionComplete = false;
                    }
                    stable = color;
                    routeRevision++;
                }
                notifyWatchers();
                return new SwitchResult(ROLLOUT, from, color, true, before, String.valueOf(routeRevision), time.now());
            }

            @Override
            public RouteWatch watch(RouteState from, Consumer<RouteState> onChange) {
                watchers.add(onChange);
                return new RouteWatch() {
                    @Override
                    public RouteState latest() {
                        return route();
                    }

                    @Override
                    public void close() {
                        watchers.remove(onChange);
                    }
                };
            }

            @Override
            public Optional<TrafficVerifier> verifier() {
                return Optional.of(color -> new VerificationWatch() {
                    @Override
                    public TrafficVerification await(Deadline deadline) {
                        synchronized (RevisionPlatform.this) {
                            String failure = verificationFailure;
                            if (failure != null && color.equals(stable) && beforePromotion != null) {
                                verificationFailure = null;
                                throw new VerificationException(ROLLOUT + ": " + failure);
                            }
                            if (!color.equals(stable)) {
                                throw new VerificationException(ROLLOUT + " serves " + stable + ", not " + color);
                            }
                            if (beforePromotion != null) {
                                promotionComplete = true;
                            }
                        }
                        return new TrafficVerification(ROLLOUT, color, List.of("app-" + color + "-1"),
                                "Rollout status", Duration.ZERO);
                    }

                    @Override
                    public void close() {
                    }
                });
            }
        };
    }

    ColorEnvironments environments() {
        return new ColorEnvironments() {
            @Override
            public String describe(Color color) {
                return "ReplicaSet shop/app-" + color;
            }

            @Override
            public Optional<Color> nextColor(Color live) {
                return Optional.empty();
            }

            @Override
            public EnvironmentState read(Color color, Deadline deadline) {
                return state(color);
            }

            @Override
            public List<String> checkDeployable(EnvironmentState state, EnvironmentState live) {
                return state == null ? List.of() : List.of("a revision platform names its candidate itself, but the "
                        + "engine asked about " + state.color());
            }

            @Override
            public Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline) {
                Color candidate;
                synchronized (RevisionPlatform.this) {
                    if (!decidedOn.color().equals(stable)
                            || revisions.get(stable).generation != decidedOn.generation()) {
                        throw new ConflictException(ROLLOUT, decidedOn.revision(), ROLLOUT + " changed since it was "
                                + "read", null);
                    }
                    candidate = Color.of("rev-" + nextRevision++);
                    revisions.put(candidate, new Revision(version, replicas, false));
                    operations.add("set image " + version + ": new revision " + candidate + " x" + replicas);
                }
                return new Candidate(candidate, version, "pod-template-hash 5d8f" + candidate.name().substring(4),
                        describe(candidate), "Service shop/app-preview");
            }

            @Override
            public EnvironmentState awaitReady(Candidate candidate, Deadline deadline) {
                synchronized (RevisionPlatform.this) {
                    Revision revision = revisions.get(candidate.color());
                    revision.available = revision.desired;
                    revision.resourceVersion++;
                }
                return state(candidate.color());
            }

            @Override
            public EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline) {
                operations.add(decidedOn.color() + " left to the Rollout controller, which scales it down after its "
                        + "scale-down delay");
                return state(decidedOn.color());
            }

            @Override
            public EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline) {
                operations.add(decidedOn.color() + " left to the Rollout controller, which scales aborted revisions down");
                return state(decidedOn.color());
            }

            @Override
            public EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline) {
                scalesAskedOfTheEngine.add("restore " + decidedOn.color() + " x" + replicas);
                return state(decidedOn.color());
            }
        };
    }

    ReleasePlan.Builder plan() {
        return ReleasePlan.builder().app("app").namespace("shop").version("app:v2")
                .switcher(switcher()).environments(environments())
                .store(dev.bluegreen.spi.ReleaseStore.inMemory(time, dev.bluegreen.spi.LockTiming.DEFAULT))
                .retention(Retention.scaleDownAfter(Duration.ofMinutes(10)));
    }
}
