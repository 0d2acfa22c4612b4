package dev.bluegreen.testkit;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The starting point of the blue-green guide's "Method 1" (Service selector switch), created in a
 * {@link SimulatedCluster}: Deployments {@code <app>-blue} and {@code <app>-green} labelled
 * {@code app=<app>} and {@code version=<color>}, and Service {@code <app>-service} selecting the live
 * color.
 *
 * <pre>{@code
 * BlueGreenApp shop = BlueGreenApp.named("shop").replicas(3).live("blue").create(cluster);
 * // shop-blue runs 3 ready pods, shop-green 0, shop-service routes to the blue pods
 * }</pre>
 */
public final class BlueGreenApp {

    /** One of the guide's two colors, live by default. */
    public static final String BLUE = "blue";
    /** The other of the guide's two colors, idle by default. */
    public static final String GREEN = "green";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final String app;
    private final String namespace;
    private final String liveColor;
    private final String colorLabel;

    private BlueGreenApp(String app, String namespace, String liveColor, String colorLabel) {
        this.app = app;
        this.namespace = namespace;
        this.liveColor = liveColor;
        this.colorLabel = colorLabel;
    }

    /**
     * Starts describing the objects of an application.
     *
     * @param app the application name, a DNS-1123 label short enough for {@code <app>-service}
     * @return a builder with the guide's defaults
     * @throws IllegalArgumentException if {@code app} is not a valid name
     */
    public static Builder named(String app) {
        return new Builder(app);
    }

    /**
     * Returns the application name, the value of the {@code app} label.
     *
     * @return the name
     */
    public String app() {
        return app;
    }

    /**
     * Returns the namespace the objects live in.
     *
     * @return the namespace
     */
    public String namespace() {
        return namespace;
    }

    /**
     * Returns the name of the Service that routes live traffic.
     *
     * @return {@code <app>-service}
     */
    public String serviceName() {
        return app + "-service";
    }

    /**
     * Returns the name of a color's Deployment.
     *
     * @param color {@value #BLUE} or {@value #GREEN}
     * @return {@code <app>-<color>}
     * @throws IllegalArgumentException for another color
     */
    public String deploymentName(String color) {
        return app + "-" + requireColor(color, "color");
    }

    /**
     * Returns the color the Service selected when the objects were created.
     *
     * @return {@value #BLUE} or {@value #GREEN}
     */
    public String liveColor() {
        return liveColor;
    }

    /**
     * Returns the color that received no traffic when the objects were created.
     *
     * @return {@value #BLUE} or {@value #GREEN}
     */
    public String idleColor() {
        return BLUE.equals(liveColor) ? GREEN : BLUE;
    }

    /**
     * Returns the label key whose value is the color, on the Deployments, their pods and the selector.
     *
     * @return {@code version} unless configured otherwise
     */
    public String colorLabel() {
        return colorLabel;
    }

    private static String requireColor(String color, String what) {
        if (!BLUE.equals(color) && !GREEN.equals(color)) {
            throw new IllegalArgumentException(what + " must be \"blue\" or \"green\", but was "
                    + (color == null ? "null" : "\"" + color + "\""));
        }
        return color;
    }

    private static String requireLabel(String value, String what) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a DNS-1123 label (lower-case letters, digits and '-'),"
                    + " but was " + (value == null ? "null" : "\"" + value + "\""));
        }
        return value;
    }

    /**
     * Describes the objects to create; defaults follow the guide.
     */
    public static final class Builder {

        private final String app;
        private String namespace;
        private String image;
        private int replicas = 3;
        private String live = BLUE;
        private int idleReplicas;
        private int containerPort = 8080;
        private String colorLabel = "version";

        private Builder(String app) {
            requireLabel(app, "app");
            if (app.length() > 63 - "-service".length()) {
                throw new IllegalArgumentException("app must have at most 55 characters, so that \"" + app
                        + "-service\" is a valid name, but has " + app.length());
            }
            this.app = app;
            this.image = app + ":v1";
        }

        /**
         * Sets the namespace; by default the cluster's {@link SimulatedCluster#namespace()}.
         *
         * @param namespace a DNS-1123 label
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = requireLabel(namespace, "namespace");
            return this;
        }

        /**
         * Sets the image both colors run; default {@code <app>:v1}.
         *
         * @param image an image reference; not blank
         * @return this builder
         */
        public Builder image(String image) {
            if (image == null || image.isBlank()) {
                throw new IllegalArgumentException("image must not be blank, but was "
                        + (image == null ? "null" : "\"" + image + "\""));
            }
            this.image = image;
            return this;
        }

        /**
         * Sets the replicas of the live color; default 3.
         *
         * @param replicas zero or more
         * @return this builder
         */
        public Builder replicas(int replicas) {
            this.replicas = requireReplicas(replicas, "replicas");
            return this;
        }

        /**
         * Sets the color the Service selects; default {@value BlueGreenApp#BLUE}.
         *
         * @param color {@value BlueGreenApp#BLUE} or {@value BlueGreenApp#GREEN}
         * @return this builder
         */
        public Builder live(String color) {
            this.live = requireColor(color, "live");
            return this;
        }

        /**
         * Sets the replicas of the idle color; default 0, as after the guide's clean-up step.
         *
         * @param idleReplicas zero or more
         * @return this builder
         */
        public Builder idleReplicas(int idleReplicas) {
            this.idleReplicas = requireReplicas(idleReplicas, "idleReplicas");
            return this;
        }

        /**
         * Sets the port the application listens on; default 8080. The Service maps port 80 to it.
         *
         * @param containerPort 1 to 65535
         * @return this builder
         */
        public Builder containerPort(int containerPort) {
            if (containerPort < 1 || containerPort > 65535) {
                throw new IllegalArgumentException("containerPort must be between 1 and 65535, but was " + containerPort);
            }
            this.containerPort = containerPort;
            return this;
        }

        /**
         * Sets the label key that carries the color; default {@code version}.
         *
         * @param colorLabel a label key without prefix, e.g. {@code color}
         * @return this builder
         */
        public Builder colorLabel(String colorLabel) {
            this.colorLabel = requireLabel(colorLabel, "colorLabel");
            return this;
        }

        /**
         * Creates both Deployments and the Service, then waits until the live color's rollout is complete and
         * the Service's Endpoints list its ready pods. The test kit's own client does the writes, so they do
         * not show among {@link RequestLog#fromUsers()}.
         *
         * @param cluster the cluster to create the objects in; not null
         * @return the created application
         * @throws AssertionError if the live color does not become ready within 10 s (e.g. its image is marked
         *                        {@link PodBehavior#NEVER_READY})
         */
        public BlueGreenApp create(SimulatedCluster cluster) {
            Objects.requireNonNull(cluster, "cluster");
            String targetNamespace = namespace == null ? cluster.namespace() : namespace;
            BlueGreenApp created = new BlueGreenApp(app, targetNamespace, live, colorLabel);
            KubernetesClient client = cluster.controllerClient();
            String idle = created.idleColor();
            client.apps().deployments().inNamespace(targetNamespace).resource(deployment(live, replicas)).create();
            client.apps().deployments().inNamespace(targetNamespace).resource(deployment(idle, idleReplicas)).create();
            client.services().inNamespace(targetNamespace).resource(service()).create();

            cluster.awaitDeployment(targetNamespace, created.deploymentName(live), DeploymentConditions.rolloutComplete(),
                    READY_TIMEOUT);
            cluster.awaitDeployment(targetNamespace, created.deploymentName(idle), DeploymentConditions.rolloutComplete(),
                    READY_TIMEOUT);
            cluster.awaitEndpoints(targetNamespace, created.serviceName(),
                    endpoints -> endpoints.getSubsets().stream().mapToInt(s -> s.getAddresses().size()).sum() == replicas,
                    READY_TIMEOUT);
            return created;
        }

        private Deployment deployment(String color, int count) {
            Map<String, String> labels = labels(color);
            return new DeploymentBuilder()
                    .withNewMetadata().withName(app + "-" + color).withLabels(labels).endMetadata()
                    .withNewSpec()
                    .withReplicas(count)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate()
                    .withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().withContainers(container()).endSpec()
                    .endTemplate()
                    .endSpec()
                    .build();
        }

        private Map<String, String> labels(String color) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("app", app);
            labels.put(colorLabel, color);
            return labels;
        }

        private Container container() {
            return new ContainerBuilder()
                    .withName(app)
                    .withImage(image)
                    .addNewPort().withName("http").withContainerPort(containerPort).withProtocol("TCP").endPort()
                    .withNewReadinessProbe()
                    .withNewHttpGet().withPath("/ready").withPort(new IntOrString(containerPort)).endHttpGet()
                    .withInitialDelaySeconds(5).withPeriodSeconds(5)
                    .endReadinessProbe()
                    .withNewLivenessProbe()
                    .withNewHttpGet().withPath("/health").withPort(new IntOrString(containerPort)).endHttpGet()
                    .withInitialDelaySeconds(15).withPeriodSeconds(10)
                    .endLivenessProbe()
                    .build();
        }

        private Service service() {
            return new ServiceBuilder()
                    .withNewMetadata().withName(app + "-service").withLabels(Map.of("app", app)).endMetadata()
                    .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(labels(live))
                    .addNewPort().withName("http").withProtocol("TCP").withPort(80)
                    .withTargetPort(new IntOrString(containerPort)).endPort()
                    .endSpec()
                    .build();
        }

        private static int requireReplicas(int value, String what) {
            if (value < 0) {
                throw new IllegalArgumentException(what + " must be zero or more, but was " + value);
            }
            return value;
        }
    }
}
