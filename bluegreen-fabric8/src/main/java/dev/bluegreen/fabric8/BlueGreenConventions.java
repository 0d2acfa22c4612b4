package dev.bluegreen.fabric8;

import dev.bluegreen.AppId;
import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.internal.Checks;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an app's blue-green objects are named and labelled. The defaults are those of the
 * blue-green guide: Deployments {@code <app>-blue} and {@code <app>-green} whose pods carry
 * {@code app: <app>} and {@code version: <color>}, and a Service {@code <app>-service} selecting
 * {@code app: <app>, version: <color>}; the release lock and record live on a Lease
 * {@code <app>-bluegreen}. Every part is configurable, and {@link Builder#build()} checks that every
 * name derived from the app is a valid Kubernetes name. Immutable.
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
    /** Default name pattern of the Lease that holds the release lock and record: {@code {app}-bluegreen}. */
    public static final String DEFAULT_LEASE_PATTERN = "{app}-bluegreen";
    /** Default name pattern of each color's own Service (the guide's method 2): {@code {app}-{color}-svc}. */
    public static final String DEFAULT_COLOR_SERVICE_PATTERN = "{app}-{color}-svc";
    /** Default name pattern of the temporary test Service of a color: {@code {app}-{color}-test}. */
    public static final String DEFAULT_TEST_SERVICE_PATTERN = "{app}-{color}-test";
    /** Default name pattern of the Ingress that routes to the color Services: {@code {app}-ingress}. */
    public static final String DEFAULT_INGRESS_PATTERN = "{app}-ingress";
    /** Default name pattern of the Gateway API HTTPRoute that routes to the color Services: {@code {app}-route}. */
    public static final String DEFAULT_HTTP_ROUTE_PATTERN = "{app}-route";

    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

    private final String app;
    private final String namespace;
    private final String colorLabel;
    private final String deploymentPattern;
    private final String serviceName;
    private final String containerName;
    private final String leaseName;
    private final List<Color> colors;
    private final String colorServicePattern;
    private final String testServicePattern;
    private final String ingressName;
    private final String httpRouteName;

    private BlueGreenConventions(Builder builder) {
        this.colorServicePattern = builder.colorServicePattern;
        this.testServicePattern = builder.testServicePattern;
        this.ingressName = builder.ingressName != null ? builder.ingressName
                : DEFAULT_INGRESS_PATTERN.replace("{app}", builder.app);
        this.httpRouteName = builder.httpRouteName != null ? builder.httpRouteName
                : DEFAULT_HTTP_ROUTE_PATTERN.replace("{app}", builder.app);
        this.app = builder.app;
        this.namespace = builder.namespace;
        this.colorLabel = builder.colorLabel;
        this.deploymentPattern = builder.deploymentPattern;
        this.serviceName = builder.serviceName != null ? builder.serviceName
                : DEFAULT_SERVICE_PATTERN.replace("{app}", app);
        this.containerName = builder.containerName;
        this.leaseName = builder.leaseName != null ? builder.leaseName : DEFAULT_LEASE_PATTERN.replace("{app}", app);
        this.colors = List.of(builder.first, builder.second);
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

    /** @return the app and namespace, which key the release lock and record */
    public AppId appId() {
        return new AppId(namespace, app);
    }

    /** @return the two colors, in the order given; default blue and green */
    public List<Color> colors() {
        return colors;
    }

    /** @return the name of the Lease holding the app's release lock and record */
    public String leaseName() {
        return leaseName;
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

    /**
     * @param color a color
     * @return the name of that color's own Service (the guide's method 2), e.g. {@code myapp-green-svc}
     */
    public String colorServiceName(Color color) {
        return colorServicePattern.replace("{app}", app).replace("{color}", color.name());
    }

    /**
     * @param color a color
     * @return the name of the temporary Service through which a color is tested before it gets traffic,
     *         e.g. {@code myapp-green-test}
     */
    public String testServiceName(Color color) {
        return testServicePattern.replace("{app}", app).replace("{color}", color.name());
    }

    /** @return the name of the Ingress whose backends point at the color Services; default {@code <app>-ingress} */
    public String ingressName() {
        return ingressName;
    }

    /** @return the name of the Gateway API HTTPRoute whose backendRefs point at the color Services; default {@code <app>-route} */
    public String httpRouteName() {
        return httpRouteName;
    }

    /** @return the container whose image a deploy changes; empty means the Deployment's only container */
    public Optional<String> containerName() {
        return Optional.ofNullable(containerName);
    }

    @Override
    public String toString() {
        return "BlueGreenConventions[app=" + app + ", namespace=" + namespace + ", colorLabel=" + colorLabel
                + ", deployments=" + deploymentPattern + ", service=" + serviceName
                + ", container=" + (containerName == null ? "(the only one)" : containerName) + ", colors=" + colors
                + ", lease=" + leaseName + ", colorServices=" + colorServicePattern + ", testServices=" + testServicePattern
                + ", ingress=" + ingressName + ", httpRoute=" + httpRouteName + "]";
    }

    /** Builds {@link BlueGreenConventions}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final String app;
        private String namespace = "default";
        private String colorLabel = DEFAULT_COLOR_LABEL;
        private String deploymentPattern = DEFAULT_DEPLOYMENT_PATTERN;
        private String serviceName;
        private String containerName;
        private String leaseName;
        private Color first = Color.BLUE;
        private Color second = Color.GREEN;
        private String colorServicePattern = DEFAULT_COLOR_SERVICE_PATTERN;
        private String testServicePattern = DEFAULT_TEST_SERVICE_PATTERN;
        private String ingressName;
        private String httpRouteName;

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
            if (name == null || name.length() > 63 || !DNS_1035_LABEL.matcher(name).matches()) {
                throw new ConfigurationException("service name must be a DNS-1035 label (1-63 characters of a-z, 0-9 and "
                        + "'-', starting with a letter and ending with a letter or digit), but was " + Checks.quote(name));
            }
            this.serviceName = name;
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
         * @param name the name of the Lease holding the app's release lock and record; default {@code <app>-bluegreen}
         * @return this builder
         */
        public Builder leaseName(String name) {
            Checks.nonBlank("lease name", name);
            dnsSubdomain("lease name '" + name + "'", name);
            this.leaseName = name;
            return this;
        }

        /**
         * @param first  one color; default {@link Color#BLUE}
         * @param second the other color; default {@link Color#GREEN}
         * @return this builder
         */
        public Builder colors(Color first, Color second) {
            Checks.nonNull("first color", first);
            Checks.nonNull("second color", second);
            if (first.equals(second)) {
                throw new ConfigurationException("the two colors must differ, but both were '" + first + "'");
            }
            this.first = first;
            this.second = second;
            return this;
        }

        /**
         * @param pattern the name of each color's own Service (the guide's method 2), with placeholders {@code {app}}
         *                and {@code {color}}; must contain {@code {color}}; default {@code {app}-{color}-svc}
         * @return this builder
         */
        public Builder colorServiceNamePattern(String pattern) {
            this.colorServicePattern = servicePattern("color service name pattern", pattern);
            return this;
        }

        /**
         * @param pattern the name of the temporary test Service of a color, with placeholders {@code {app}} and
         *                {@code {color}}; must contain {@code {color}}; default {@code {app}-{color}-test}
         * @return this builder
         */
        public Builder testServiceNamePattern(String pattern) {
            this.testServicePattern = servicePattern("test service name pattern", pattern);
            return this;
        }

        /**
         * @param name the Ingress whose backends point at the color Services; default {@code <app>-ingress}
         * @return this builder
         */
        public Builder ingressName(String name) {
            Checks.nonBlank("ingress name", name);
            dnsSubdomain("ingress name '" + name + "'", name);
            this.ingressName = name;
            return this;
        }

        /**
         * @param name the HTTPRoute whose backendRefs point at the color Services; default {@code <app>-route}
         * @return this builder
         */
        public Builder httpRouteName(String name) {
            Checks.nonBlank("HTTPRoute name", name);
            dnsSubdomain("HTTPRoute name '" + name + "'", name);
            this.httpRouteName = name;
            return this;
        }

        private String servicePattern(String what, String pattern) {
            Checks.nonBlank(what, pattern);
            if (!pattern.contains("{color}")) {
                throw new ConfigurationException(what + " must contain {color} so the two colors get different Services, "
                        + "but was '" + pattern + "'");
            }
            String sample = pattern.replace("{app}", app).replace("{color}", "green");
            if (sample.length() > 63 || !DNS_1035_LABEL.matcher(sample).matches()) {
                throw new ConfigurationException(what + " '" + pattern + "' gives '" + sample + "', which is not a valid "
                        + "Service name (a DNS-1035 label: 1-63 characters of a-z, 0-9 and '-', starting with a letter)");
            }
            return pattern;
        }

        /**
         * @return the conventions
         * @throws ConfigurationException when a name derived from the app is not a valid Kubernetes name
         */
        public BlueGreenConventions build() {
            String service = serviceName != null ? serviceName : DEFAULT_SERVICE_PATTERN.replace("{app}", app);
            if (service.length() > 63 || !DNS_1035_LABEL.matcher(service).matches()) {
                throw new ConfigurationException("the Service name '" + service + "'" + (serviceName == null
                        ? " derived from app '" + app + "'" : "") + " is not a valid Service name (a DNS-1035 label: "
                        + "1-63 characters of a-z, 0-9 and '-', starting with a letter); " + (serviceName == null
                        ? "set serviceName(...) explicitly" : "choose another"));
            }
            for (Color color : List.of(first, second)) {
                String deployment = deploymentPattern.replace("{app}", app).replace("{color}", color.name());
                dnsSubdomain("the Deployment name '" + deployment + "' derived from pattern '" + deploymentPattern
                        + "' for color " + color, deployment);
            }
            String lease = leaseName != null ? leaseName : DEFAULT_LEASE_PATTERN.replace("{app}", app);
            dnsSubdomain("the Lease name '" + lease + "'" + (leaseName == null ? " derived from app '" + app
                    + "' (set leaseName(...) explicitly)" : ""), lease);
            return new BlueGreenConventions(this);
        }

        private static void dnsSubdomain(String what, String value) {
            if (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
                throw new ConfigurationException(what + " is not a valid Kubernetes object name (lowercase DNS subdomain)");
            }
        }
    }
}
