package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.internal.Checks;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an app's blue-green objects are named and labelled. The defaults are those of the
 * blue-green guide: Deployments {@code <app>-blue} and {@code <app>-green} whose pods carry
 * {@code app: <app>} and {@code version: <color>}, and a Service {@code <app>-service} selecting
 * {@code app: <app>, version: <color>}. Every part is configurable. Immutable.
 *
 * <pre>{@code
 * BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp")
 *         .namespace("production")
 *         .build();
 * }</pre>
 */
public final class BlueGreenConventions {
    /** Default label key carrying the color: {@code version}. */
    public static final String DEFAULT_COLOR_LABEL = "version";
    /** Default Deployment name pattern: {@code {app}-{color}}. */
    public static final String DEFAULT_DEPLOYMENT_PATTERN = "{app}-{color}";
    /** Default Service name pattern: {@code {app}-service}. */
    public static final String DEFAULT_SERVICE_PATTERN = "{app}-service";

    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final String app;
    private final String namespace;
    private final String colorLabel;
    private final String deploymentPattern;
    private final String serviceName;
    private final String containerName;

    private BlueGreenConventions(Builder builder) {
        this.app = builder.app;
        this.namespace = builder.namespace;
        this.colorLabel = builder.colorLabel;
        this.deploymentPattern = builder.deploymentPattern;
        this.serviceName = builder.serviceName != null ? builder.serviceName
                : DEFAULT_SERVICE_PATTERN.replace("{app}", app);
        this.containerName = builder.containerName;
    }

    /**
     * @param app the app's name, a lowercase DNS label
     * @return a builder with the guide's defaults
     */
    public static Builder forApp(String app) {
        return new Builder(app);
    }

    /** @return the app's name */
    public String app() {
        return app;
    }

    /** @return the namespace of the app's objects */
    public String namespace() {
        return namespace;
    }

    /** @return the label key whose value is the color, in the Service selector and the pod templates */
    public String colorLabel() {
        return colorLabel;
    }

    /**
     * @param color a color
     * @return the name of that color's Deployment, e.g. {@code myapp-green}
     */
    public String deploymentName(Color color) {
        return deploymentPattern.replace("{app}", app).replace("{color}", color.name());
    }

    /** @return the name of the Service that carries live traffic */
    public String serviceName() {
        return serviceName;
    }

    /** @return the container whose image a deploy changes; empty means the Deployment's only container */
    public Optional<String> containerName() {
        return Optional.ofNullable(containerName);
    }

    @Override
    public String toString() {
        return "BlueGreenConventions[app=" + app + ", namespace=" + namespace + ", colorLabel=" + colorLabel
                + ", deployments=" + deploymentPattern + ", service=" + serviceName
                + ", container=" + (containerName == null ? "(the only one)" : containerName) + "]";
    }

    /** Builds {@link BlueGreenConventions}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final String app;
        private String namespace = "default";
        private String colorLabel = DEFAULT_COLOR_LABEL;
        private String deploymentPattern = DEFAULT_DEPLOYMENT_PATTERN;
        private String serviceName;
        private String containerName;

        private Builder(String app) {
            this.app = Checks.dnsLabel("app", app);
        }

        /**
         * @param namespace the namespace, a lowercase DNS label; default "default"
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = Checks.dnsLabel("namespace", namespace);
            return this;
        }

        /**
         * @param key the label key carrying the color, e.g. "version" or "example.com/color"; default "version"
         * @return this builder
         */
        public Builder colorLabel(String key) {
            if (key == null || key.length() > 316 || !LABEL_KEY.matcher(key).matches()) {
                throw new ConfigurationException("color label must be a Kubernetes label key (optional DNS prefix and '/', "
                        + "then 1-63 characters of letters, digits, '-', '_' and '.'), but was "
                        + (key == null ? "null" : "'" + key + "'"));
            }
            this.colorLabel = key;
            return this;
        }

        /**
         * @param pattern the Deployment name with placeholders {@code {app}} and {@code {color}}; must contain
         *                {@code {color}}; default {@code {app}-{color}}
         * @return this builder
         */
        public Builder deploymentNamePattern(String pattern) {
            Checks.nonBlank("deployment name pattern", pattern);
            if (!pattern.contains("{color}")) {
                throw new ConfigurationException("deployment name pattern must contain {color} so the two colors get "
                        + "different Deployments, but was '" + pattern + "'");
            }
            String sample = pattern.replace("{app}", app).replace("{color}", "green");
            dnsSubdomain("deployment name pattern '" + pattern + "' gives '" + sample + "', which", sample);
            this.deploymentPattern = pattern;
            return this;
        }

        /**
         * @param name the live Service's name; default {@code <app>-service}
         * @return this builder
         */
        public Builder serviceName(String name) {
            this.serviceName = Checks.dnsLabel("service name", name);
            return this;
        }

        /**
         * @param name the container whose image a deploy changes; default: the Deployment's only container
         * @return this builder
         */
        public Builder containerName(String name) {
            this.containerName = Checks.dnsLabel("container name", name);
            return this;
        }

        /**
         * @return the conventions
         */
        public BlueGreenConventions build() {
            return new BlueGreenConventions(this);
        }

        private static void dnsSubdomain(String what, String value) {
            if (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
                throw new ConfigurationException(what + " is not a valid Kubernetes object name (lowercase DNS subdomain)");
            }
        }
    }
}
