package dev.bluegreen;

import java.time.Duration;

/**
 * The two environments (colors) of an app: what runs in each and how to change it. For Kubernetes
 * these are the {@code <app>-blue} and {@code <app>-green} Deployments. Implementations are
 * thread-safe; checks never write.
 */
public interface ColorEnvironments {

    /**
     * @param color a color; never null
     * @return the object behind it, for messages, e.g. {@code Deployment shop/myapp-green}
     */
    String describe(Color color);

    /**
     * Checks, without writing, that a new version can be deployed to a color.
     *
     * @param color the color to deploy to; never null
     * @throws PreflightException  listing every problem found
     * @throws ClusterApiException when the platform could not be read
     */
    void checkDeployable(Color color);

    /**
     * @param color a color; never null
     * @return how many replicas the color is asked to run now
     * @throws PreflightException when the color's environment does not exist
     */
    int replicas(Color color);

    /**
     * Installs a version in a color and asks for a number of replicas, without waiting.
     *
     * @param color    the color to deploy to; never null
     * @param version  what to run (for Kubernetes, the container image); never blank
     * @param replicas how many replicas; at least 1
     * @throws ClusterApiException when the write failed
     */
    void deploy(Color color, String version, int replicas);

    /**
     * Waits until every replica of a color runs the deployed version and is available.
     *
     * @param color   the color to wait for; never null
     * @param timeout how long to wait; positive
     * @throws NotReadyException   when it is not ready in time or cannot become ready, naming the
     *                             backends that are not ready and why
     * @throws ClusterApiException when the platform could not be read
     */
    void awaitReady(Color color, Duration timeout);

    /**
     * Scales a color down to zero replicas, keeping its definition for the next release.
     *
     * @param color the color to scale down; never null
     * @throws ClusterApiException when the write failed
     */
    void scaleDown(Color color);
}
