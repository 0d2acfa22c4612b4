package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.spi.Candidate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a release's candidate lives on Kubernetes, as the Deployment adapter describes it in
 * {@link Candidate#attributes()}: the namespace, the candidate's Deployment, the Service that carries
 * live traffic, the label key that carries the color, and the label selector of the candidate's pods.
 * The Kubernetes gates ({@link KubernetesGates}) read it from the {@link dev.bluegreen.GateContext},
 * so they never copy the app's conventions.
 *
 * @param namespace   the namespace of the app's objects
 * @param deployment  the candidate's Deployment, e.g. {@code myapp-green}
 * @param service     the Service that carries live traffic, e.g. {@code myapp-service}
 * @param colorLabel  the label key whose value is the color, e.g. {@code version}
 * @param color       the candidate's color
 * @param podSelector the labels every pod of the candidate carries (the Deployment's selector with the
 *                    color label), e.g. {@code {app=myapp, version=green}}; unmodifiable, sorted
 */
public record KubernetesCandidate(String namespace, String deployment, String service, String colorLabel, Color color,
                                  Map<String, String> podSelector) {
    /** Attribute key of the namespace. */
    public static final String NAMESPACE = "kubernetes.namespace";
    /** Attribute key of the candidate's Deployment name. */
    public static final String DEPLOYMENT = "kubernetes.deployment";
    /** Attribute key of the live Service's name. */
    public static final String SERVICE = "kubernetes.service";
    /** Attribute key of the color label key. */
    public static final String COLOR_LABEL = "kubernetes.color-label";
    /** Attribute key of the pod selector, as {@code key=value} pairs separated by commas. */
    public static final String POD_SELECTOR = "kubernetes.pod-selector";

    /** Copies the selector. */
    public KubernetesCandidate {
        podSelector = java.util.Collections.unmodifiableMap(new TreeMap<>(podSelector));
    }

    /**
     * @param candidate a candidate, as gates receive it; never null
     * @return its Kubernetes description, when the adapter that deployed it gave one
     */
    public static Optional<KubernetesCandidate> from(Candidate candidate) {
        Map<String, String> attributes = candidate.attributes();
        if (!attributes.keySet().containsAll(java.util.List.of(NAMESPACE, DEPLOYMENT, SERVICE, COLOR_LABEL, POD_SELECTOR))) {
            return Optional.empty();
        }
        Map<String, String> selector = new LinkedHashMap<>();
        for (String pair : attributes.get(POD_SELECTOR).split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                selector.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return Optional.of(new KubernetesCandidate(attributes.get(NAMESPACE), attributes.get(DEPLOYMENT),
                attributes.get(SERVICE), attributes.get(COLOR_LABEL), candidate.color(), selector));
    }

    /**
     * @param candidate a candidate, as gates receive it; never null
     * @return its Kubernetes description
     * @throws ConfigurationException when the candidate was not deployed by the Kubernetes adapter
     *                                (its attributes lack the keys above)
     */
    public static KubernetesCandidate require(Candidate candidate) {
        return from(candidate).orElseThrow(() -> new ConfigurationException("the candidate " + candidate + " carries no "
                + "Kubernetes description (attributes " + NAMESPACE + ", " + DEPLOYMENT + ", " + SERVICE + ", " + COLOR_LABEL
                + ", " + POD_SELECTOR + "), but had " + candidate.attributes().keySet() + "; expected a plan built by "
                + "KubernetesBlueGreen"));
    }

    /** @return the attributes that describe this candidate, for {@link Candidate#attributes()} */
    public Map<String, String> toAttributes() {
        Map<String, String> attributes = new TreeMap<>();
        attributes.put(NAMESPACE, namespace);
        attributes.put(DEPLOYMENT, deployment);
        attributes.put(SERVICE, service);
        attributes.put(COLOR_LABEL, colorLabel);
        attributes.put(POD_SELECTOR, selectorString());
        return attributes;
    }

    /** @return the pod selector as a label selector string, e.g. {@code app=myapp,version=green} */
    public String selectorString() {
        return podSelector.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** @return e.g. {@code pods app=myapp,version=green of Deployment shop/myapp-green} */
    public String describePods() {
        return "pods " + selectorString() + " of Deployment " + namespace + "/" + deployment;
    }
}
