package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.internal.ApiErrors.FieldError;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the API server does to an object before storing it: defaulting (the {@code SetDefaults_*} functions of
 * {@code pkg/apis/apps/v1} and {@code pkg/apis/core/v1}, the Service IP allocator, the DefaultTolerationSeconds
 * admission plug-in) and validation ({@code pkg/apis/apps/validation}, {@code pkg/apis/core/validation}),
 * worded as the real server words its errors. It covers what releases touch; a field nobody here validates is
 * accepted.
 */
final class Admission {

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final String SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case alphanumeric "
            + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
            + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private static final String DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters "
            + "or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
            + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private int allocatedClusterIps;
    private int allocatedNodePorts;
    private final Set<String> clusterIpsInUse = new HashSet<>();

    /**
     * Applies the API server's defaults.
     *
     * @param kind   the object's kind
     * @param object the object as it will be stored (a create's body, or an update's result)
     * @param old    the stored object an update replaces, or null on create
     * @return the defaulted object
     */
    Map<String, Object> defaults(ApiResources.Kind kind, Map<String, Object> object, Map<String, Object> old) {
        return switch (kind.kind()) {
            case "Deployment" -> {
                Deployment deployment = Json.model(object, Deployment.class);
                defaultDeployment(deployment);
                yield Json.tree(deployment);
            }
            case "ReplicaSet" -> {
                ReplicaSet replicaSet = Json.model(object, ReplicaSet.class);
                if (replicaSet.getSpec() != null) {
                    if (replicaSet.getSpec().getReplicas() == null) {
                        replicaSet.getSpec().setReplicas(1);
                    }
                    defaultTemplate(replicaSet.getSpec().getTemplate());
                }
                yield Json.tree(replicaSet);
            }
            case "Pod" -> {
                Pod pod = Json.model(object, Pod.class);
                defaultPod(pod);
                yield Json.tree(pod);
            }
            case "Service" -> {
                Service service = Json.model(object, Service.class);
                defaultService(service, old == null ? null : Json.model(old, Service.class));
                yield Json.tree(service);
            }
            case "Job" -> {
                Job job = Json.model(object, Job.class);
                JobAdmission.defaults(job, old == null);
                if (job.getSpec() != null) {
                    defaultTemplate(job.getSpec().getTemplate());
                }
                yield Json.tree(job);
            }
            case "HTTPRoute" -> GatewayApi.defaultRoute(object);
            default -> object;
        };
    }

    /**
     * Validates an object about to be stored.
     *
     * @param kind   the object's kind
     * @param object the defaulted object
     * @param old    the stored object an update replaces, or null on create
     * @return the errors; empty when valid
     */
    List<FieldError> validate(ApiResources.Kind kind, Map<String, Object> object, Map<String, Object> old) {
        List<FieldError> errors = new ArrayList<>();
        if (old == null) {
            String name = Json.string(Json.mapOrNull(object, "metadata"), "name");
            validateName(kind, name, errors);
        }
        switch (kind.kind()) {
            case "Deployment" -> {
                Deployment deployment = Json.model(object, Deployment.class);
                validateDeploymentSpec(deployment.getSpec(), errors);
                if (old != null) {
                    LabelSelector before = Json.model(old, Deployment.class).getSpec().getSelector();
                    LabelSelector after = deployment.getSpec() == null ? null : deployment.getSpec().getSelector();
                    if (!Canonical.same(before, after)) {
                        errors.add(FieldError.invalid("spec.selector", goSelector(after), "field is immutable"));
                    }
                }
            }
            case "ReplicaSet" -> {
                ReplicaSet replicaSet = Json.model(object, ReplicaSet.class);
                if (replicaSet.getSpec() != null) {
                    validateSelectorAndTemplate(replicaSet.getSpec().getSelector(), replicaSet.getSpec().getTemplate(),
                            "replicaset", errors);
                    nonNegative("spec.replicas", replicaSet.getSpec().getReplicas(), errors);
                }
            }
            case "Pod" -> {
                Pod pod = Json.model(object, Pod.class);
                validatePodSpec(pod.getSpec(), "spec", errors);
            }
            case "Service" -> validateService(Json.model(object, Service.class),
                    old == null ? null : Json.model(old, Service.class), errors);
            case "Job" -> {
                Job job = Json.model(object, Job.class);
                if (job.getSpec() == null) {
                    errors.add(FieldError.required("spec.template", ""));
                } else {
                    JobAdmission.validate(job, old == null ? null : Json.model(old, Job.class), errors);
                    if (job.getSpec().getTemplate() != null) {
                        validatePodSpec(job.getSpec().getTemplate().getSpec(), "spec.template.spec", errors);
                    }
                }
            }
            case "Ingress" -> IngressValidation.validate(Json.model(object, Ingress.class), errors);
            case "ResourceQuota" -> validateQuota(Json.model(object, ResourceQuota.class), errors);
            default -> {
                // Names only.
            }
        }
        return errors;
    }

    /**
     * Forgets the cluster IP of a deleted Service, so that it can be allocated again.
     *
     * @param service the deleted Service
     */
    void released(Map<String, Object> service) {
        Object ip = Json.at(service, "spec", "clusterIP");
        if (ip != null) {
            clusterIpsInUse.remove(String.valueOf(ip));
        }
    }

    private static void validateName(ApiResources.Kind kind, String name, List<FieldError> errors) {
        if (name == null || name.isEmpty()) {
            errors.add(FieldError.required("metadata.name", "name or generateName is required"));
            return;
        }
        if (kind.names() == ApiResources.NameRule.DNS1035_LABEL) {
            if (name.length() > 63) {
                errors.add(FieldError.invalid("metadata.name", ApiErrors.quote(name), "must be no more than 63 characters"));
            }
            if (!DNS1035_LABEL.matcher(name).matches()) {
                errors.add(FieldError.invalid("metadata.name", ApiErrors.quote(name), DNS1035_MESSAGE));
            }
        } else {
            if (name.length() > 253) {
                errors.add(FieldError.invalid("metadata.name", ApiErrors.quote(name), "must be no more than 253 characters"));
            }
            if (!DNS1123_SUBDOMAIN.matcher(name).matches()) {
                errors.add(FieldError.invalid("metadata.name", ApiErrors.quote(name), SUBDOMAIN_MESSAGE));
            }
        }
    }

    // ---- Deployments ----

    private static void defaultDeployment(Deployment deployment) {
        DeploymentSpec spec = deployment.getSpec();
        if (spec == null) {
            return;
        }
        if (spec.getReplicas() == null) {
            spec.setReplicas(1);
        }
        DeploymentStrategy strategy = spec.getStrategy();
        if (strategy == null) {
            strategy = new DeploymentStrategy();
            spec.setStrategy(strategy);
        }
        if (strategy.getType() == null) {
            strategy.setType("RollingUpdate");
        }
        if ("RollingUpdate".equals(strategy.getType())) {
            RollingUpdateDeployment rolling = strategy.getRollingUpdate();
            if (rolling == null) {
                rolling = new RollingUpdateDeployment();
                strategy.setRollingUpdate(rolling);
            }
            if (rolling.getMaxUnavailable() == null) {
                rolling.setMaxUnavailable(new IntOrString("25%"));
            }
            if (rolling.getMaxSurge() == null) {
                rolling.setMaxSurge(new IntOrString("25%"));
            }
        }
        if (spec.getRevisionHistoryLimit() == null) {
            spec.setRevisionHistoryLimit(10);
        }
        if (spec.getProgressDeadlineSeconds() == null) {
            spec.setProgressDeadlineSeconds(600);
        }
        defaultTemplate(spec.getTemplate());
    }

    private static void validateDeploymentSpec(DeploymentSpec spec, List<FieldError> errors) {
        if (spec == null) {
            errors.add(FieldError.required("spec.template", ""));
            return;
        }
        nonNegative("spec.replicas", spec.getReplicas(), errors);
        validateSelectorAndTemplate(spec.getSelector(), spec.getTemplate(), "deployment", errors);
        DeploymentStrategy strategy = spec.getStrategy();
        if (strategy != null) {
            String type = strategy.getType();
            if (!"RollingUpdate".equals(type) && !"Recreate".equals(type)) {
                errors.add(FieldError.notSupported("spec.strategy.type", String.valueOf(type), List.of("Recreate", "RollingUpdate")));
            } else if ("Recreate".equals(type) && strategy.getRollingUpdate() != null) {
                errors.add(FieldError.forbidden("spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'"));
            } else if (strategy.getRollingUpdate() != null) {
                validateRollingUpdate(strategy.getRollingUpdate(), errors);
            }
        }
        nonNegative("spec.minReadySeconds", spec.getMinReadySeconds(), errors);
        nonNegative("spec.revisionHistoryLimit", spec.getRevisionHistoryLimit(), errors);
        Integer deadline = spec.getProgressDeadlineSeconds();
        if (deadline != null) {
            nonNegative("spec.progressDeadlineSeconds", deadline, errors);
            int minReady = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
            if (deadline <= minReady) {
                errors.add(FieldError.invalid("spec.progressDeadlineSeconds", String.valueOf(deadline),
                        "must be greater than minReadySeconds"));
            }
        }
    }

    private static void validateRollingUpdate(RollingUpdateDeployment rolling, List<FieldError> errors) {
        Integer unavailable = percentOrInt(rolling.getMaxUnavailable(), "spec.strategy.rollingUpdate.maxUnavailable", errors);
        Integer surge = percentOrInt(rolling.getMaxSurge(), "spec.strategy.rollingUpdate.maxSurge", errors);
        if (unavailable != null && isPercent(rolling.getMaxUnavailable()) && unavailable > 100) {
            errors.add(FieldError.invalid("spec.strategy.rollingUpdate.maxUnavailable", goIntOrString(rolling.getMaxUnavailable()),
                    "must not be greater than 100%"));
        }
        if (unavailable != null && surge != null && unavailable == 0 && surge == 0) {
            errors.add(FieldError.invalid("spec.strategy.rollingUpdate.maxUnavailable", goIntOrString(rolling.getMaxUnavailable()),
                    "may not be 0 when `maxSurge` is 0"));
        }
    }

    private static Integer percentOrInt(IntOrString value, String field, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        if (value.getIntVal() != null) {
            if (value.getIntVal() < 0) {
                errors.add(FieldError.invalid(field, String.valueOf(value.getIntVal()), "must be greater than or equal to 0"));
            }
            return value.getIntVal();
        }
        String text = value.getStrVal();
        if (text == null || !text.matches("[0-9]+%")) {
            errors.add(FieldError.invalid(field, ApiErrors.quote(String.valueOf(text)),
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
                            + "regex used for validation is '[0-9]+%')"));
            return null;
        }
        return Integer.parseInt(text.substring(0, text.length() - 1));
    }

    private static boolean isPercent(IntOrString value) {
        return value != null && value.getStrVal() != null;
    }

    private static void validateSelectorAndTemplate(LabelSelector selector, PodTemplateSpec template, String what,
            List<FieldError> errors) {
        if (selector == null) {
            errors.add(FieldError.required("spec.selector", ""));
        } else if ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && selector.getMatchExpressions().isEmpty()) {
            errors.add(FieldError.invalid("spec.selector", goSelector(selector), "empty selector is invalid for " + what));
        }
        if (template == null) {
            errors.add(FieldError.required("spec.template", ""));
            return;
        }
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        if (selector != null && !Selectors.matches(selector, labels == null ? Map.of() : labels)) {
            errors.add(FieldError.invalid("spec.template.metadata.labels", ApiErrors.goMap(labels),
                    "`selector` does not match template `labels`"));
        }
        validatePodSpec(template.getSpec(), "spec.template.spec", errors);
        if (template.getSpec() != null && template.getSpec().getRestartPolicy() != null
                && !"Always".equals(template.getSpec().getRestartPolicy())) {
            errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", template.getSpec().getRestartPolicy(),
                    List.of("Always")));
        }
    }

    // ---- Pods ----

    /**
     * Applies the defaults the API server gives a pod template (as {@code SetObjectDefaults_PodTemplate} does).
     *
     * @param template the template, changed in place; may be null
     */
    static void defaultTemplate(PodTemplateSpec template) {
        if (template != null) {
            defaultPodSpec(template.getSpec());
        }
    }

    private static void defaultPod(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return;
        }
        defaultPodSpec(spec);
        spec.getContainers().forEach(Admission::defaultRequestsToLimits);
        spec.getInitContainers().forEach(Admission::defaultRequestsToLimits);
        if (spec.getEnableServiceLinks() == null) {
            spec.setEnableServiceLinks(true);
        }
        if (spec.getPreemptionPolicy() == null) {
            spec.setPreemptionPolicy("PreemptLowerPriority");
        }
        if (spec.getPriority() == null) {
            spec.setPriority(0);
        }
        // The DefaultTolerationSeconds admission plug-in.
        addToleration(spec, "node.kubernetes.io/not-ready");
        addToleration(spec, "node.kubernetes.io/unreachable");
    }

    /** {@code SetDefaults_Pod}: a resource with a limit and no request is requested at its limit. */
    private static void defaultRequestsToLimits(Container container) {
        ResourceRequirements resources = container.getResources();
        if (resources == null || resources.getLimits() == null || resources.getLimits().isEmpty()) {
            return;
        }
        Map<String, Quantity> requests = new java.util.LinkedHashMap<>(
                resources.getRequests() == null ? Map.of() : resources.getRequests());
        resources.getLimits().forEach(requests::putIfAbsent);
        resources.setRequests(requests);
    }

    private static void validateQuota(ResourceQuota quota, List<FieldError> errors) {
        Map<String, Quantity> hard = quota.getSpec() == null ? null : quota.getSpec().getHard();
        if (hard == null) {
            return;
        }
        for (Map.Entry<String, Quantity> entry : new java.util.TreeMap<>(hard).entrySet()) {
            try {
                if (Quotas.amount(entry.getValue()).signum() < 0) {
                    errors.add(FieldError.invalid("spec.hard[" + entry.getKey() + "]", ApiErrors.quote(entry.getValue().toString()),
                            "must be greater than or equal to 0"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(FieldError.invalid("spec.hard[" + entry.getKey() + "]", ApiErrors.quote(String.valueOf(entry.getValue())),
                        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
            }
        }
    }

    private static void addToleration(PodSpec spec, String key) {
        boolean present = spec.getTolerations().stream().anyMatch(t -> key.equals(t.getKey()));
        if (!present) {
            Toleration toleration = new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                    .withTolerationSeconds(300L).build();
            List<Toleration> tolerations = new ArrayList<>(spec.getTolerations());
            tolerations.add(toleration);
            spec.setTolerations(tolerations);
        }
    }

    private static void defaultPodSpec(PodSpec spec) {
        if (spec == null) {
            return;
        }
        if (spec.getRestartPolicy() == null) {
            spec.setRestartPolicy("Always");
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds(30L);
        }
        if (spec.getDnsPolicy() == null) {
            spec.setDnsPolicy("ClusterFirst");
        }
        if (spec.getSchedulerName() == null) {
            spec.setSchedulerName("default-scheduler");
        }
        if (spec.getSecurityContext() == null) {
            spec.setSecurityContext(new PodSecurityContext());
        }
        spec.getContainers().forEach(Admission::defaultContainer);
        spec.getInitContainers().forEach(Admission::defaultContainer);
    }

    private static void defaultContainer(Container container) {
        if (container.getTerminationMessagePath() == null) {
            container.setTerminationMessagePath("/dev/termination-log");
        }
        if (container.getTerminationMessagePolicy() == null) {
            container.setTerminationMessagePolicy("File");
        }
        if (container.getImagePullPolicy() == null && container.getImage() != null) {
            container.setImagePullPolicy(pullsAlways(container.getImage()) ? "Always" : "IfNotPresent");
        }
        if (container.getResources() == null) {
            container.setResources(new ResourceRequirements());
        }
        for (ContainerPort port : container.getPorts()) {
            if (port.getProtocol() == null) {
                port.setProtocol("TCP");
            }
        }
        defaultProbe(container.getReadinessProbe());
        defaultProbe(container.getLivenessProbe());
        defaultProbe(container.getStartupProbe());
    }

    /** The image's tag is {@code latest}, or it has neither tag nor digest. */
    private static boolean pullsAlways(String image) {
        if (image.contains("@")) {
            return false;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon <= slash || image.substring(colon + 1).equals("latest");
    }

    private static void defaultProbe(Probe probe) {
        if (probe == null) {
            return;
        }
        if (probe.getTimeoutSeconds() == null) {
            probe.setTimeoutSeconds(1);
        }
        if (probe.getPeriodSeconds() == null) {
            probe.setPeriodSeconds(10);
        }
        if (probe.getSuccessThreshold() == null) {
            probe.setSuccessThreshold(1);
        }
        if (probe.getFailureThreshold() == null) {
            probe.setFailureThreshold(3);
        }
        if (probe.getHttpGet() != null && probe.getHttpGet().getScheme() == null) {
            probe.getHttpGet().setScheme("HTTP");
        }
    }

    private static void validatePodSpec(PodSpec spec, String path, List<FieldError> errors) {
        if (spec == null || spec.getContainers().isEmpty()) {
            errors.add(FieldError.required(path + ".containers", ""));
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.getContainers().size(); i++) {
            Container container = spec.getContainers().get(i);
            String at = path + ".containers[" + i + "]";
            String name = container.getName();
            if (name == null || name.isEmpty()) {
                errors.add(FieldError.required(at + ".name", ""));
            } else if (!DNS1123_LABEL.matcher(name).matches() || name.length() > 63) {
                errors.add(FieldError.invalid(at + ".name", ApiErrors.quote(name), LABEL_MESSAGE));
            } else if (!names.add(name)) {
                errors.add(new FieldError("Duplicate", at + ".name", ApiErrors.quote(name), ""));
            }
            if (container.getImage() == null || container.getImage().isBlank()) {
                errors.add(FieldError.required(at + ".image", ""));
            }
        }
    }

    /** The QoS class the API server computes for a pod's status. */
    static String qosClass(PodSpec spec) {
        boolean any = false;
        boolean guaranteed = true;
        for (Container container : spec.getContainers()) {
            ResourceRequirements resources = container.getResources();
            Map<String, Quantity> requests = resources == null ? Map.of() : resources.getRequests();
            Map<String, Quantity> limits = resources == null ? Map.of() : resources.getLimits();
            if (!requests.isEmpty() || !limits.isEmpty()) {
                any = true;
            }
            for (String resource : List.of("cpu", "memory")) {
                Quantity limit = limits.get(resource);
                Quantity request = requests.getOrDefault(resource, limit);
                if (limit == null || !Objects.equals(Quantity.getAmountInBytes(limit), Quantity.getAmountInBytes(request))) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    // ---- Services ----

    private void defaultService(Service service, Service old) {
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            spec = new ServiceSpec();
            service.setSpec(spec);
        }
        if (spec.getType() == null) {
            spec.setType("ClusterIP");
        }
        if (spec.getSessionAffinity() == null) {
            spec.setSessionAffinity("None");
        }
        for (ServicePort port : spec.getPorts()) {
            if (port.getProtocol() == null) {
                port.setProtocol("TCP");
            }
            if (port.getTargetPort() == null && port.getPort() != null) {
                port.setTargetPort(new IntOrString(port.getPort()));
            }
        }
        if ("ExternalName".equals(spec.getType())) {
            return;
        }
        ServiceSpec before = old == null ? null : old.getSpec();
        // An update that leaves the allocated IP out keeps it (patchAllocatedValues).
        if (before != null && (spec.getClusterIP() == null || spec.getClusterIP().isEmpty())) {
            spec.setClusterIP(before.getClusterIP());
            if (spec.getClusterIPs().isEmpty()) {
                spec.setClusterIPs(before.getClusterIPs());
            }
        } else if (before != null && !Objects.equals(spec.getClusterIP(), before.getClusterIP())
                && Objects.equals(spec.getClusterIPs(), before.getClusterIPs()) && !spec.getClusterIPs().isEmpty()) {
            // normalizeClusterIPs: a changed clusterIP carries over into clusterIPs[0], which validation refuses.
            List<String> ips = new ArrayList<>(spec.getClusterIPs());
            ips.set(0, spec.getClusterIP());
            spec.setClusterIPs(ips);
        }
        if (spec.getClusterIP() == null || spec.getClusterIP().isEmpty()) {
            spec.setClusterIP(nextClusterIp());
        } else if (old == null) {
            clusterIpsInUse.add(spec.getClusterIP());
        }
        if (spec.getClusterIPs().isEmpty()) {
            spec.setClusterIPs(List.of(spec.getClusterIP()));
        }
        if (spec.getIpFamilies().isEmpty()) {
            spec.setIpFamilies(List.of("IPv4"));
        }
        if (spec.getIpFamilyPolicy() == null) {
            spec.setIpFamilyPolicy("SingleStack");
        }
        if (spec.getInternalTrafficPolicy() == null) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        if ("NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType())) {
            for (int i = 0; i < spec.getPorts().size(); i++) {
                ServicePort port = spec.getPorts().get(i);
                if (port.getNodePort() == null) {
                    Integer kept = before == null || before.getPorts().size() <= i ? null : before.getPorts().get(i).getNodePort();
                    port.setNodePort(kept != null ? kept : 30000 + (allocatedNodePorts++ % 2768));
                }
            }
            if (spec.getExternalTrafficPolicy() == null) {
                spec.setExternalTrafficPolicy("Cluster");
            }
            if ("LoadBalancer".equals(spec.getType()) && spec.getAllocateLoadBalancerNodePorts() == null) {
                spec.setAllocateLoadBalancerNodePorts(true);
            }
        }
    }

    private String nextClusterIp() {
        while (true) {
            int n = allocatedClusterIps++ % (256 * 254);
            String ip = "10.96." + (n / 254) + "." + (n % 254 + 1);
            if (clusterIpsInUse.add(ip)) {
                return ip;
            }
        }
    }

    private static void validateService(Service service, Service old, List<FieldError> errors) {
        ServiceSpec spec = service.getSpec();
        boolean headless = "None".equals(spec.getClusterIP());
        if (spec.getPorts().isEmpty() && !headless && !"ExternalName".equals(spec.getType())) {
            errors.add(FieldError.required("spec.ports", ""));
        }
        List<String> types = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
        if (!types.contains(spec.getType())) {
            errors.add(FieldError.notSupported("spec.type", spec.getType(), types));
        }
        if (old == null || "ExternalName".equals(spec.getType()) || "ExternalName".equals(old.getSpec().getType())) {
            return;
        }
        List<String> before = old.getSpec().getClusterIPs();
        List<String> after = spec.getClusterIPs();
        if (before.size() == after.size()) {
            for (int i = 0; i < before.size(); i++) {
                if (!before.get(i).equals(after.get(i))) {
                    errors.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ApiErrors.goStrings(after), "may not change once set"));
                }
            }
        } else if (!before.isEmpty() && !after.isEmpty() && !before.get(0).equals(after.get(0))) {
            errors.add(FieldError.invalid("spec.clusterIPs[0]", ApiErrors.goStrings(after), "may not change once set"));
        }
    }

    // ---- shared ----

    private static void nonNegative(String field, Integer value, List<FieldError> errors) {
        if (value != null && value < 0) {
            errors.add(FieldError.invalid(field, String.valueOf(value), "must be greater than or equal to 0"));
        }
    }

    /** Go's {@code %#v} of a {@code metav1.LabelSelector} without expressions, as immutability errors print it. */
    static String goSelector(LabelSelector selector) {
        if (selector == null) {
            return "null";
        }
        String expressions = selector.getMatchExpressions().isEmpty() ? "[]v1.LabelSelectorRequirement(nil)"
                : "[]v1.LabelSelectorRequirement{" + selector.getMatchExpressions().stream()
                        .map(e -> "v1.LabelSelectorRequirement{Key:" + ApiErrors.quote(e.getKey()) + ", Operator:"
                                + ApiErrors.quote(e.getOperator()) + ", Values:" + ApiErrors.goStrings(e.getValues()) + "}")
                        .reduce((a, b) -> a + ", " + b).orElse("") + "}";
        return "v1.LabelSelector{MatchLabels:" + ApiErrors.goMap(selector.getMatchLabels())
                + ", MatchExpressions:" + expressions + "}";
    }

    private static String goIntOrString(IntOrString value) {
        return value.getIntVal() != null ? String.valueOf(value.getIntVal()) : value.getStrVal();
    }
}
