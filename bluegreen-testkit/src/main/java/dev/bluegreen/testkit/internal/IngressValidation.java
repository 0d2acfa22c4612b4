package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.internal.ApiErrors.FieldError;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validation of {@code networking.k8s.io/v1} Ingresses as {@code pkg/apis/networking/validation} does it, worded as
 * the server words it: {@code rules} or {@code defaultBackend}, hosts (DNS names, one leading wildcard label, no IP
 * addresses), {@code pathType} required and supported, absolute paths without {@code //}, {@code /./},
 * {@code /../} or encoded slashes, and backends (a Service by a valid name with a port name or number, or a
 * resource, not both). TLS sections and ingress class names are not validated.
 */
final class IngressValidation {

    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern WILDCARD_SUBDOMAIN = Pattern.compile(
            "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final String SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String WILDCARD_MESSAGE = "a wildcard DNS-1123 subdomain must start with '*.', followed by a "
            + "valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
            + "alphanumeric character (e.g. '*.example.com', regex used for validation is "
            + "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters "
            + "or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
            + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private static final List<String> INVALID_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
    private static final List<String> INVALID_SUFFIXES = List.of("/..", "/.");

    private IngressValidation() {
    }

    /**
     * Validates an Ingress's spec.
     *
     * @param ingress the Ingress
     * @param errors  where to add the errors
     */
    static void validate(Ingress ingress, List<FieldError> errors) {
        IngressSpec spec = ingress.getSpec();
        if (spec == null || (spec.getRules().isEmpty() && spec.getDefaultBackend() == null)) {
            errors.add(FieldError.invalid("spec", "[]networking.IngressRule(nil)",
                    "either `defaultBackend` or `rules` must be specified"));
            return;
        }
        if (spec.getDefaultBackend() != null) {
            validateBackend(spec.getDefaultBackend(), "spec.defaultBackend", errors);
        }
        for (int i = 0; i < spec.getRules().size(); i++) {
            validateRule(spec.getRules().get(i), "spec.rules[" + i + "]", errors);
        }
    }

    private static void validateRule(IngressRule rule, String at, List<FieldError> errors) {
        String host = rule.getHost();
        if (host != null && !host.isEmpty()) {
            if (IPV4.matcher(host).matches() || host.contains(":")) {
                errors.add(FieldError.invalid(at + ".host", ApiErrors.quote(host), "must be a DNS name, not an IP address"));
            }
            if (host.contains("*")) {
                if (host.length() > 253) {
                    errors.add(FieldError.invalid(at + ".host", ApiErrors.quote(host), "must be no more than 253 characters"));
                }
                if (!WILDCARD_SUBDOMAIN.matcher(host).matches()) {
                    errors.add(FieldError.invalid(at + ".host", ApiErrors.quote(host), WILDCARD_MESSAGE));
                }
            } else {
                if (host.length() > 253) {
                    errors.add(FieldError.invalid(at + ".host", ApiErrors.quote(host), "must be no more than 253 characters"));
                }
                if (!DNS1123_SUBDOMAIN.matcher(host).matches()) {
                    errors.add(FieldError.invalid(at + ".host", ApiErrors.quote(host), SUBDOMAIN_MESSAGE));
                }
            }
        }
        if (rule.getHttp() == null) {
            return;
        }
        List<HTTPIngressPath> paths = rule.getHttp().getPaths();
        if (paths.isEmpty()) {
            errors.add(FieldError.required(at + ".http.paths", ""));
        }
        for (int j = 0; j < paths.size(); j++) {
            validatePath(paths.get(j), at + ".http.paths[" + j + "]", errors);
        }
    }

    private static void validatePath(HTTPIngressPath path, String at, List<FieldError> errors) {
        String type = path.getPathType();
        if (type == null) {
            errors.add(FieldError.required(at + ".pathType", "pathType must be specified"));
            return;
        }
        String value = path.getPath() == null ? "" : path.getPath();
        switch (type) {
            case "Exact", "Prefix" -> {
                if (!value.startsWith("/")) {
                    errors.add(FieldError.invalid(at + ".path", ApiErrors.quote(value), "must be an absolute path"));
                }
                if (!value.isEmpty()) {
                    for (String sequence : INVALID_SEQUENCES) {
                        if (value.contains(sequence)) {
                            errors.add(FieldError.invalid(at + ".path", ApiErrors.quote(value), "must not contain '" + sequence + "'"));
                        }
                    }
                    for (String suffix : INVALID_SUFFIXES) {
                        if (value.endsWith(suffix)) {
                            errors.add(FieldError.invalid(at + ".path", ApiErrors.quote(value), "cannot end with '" + suffix + "'"));
                        }
                    }
                }
            }
            case "ImplementationSpecific" -> {
                if (!value.isEmpty() && !value.startsWith("/")) {
                    errors.add(FieldError.invalid(at + ".path", ApiErrors.quote(value), "must be an absolute path"));
                }
            }
            default -> errors.add(FieldError.notSupported(at + ".pathType", type,
                    List.of("Exact", "ImplementationSpecific", "Prefix")));
        }
        validateBackend(path.getBackend(), at + ".backend", errors);
    }

    private static void validateBackend(IngressBackend backend, String at, List<FieldError> errors) {
        boolean resource = backend != null && backend.getResource() != null;
        boolean service = backend != null && backend.getService() != null;
        if (resource && service) {
            errors.add(FieldError.invalid(at, "\"\"", "cannot set both resource and service backends"));
            return;
        }
        if (resource) {
            if (backend.getResource().getKind() == null || backend.getResource().getKind().isEmpty()) {
                errors.add(FieldError.required(at + ".resource.kind", "kind is required"));
            }
            if (backend.getResource().getName() == null || backend.getResource().getName().isEmpty()) {
                errors.add(FieldError.required(at + ".resource.name", "name is required"));
            }
            return;
        }
        if (!service) {
            errors.add(FieldError.invalid(at, "\"\"", "resource or service backend is required"));
            return;
        }
        IngressServiceBackend ref = backend.getService();
        String name = ref.getName();
        if (name == null || name.isEmpty()) {
            errors.add(FieldError.required(at + ".service.name", ""));
        } else {
            if (name.length() > 63) {
                errors.add(FieldError.invalid(at + ".service.name", ApiErrors.quote(name), "must be no more than 63 characters"));
            }
            if (!DNS1035_LABEL.matcher(name).matches()) {
                errors.add(FieldError.invalid(at + ".service.name", ApiErrors.quote(name), DNS1035_MESSAGE));
            }
        }
        String portName = ref.getPort() == null ? null : ref.getPort().getName();
        Integer portNumber = ref.getPort() == null ? null : ref.getPort().getNumber();
        boolean hasName = portName != null && !portName.isEmpty();
        boolean hasNumber = portNumber != null && portNumber != 0;
        if (hasName && hasNumber) {
            errors.add(FieldError.invalid(at, "\"\"", "cannot set both port name & port number"));
        } else if (hasName) {
            for (String message : portNameErrors(portName)) {
                errors.add(FieldError.invalid(at + ".service.port.name", ApiErrors.quote(portName), message));
            }
        } else if (hasNumber) {
            if (portNumber < 1 || portNumber > 65535) {
                errors.add(FieldError.invalid(at + ".service.port.number", String.valueOf(portNumber),
                        "must be between 1 and 65535, inclusive"));
            }
        } else {
            errors.add(FieldError.required(at, "port name or number is required"));
        }
    }

    /** {@code validation.IsValidPortName}. */
    private static List<String> portNameErrors(String port) {
        List<String> messages = new java.util.ArrayList<>();
        if (port.length() > 15) {
            messages.add("must be no more than 15 characters");
        }
        if (!port.matches("[-a-z0-9]+")) {
            messages.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!port.matches(".*[a-z].*")) {
            messages.add("must contain at least one letter (a-z)");
        }
        if (port.contains("--")) {
            messages.add("must not contain consecutive hyphens");
        }
        if (port.startsWith("-") || port.endsWith("-")) {
            messages.add("must not begin or end with a hyphen");
        }
        return messages;
    }
}
