package dev.bluegreen.spi;

import dev.bluegreen.ClusterApiException;
import dev.bluegreen.Color;
import dev.bluegreen.ConflictException;
import dev.bluegreen.Diagnosis;
import dev.bluegreen.NotReadyException;

import java.util.List;
import java.util.Optional;

/**
 * The environments a version runs in, and everything about readiness: for Kubernetes the
 * {@code <app>-blue} and {@code <app>-green} Deployments; for Argo Rollouts the Rollout's
 * ReplicaSets. The engine never scales or deletes anything itself: it states intents
 * ({@link #deploy}, {@link #retire}, {@link #discard}, {@link #restore}) and each adapter carries
 * them out its own way, so a platform that manages its own replicas (Argo scales down old
 * revisions after its scale-down delay) is never scaled behind its back.
 *
 * <p>Every write is conditioned on the state it was decided on, and refused with
 * {@link ConflictException} when someone else changed the environment's spec since (invariant
 * I2); a change by the platform's own controllers (status) is not a reason to refuse.
 * Implementations are thread-safe; reads and checks never write.
 */
public interface ColorEnvironments {

    /**
     * @param color a color; never null
     * @return the object behind it, for messages, e.g. {@code Deployment shop/myapp-green}
     */
    String describe(Color color);

    /**
     * The adapter's description of a color as data, for the {@link Candidate#attributes()} of a
     * candidate the engine describes itself (when it recovers a crashed release, it did not get the
     * candidate from {@link #deploy}).
     *
     * @param color a color; never null
     * @return the attributes {@link #deploy} would give its candidate; empty by default
     */
    default java.util.Map<String, String> candidateAttributes(Color color) {
        return java.util.Map.of();
    }

    /**
     * Checks, before anything runs, that a version is something this platform can run (for
     * Kubernetes, a well-formed image reference). Called when a plan is built.
     *
     * @param version the plan's version; never null
     * @return every problem found, each naming the value and what was expected; empty when there is none
     */
    default List<String> checkVersion(String version) {
        return List.of();
    }

    /**
     * The color a new version goes to while {@code live} serves traffic.
     *
     * @param live the live color; never null
     * @return the other of two fixed colors, or empty when the platform names the candidate only
     *         once it is deployed (a revision): then {@link #deploy} names it
     * @throws dev.bluegreen.PreflightException when {@code live} is not one of the adapter's colors
     */
    Optional<Color> nextColor(Color live);

    /**
     * Reads one color's environment.
     *
     * @param color    the color; never null
     * @param deadline bounds retries of failed reads; never null
     * @return its state; {@link EnvironmentState#exists()} is false when it does not exist
     * @throws ClusterApiException when it could not be read in time
     */
    EnvironmentState read(Color color, Deadline deadline);

    /**
     * Checks, without writing, that a new version can be deployed into a color.
     *
     * @param state the color's state as read, or null when the candidate's color is not known yet
     * @param live  the live color's state as read; never null
     * @return every problem found, each naming the object and value; empty when there is none
     */
    List<String> checkDeployable(EnvironmentState state, EnvironmentState live);

    /**
     * Advice found at preflight that does not stop the release (e.g. a container without readiness probe):
     * the engine adds each line to the result's warnings. A platform that should refuse instead returns the
     * same findings from {@link #checkDeployable}. Never writes.
     *
     * @param state the candidate color's state as read, or null when its color is not known yet
     * @param live  the live color's state as read; never null
     * @return the warnings, each naming the object and value; empty by default
     */
    default List<String> advise(EnvironmentState state, EnvironmentState live) {
        return List.of();
    }

    /**
     * Installs a version and asks for a number of replicas, without waiting; one write
     * conditioned on {@code decidedOn}.
     *
     * @param decidedOn the target's state the decision was based on (for revision adapters, the
     *                  live state); never null
     * @param version   what to run; never blank
     * @param replicas  how many replicas; at least 1
     * @param deadline  bounds the write and its confirmation; never null
     * @return the candidate as deployed
     * @throws ConflictException   when someone else changed the environment since {@code decidedOn}
     * @throws ClusterApiException when the write failed, or its outcome could not be established
     */
    Candidate deploy(EnvironmentState decidedOn, String version, int replicas, Deadline deadline);

    /**
     * Waits until every replica of the candidate runs its version and is available.
     *
     * @param candidate what was deployed; never null
     * @param deadline  when to give up; never null
     * @return the state once ready
     * @throws NotReadyException   when it is not ready in time or cannot become ready, naming the
     *                             replicas that are not ready and why
     * @throws ClusterApiException when the platform could not be read
     */
    EnvironmentState awaitReady(Candidate candidate, Deadline deadline);

    /**
     * Retires the previous color after a committed release (for Deployments: scale to zero,
     * keeping the definition for the next release). The engine has checked that the router does
     * not select it.
     *
     * @param decidedOn the color's state the decision was based on; never null
     * @param deadline  bounds the write; never null
     * @return the state after the write (unchanged when the platform retires on its own)
     * @throws ConflictException when someone else changed it since {@code decidedOn}: it is left alone
     */
    EnvironmentState retire(EnvironmentState decidedOn, Deadline deadline);

    /**
     * Gives up a candidate that does not go live (the release aborted or rolled back). The engine
     * has checked that the router does not select it.
     *
     * @param decidedOn the candidate's state the decision was based on; never null
     * @param deadline  bounds the write; never null
     * @return the state after the write
     * @throws ConflictException when someone else changed it since {@code decidedOn}: it is left alone
     */
    EnvironmentState discard(EnvironmentState decidedOn, Deadline deadline);

    /**
     * Makes the fate of a write to a color that a crashed release may still have on the wire
     * definite: after a write conditioned on {@code seen}, a write in flight that was conditioned
     * on an older revision can no longer be applied. Writes nothing but the SDK's own marker (for
     * Kubernetes an annotation, which leaves the spec and its generation alone).
     *
     * @param seen     the color's state as last read; never null
     * @param deadline bounds the write; never null
     * @return the state after the fence
     * @throws ConflictException when the environment changed since {@code seen}: read it again and decide again
     */
    default EnvironmentState fence(EnvironmentState seen, Deadline deadline) {
        return read(seen.color(), deadline);
    }

    /**
     * Asks a color for replicas again: undoes a retire or discard that raced a switch to that
     * color, and brings back a retired color during recovery.
     *
     * @param decidedOn the color's state the decision was based on; never null
     * @param replicas  how many replicas; at least 1
     * @param deadline  bounds the write; never null
     * @return the state after the write
     * @throws ConflictException when someone else changed it since {@code decidedOn}
     */
    EnvironmentState restore(EnvironmentState decidedOn, int replicas, Deadline deadline);

    /**
     * Gathers what an operator would look at when a color failed: e.g. for Kubernetes the
     * Service's endpoints, each pod with its phase, readiness, restarts and waiting reason, readiness
     * probe failures and the last log lines of failing pods. The engine asks for it when a release
     * fails, aborts or rolls back, before it gives the candidate up, and puts it into the
     * {@link dev.bluegreen.ReleaseResult#diagnosis() result}. Only reads; never throws for what it
     * cannot read (it says so in the diagnosis instead).
     *
     * @param color    the color to diagnose, usually the release's candidate; never null
     * @param deadline bounds the reads; never null
     * @return the diagnosis; empty when the adapter has none (the default)
     */
    default Optional<Diagnosis> diagnose(Color color, Deadline deadline) {
        return Optional.empty();
    }
}
