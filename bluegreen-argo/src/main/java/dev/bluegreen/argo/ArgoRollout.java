package dev.bluegreen.argo;

import dev.bluegreen.spi.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * The operations of {@code kubectl argo rollouts} on one blue-green Rollout, with the same effect on the cluster.
 * Each operation first reads the Rollout and refuses, before writing anything, one that does not exist or is not
 * blue-green ({@link ArgoException} naming it and its strategy). The patches are the plugin's own: JSON merge
 * patches of only the fields the operation owns; status fields go to the {@code status} subresource, and to the
 * main resource when the server has no such subresource (it answers 404). Get one with
 * {@link ArgoRollouts#rollout}. Thread-safe.
 */
public interface ArgoRollout {

    /** The number of attempts {@link #setImage} makes when the Rollout changes under it, as the plugin does. */
    int SET_IMAGE_ATTEMPTS = 5;

    /** @return e.g. {@code Rollout shop/myapp} */
    String describe();

    /**
     * Reads the Rollout.
     *
     * @return the Rollout as read
     * @throws ArgoException when it does not exist or is not blue-green
     * @throws dev.bluegreen.ClusterApiException when it could not be read
     */
    Rollout get();

    /**
     * Reads the Rollout and its ReplicaSets, and computes its phase and message as the plugin does
     * ({@code kubectl argo rollouts get}).
     *
     * @return the status
     * @throws ArgoException when it does not exist or is not blue-green
     */
    RolloutStatus status();

    /**
     * @param podTemplateHash a revision's pod-template hash; never blank
     * @return the AnalysisRuns of that revision owned by this Rollout, oldest first
     */
    List<AnalysisRun> analysisRuns(String podTemplateHash);

    /**
     * {@code promote}: unpauses ({@code {"spec":{"paused":false}}}, when paused) and clears the pause conditions
     * ({@code {"status":{"pauseConditions":null}}}, when there are any), so a Rollout waiting in
     * {@code BlueGreenPause} switches its active Service to the new revision. Writes nothing when neither is set.
     *
     * @return the Rollout after the last write
     */
    Rollout promote();

    /**
     * {@code promote --full}: unpauses when paused and, unless the desired revision is already stable, sets
     * {@code status.promoteFull}, skipping pauses and analysis.
     *
     * @return the Rollout after the last write
     */
    Rollout promoteFull();

    /**
     * {@code abort}: {@code {"status":{"abort":true}}}. The controller sends the active Service back to the stable
     * revision, scales the new one down after {@code abortScaleDownDelaySeconds}, and the Rollout is Degraded.
     *
     * @return the Rollout after the write
     */
    Rollout abort();

    /**
     * {@code retry rollout}: {@code {"status":{"abort":false}}}, so an aborted update goes on.
     *
     * @return the Rollout after the write
     */
    Rollout retry();

    /**
     * {@code pause}: {@code {"spec":{"paused":true}}}.
     *
     * @return the Rollout after the write
     */
    Rollout pause();

    /**
     * {@code restart}: {@code {"spec":{"restartAt":"<now, RFC 3339, seconds>"}}}; the controller replaces the pods
     * created before that time, one at a time.
     *
     * @return the Rollout after the write
     */
    Rollout restart();

    /**
     * {@code restart --in}: as {@link #restart()}, at a given time.
     *
     * @param at when; never null; written in UTC to the second
     * @return the Rollout after the write
     */
    Rollout restart(Instant at);

    /**
     * {@code set image ROLLOUT CONTAINER=IMAGE}: sets the image of every container (init, regular, ephemeral) of
     * that name, or of all with {@code "*"}. One JSON patch that replaces only those images and is conditioned on
     * the resourceVersion read; when the Rollout changed in between (409), it is read again and the patch is
     * decided again, up to {@link #SET_IMAGE_ATTEMPTS} times. Writes nothing when every image is already that one.
     *
     * @param container a container name, or {@code "*"}; never blank
     * @param image     the image; never blank, no whitespace
     * @return the Rollout after the write
     * @throws ArgoException when no container has that name (naming the containers there are), or the Rollout takes
     *                       its template from a Deployment ({@code workloadRef})
     * @throws dev.bluegreen.ConflictException when it kept changing for every attempt
     */
    Rollout setImage(String container, String image);

    /**
     * {@code undo}: gives the Rollout back the pod template of its previous revision (the owned ReplicaSet with the
     * second highest {@code rollout.argoproj.io/revision}), in one JSON patch replacing {@code /spec/template}.
     *
     * @return what was done
     * @throws ArgoException when there is no previous revision
     */
    UndoResult undo();

    /**
     * {@code undo --to-revision}.
     *
     * @param revision a revision number; at least 1
     * @return what was done
     * @throws ArgoException when no owned ReplicaSet has that revision (naming the ones there are)
     */
    UndoResult undo(long revision);

    /**
     * Waits by watch (the plugin's {@code get --watch}) until the Rollout is in a phase.
     *
     * @param phase   the phase; never null
     * @param timeout how long at most; positive
     * @return the status once in that phase
     * @throws ArgoException when the time runs out, naming the last status seen
     */
    RolloutStatus awaitPhase(RolloutPhase phase, Duration timeout);

    /**
     * Waits by watch until the Rollout's status meets a condition, or the deadline passes, or the release stops.
     *
     * @param condition   the condition; never null
     * @param description what is awaited, for the timeout's message, e.g. {@code "Paused (BlueGreenPause)"}
     * @param deadline    when to give up; never null
     * @return the status that met it
     * @throws ArgoException when the deadline passes first, naming the last status seen
     */
    RolloutStatus await(Predicate<RolloutStatus> condition, String description, Deadline deadline);
}
