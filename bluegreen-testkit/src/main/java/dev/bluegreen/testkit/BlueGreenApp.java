package dev.bluegreen.testkit;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The starting point of the blue-green guide's "Method 1" (Service selector switch), created in a
 * {@link SimulatedCluster}: by default Deployments {@code <app>-blue} and {@code <app>-green} labelled
 * {@code app=<app>} and {@code version=<color>}, and Service {@code <app>-service} selecting the live color.
 * Every name users really have is configurable: the Service's name, the Deployments' name pattern, the
 * container's name, the color label and the two colors; the pods can get sidecars, other probes and
 * resources.
 *
 * <pre>{@code
 * BlueGreenApp shop = BlueGreenApp.named("shop").replicas(3).live("blue").create(cluster);
 * // shop-blue runs 3 ready pods, shop-green 0, shop-service routes to the blue pods
 *
 * BlueGreenApp api = BlueGreenApp.named("api").serviceName("api-live").deploymentNamePattern("api-{color}-v1")
 *     .colors("east", "west").colorLabel("example.com/slot").containerName("server")
 *     .sidecar(new ContainerBuilder().withName("envoy").withImage("envoy:1.30").build()).create(cluster);
 * }</pre>
 */
public final class BlueGreenApp {

    /** One of the guide's two colors, live by default. */
    public static final String BLUE = "blue";
    /** The other of the guide's two colors, idle by default. */
    public static final String GREEN = "green";
    /** The default Deployment name pattern; {@code {app}} and {@code {color}} are replaced. */
    public static final String DEFAULT_DEPLOYMENT_PATTERN = "{app}-{color}";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final String app;
    private final String namespace;
    private final String liveColor;
    private final String idleColor;
    private final String colorLabel;
    private final String serviceName;
    private final String deploymentPattern;
    private final String containerName;

    private BlueGreenApp(Builder builder, String namespace) {
        this.app = builder.app;
        this.namespace = namespace;
        this.liveColor = builder.live;
        this.idleColor = builder.first.equals(builder.live) ? builder.second : builder.first;
        this.colorLabel = builder.colorLabel;
        this.serviceName = builder.serviceName();
        this.deploymentPattern = builder.deploymentPattern;
        this.containerName = builder.containerName();
    }

    /**
     * Starts describing the objects of an application.
     *
     * @param app the application name, a DNS-1123 label, the value of the {@code app} label
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
     * @return {@code <app>-service} unless configured otherwise
     */
    public String serviceName() {
        return serviceName;
    }

    /**
     * Returns the name of a color's Deployment.
     *
     * @param color one of the app's two colors
     * @return the pattern with app and color filled in, e.g. {@code <app>-<color>}
     * @throws IllegalArgumentException for another color
     */
    public String deploymentName(String color) {
        if (!liveColor.equals(color) && !idleColor.equals(color)) {
            throw new IllegalArgumentException("color must be " + quote(liveColor) + " or " + quote(idleColor)
                    + ", but was " + quote(color));
        }
        return deploymentPattern.replace("{app}", app).replace("{color}", color);
    }

    /**
     * Returns the name of the container a release updates.
     *
     * @return the app's name unless configured otherwise
     */
    public String containerName() {
        return containerName;
    }

    /**
     * Returns the color the Service selected when the objects were created.
     *
     * @return one of the two colors; {@value #BLUE} by default
     */
    public String liveColor() {
        return liveColor;
    }

    /**
     * Returns the color that received no traffic when the objects were created.
     *
     * @return the other color
     */
    public String idleColor() {
        return idleColor;
    }

    /**
     * Returns the label key whose value is the color, on the Deployments, their pods and the selector.
     *
     * @return {@code version} unless configured otherwise
     */
    public String colorLabel() {
        return colorLabel;
    }

    private static String requireLabel(String value, String what) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a DNS-1123 label (lower-case letters, digits and '-'),"
                    + " but was " + quote(value));
        }
        return value;
    }

    private static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }

    /**
     * Describes the objects to create; defaults follow the guide. Cross-field rules (the live color is one
     * of the two colors, derived names are valid) are checked by {@link #create}.
     */
    public static final class Builder {

        private final String app;
        private String namespace;
        private String image;
        private int replicas = 3;
        private String first = BLUE;
        private String second = GREEN;
        private String live = BLUE;
        private int idleReplicas;
        private int containerPort = 8080;
        private String colorLabel = "version";
        private String serviceName;
        private String deploymentPattern = DEFAULT_DEPLOYMENT_PATTERN;
        private String containerName;
        private final List<Container> sidecars = new ArrayList<>();
        private Probe readinessProbe;
        private Probe livenessProbe;
        private boolean readinessSet;
        private boolean livenessSet;
        private ResourceRequirements resources;

        private Builder(String app) {
            requireLabel(app, "app");
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
                throw new IllegalArgumentException("image must not be blank, but was " + quote(image));
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
         * Sets the two colors; default {@value BlueGreenApp#BLUE} and {@value BlueGreenApp#GREEN}. The first is
         * live unless {@link #live} says otherwise.
         *
         * @param first  a label value, e.g. {@code east}
         * @param second another label value
         * @return this builder
         * @throws IllegalArgumentException if a color is no valid label value or both are the same
         */
        public Builder colors(String first, String second) {
            requireColorValue(first, "first color");
            requireColorValue(second, "second color");
            if (first.equals(second)) {
                throw new IllegalArgumentException("the two colors must differ, but both were " + quote(first));
            }
            if (this.live.equals(this.first)) {
                this.live = first;
            }
            this.first = first;
            this.second = second;
            return this;
        }

        /**
         * Sets the color the Service selects; default the first color.
         *
         * @param color one of the two colors
         * @return this builder
         */
        public Builder live(String color) {
            this.live = requireColorValue(color, "live");
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
         * @param colorLabel a label key, optionally with a DNS prefix, e.g. {@code color} or {@code example.com/slot}
         * @return this builder
         */
        public Builder colorLabel(String colorLabel) {
            if (colorLabel == null || colorLabel.length() > 316 || !LABEL_KEY.matcher(colorLabel).matches()) {
                throw new IllegalArgumentException("colorLabel must be a label key (optional DNS prefix and '/', then 1-63"
                        + " letters, digits, '-', '_' or '.'), but was " + quote(colorLabel));
            }
            this.colorLabel = colorLabel;
            return this;
        }

        /**
         * Sets the name of the Service; default {@code <app>-service}.
         *
         * @param serviceName a DNS-1035 label
         * @return this builder
         */
        public Builder serviceName(String serviceName) {
            if (serviceName == null || !DNS_1035_LABEL.matcher(serviceName).matches()) {
                throw new IllegalArgumentException("serviceName must be a DNS-1035 label (lower-case letters, digits and '-',"
                        + " starting with a letter, at most 63), but was " + quote(serviceName));
            }
            this.serviceName = serviceName;
            return this;
        }

        /**
         * Sets how the Deployments are named; default {@value BlueGreenApp#DEFAULT_DEPLOYMENT_PATTERN}.
         *
         * @param pattern a name with {@code {color}} and optionally {@code {app}}, e.g. {@code {color}-{app}}
         * @return this builder
         */
        public Builder deploymentNamePattern(String pattern) {
            if (pattern == null || !pattern.contains("{color}")) {
                throw new IllegalArgumentException("deploymentNamePattern must contain {color}, so that the colors get "
                        + "different Deployments, but was " + quote(pattern));
            }
            this.deploymentPattern = pattern;
            return this;
        }

        /**
         * Sets the name of the application's container; default the app's name.
         *
         * @param containerName a DNS-1123 label
         * @return this builder
         */
        public Builder containerName(String containerName) {
            this.containerName = requireLabel(containerName, "containerName");
            return this;
        }

        /**
         * Adds a container that runs next to the application's in every pod, e.g. a proxy. The image's
         * {@link PodBehavior} applies to it too.
         *
         * @param sidecar a container with name and image; not null
         * @return this builder
         */
        public Builder sidecar(Container sidecar) {
            Objects.requireNonNull(sidecar, "sidecar");
            if (sidecar.getName() == null || sidecar.getImage() == null) {
                throw new IllegalArgumentException("a sidecar needs a name and an image, but was " + sidecar);
            }
            sidecars.add(new ContainerBuilder(sidecar).build());
            return this;
        }

        /**
         * Replaces the application container's readiness probe; by default an HTTP GET of {@code /ready}, 5 s
         * initial delay, every 5 s.
         *
         * @param probe the probe, or null for none (the container is ready as soon as it runs)
         * @return this builder
         */
        public Builder readinessProbe(Probe probe) {
            this.readinessProbe = probe == null ? null : new ProbeBuilder(probe).build();
            this.readinessSet = true;
            return this;
        }

        /**
         * Replaces the application container's liveness probe; by default an HTTP GET of {@code /health}, 15 s
         * initial delay, every 10 s. Liveness is not simulated; the probe is only part of the object.
         *
         * @param probe the probe, or null for none
         * @return this builder
         */
        public Builder livenessProbe(Probe probe) {
            this.livenessProbe = probe == null ? null : new ProbeBuilder(probe).build();
            this.livenessSet = true;
            return this;
        }

        /**
         * Sets the application container's resource requests and limits; by default none.
         *
         * @param resources the requirements, or null for none
         * @return this builder
         */
        public Builder resources(ResourceRequirements resources) {
            this.resources = resources;
            return this;
        }

        /**
         * Creates both Deployments and the Service, then waits until the live color's rollout is complete and
         * the Service's Endpoints list its ready pods. The test kit's own client does the writes, so they do
         * not show among {@link RequestLog#fromUsers()}.
         *
         * @param cluster the cluster to create the objects in; not null
         * @return the created application
         * @throws IllegalArgumentException if the live color is not one of the two colors, or a derived
         *                                  Deployment name is no valid name
         * @throws AssertionError           if the live color does not become ready within 10 s (e.g. its image is
         *                                  marked {@link PodBehavior#NEVER_READY})
         */
        public BlueGreenApp create(SimulatedCluster cluster) {
            Objects.requireNonNull(cluster, "cluster");
            if (!live.equals(first) && !live.equals(second)) {
                throw new IllegalArgumentException("live must be " + quote(first) + " or " + quote(second) + ", but was "
                        + quote(live));
            }
            for (String color : List.of(first, second)) {
                String name = deploymentPattern.replace("{app}", app).replace("{color}", color);
                if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
                    throw new IllegalArgumentException("the Deployment name " + quote(name) + " derived from pattern "
                            + quote(deploymentPattern) + " is no valid name (a DNS-1123 subdomain)");
                }
            }
            if (serviceName == null && !DNS_1035_LABEL.matcher(serviceName()).matches()) {
                throw new IllegalArgumentException("the Service name " + quote(serviceName()) + " derived from the app is no "
                        + "valid Service name (a DNS-1035 label of at most 63 characters); set serviceName");
            }
            String targetNamespace = namespace == null ? cluster.namespace() : namespace;
            BlueGreenApp created = new BlueGreenApp(this, targetNamespace);
            KubernetesClient client = cluster.controllerClient();
            String idle = created.idleColor();
            client.apps().deployments().inNamespace(targetNamespace).resource(deployment(created, live, replicas)).create();
            client.apps().deployments().inNamespace(targetNamespace).resource(deployment(created, idle, idleReplicas)).create();
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

        private String serviceName() {
            return serviceName != null ? serviceName : app + "-service";
        }

        private String containerName() {
            return containerName != null ? containerName : app;
        }

        private Deployment deployment(BlueGreenApp created, String color, int count) {
            Map<String, String> labels = labels(color);
            List<Container> containers = new ArrayList<>();
            containers.add(container());
            sidecars.forEach(s -> containers.add(new ContainerBuilder(s).build()));
            return new DeploymentBuilder()
                    .withNewMetadata().withName(created.deploymentName(color)).withLabels(labels).endMetadata()
                    .withNewSpec()
                    .withReplicas(count)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate()
                    .withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().withContainers(containers).endSpec()
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

        private Probe defaultReadinessProbe() {
            return new ProbeBuilder()
                    .withNewHttpGet().withPath("/ready").withPort(new IntOrString(containerPort)).endHttpGet()
                    .withInitialDelaySeconds(5).withPeriodSeconds(5)
                    .build();
        }

        private Container container() {
            Probe readiness = readinessSet ? readinessProbe : defaultReadinessProbe();
            Probe liveness = !livenessSet ? new ProbeBuilder()
                    .withNewHttpGet().withPath("/health").withPort(new IntOrString(containerPort)).endHttpGet()
                    .withInitialDelaySeconds(15).withPeriodSeconds(10)
                    .build() : livenessProbe;
            return new ContainerBuilder()
                    .withName(containerName())
                    .withImage(image)
                    .addNewPort().withName("http").withContainerPort(containerPort).withProtocol("TCP").endPort()
                    .withReadinessProbe(readiness)
                    .withLivenessProbe(liveness)
                    .withResources(resources)
                    .build();
        }

        private Service service() {
            return new ServiceBuilder()
                    .withNewMetadata().withName(serviceName()).withLabels(Map.of("app", app)).endMetadata()
                    .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(labels(live))
                    .addNewPort().withName("http").withProtocol("TCP").withPort(80)
                    .withTargetPort(new IntOrString(containerPort)).endPort()
                    .endSpec()
                    .build();
        }

        private static String requireColorValue(String color, String what) {
            if (color == null || color.isEmpty() || !LABEL_VALUE.matcher(color).matches()) {
                throw new IllegalArgumentException(what + " must be a label value (1-63 letters, digits, '-', '_' or '.',"
                        + " starting and ending with a letter or digit), but was " + quote(color));
            }
            return color;
        }

        private static int requireReplicas(int value, String what) {
            if (value < 0) {
                throw new IllegalArgumentException(what + " must be zero or more, but was " + value);
            }
            return value;
        }
    }
}
