package dev.bluegreen.testkit.internal;

import dev.bluegreen.testkit.internal.ApiErrors.FieldError;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the API server does to a {@code batch/v1} Job: {@code SetDefaults_Job} ({@code completions} and
 * {@code parallelism} 1, {@code backoffLimit} 6, {@code completionMode} NonIndexed, {@code suspend} false,
 * {@code podReplacementPolicy}, labels from the template), the Job strategy's generated selector on create
 * ({@code batch.kubernetes.io/controller-uid} in the selector; {@code controller-uid}, {@code job-name} and
 * their {@code batch.kubernetes.io/} forms in the template's labels), and validation
 * ({@code pkg/apis/batch/validation}): restart policy {@code OnFailure} or {@code Never}, selector matching
 * the template, non-negative counts, and immutable selector, template and completions.
 */
final class JobAdmission {

    static final String CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
    static final String LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
    static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    static final String LEGACY_JOB_NAME_LABEL = "job-name";

    private JobAdmission() {
    }

    /**
     * Applies the defaults, and on create the generated selector.
     *
     * @param job    the Job, changed in place
     * @param create whether the Job is being created
     */
    static void defaults(Job job, boolean create) {
        JobSpec spec = job.getSpec();
        if (spec == null) {
            return;
        }
        if (spec.getCompletions() == null && spec.getParallelism() == null) {
            spec.setCompletions(1);
            spec.setParallelism(1);
        }
        if (spec.getParallelism() == null) {
            spec.setParallelism(1);
        }
        if (spec.getBackoffLimit() == null) {
            spec.setBackoffLimit(spec.getBackoffLimitPerIndex() != null ? Integer.MAX_VALUE : 6);
        }
        if (spec.getCompletionMode() == null) {
            spec.setCompletionMode("NonIndexed");
        }
        if (spec.getSuspend() == null) {
            spec.setSuspend(false);
        }
        if (spec.getPodReplacementPolicy() == null) {
            spec.setPodReplacementPolicy(spec.getPodFailurePolicy() != null ? "Failed" : "TerminatingOrFailed");
        }
        PodTemplateSpec template = spec.getTemplate();
        Map<String, String> templateLabels = template == null || template.getMetadata() == null ? null
                : template.getMetadata().getLabels();
        if (templateLabels != null && !templateLabels.isEmpty()
                && (job.getMetadata().getLabels() == null || job.getMetadata().getLabels().isEmpty())) {
            job.getMetadata().setLabels(new LinkedHashMap<>(templateLabels));
        }
        if (create && !Boolean.TRUE.equals(spec.getManualSelector()) && template != null) {
            generateSelector(job);
        }
    }

    private static void generateSelector(Job job) {
        PodTemplateSpec template = job.getSpec().getTemplate();
        if (template.getMetadata() == null) {
            template.setMetadata(new ObjectMeta());
        }
        Map<String, String> labels = new LinkedHashMap<>(
                template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        String name = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        labels.putIfAbsent(LEGACY_JOB_NAME_LABEL, name);
        labels.putIfAbsent(JOB_NAME_LABEL, name);
        labels.putIfAbsent(LEGACY_CONTROLLER_UID_LABEL, uid);
        labels.putIfAbsent(CONTROLLER_UID_LABEL, uid);
        template.getMetadata().setLabels(labels);
        LabelSelector selector = job.getSpec().getSelector();
        if (selector == null) {
            selector = new LabelSelector();
            job.getSpec().setSelector(selector);
        }
        Map<String, String> matchLabels = new LinkedHashMap<>(
                selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
        matchLabels.putIfAbsent(CONTROLLER_UID_LABEL, uid);
        selector.setMatchLabels(matchLabels);
    }

    /**
     * Validates a Job's spec, and on update what may not change.
     *
     * @param job    the defaulted Job
     * @param old    the stored Job an update replaces, or null on create
     * @param errors where to add the errors
     */
    static void validate(Job job, Job old, List<FieldError> errors) {
        JobSpec spec = job.getSpec();
        nonNegative("spec.parallelism", spec.getParallelism(), errors);
        nonNegative("spec.completions", spec.getCompletions(), errors);
        nonNegative("spec.backoffLimit", spec.getBackoffLimit(), errors);
        nonNegative("spec.activeDeadlineSeconds", spec.getActiveDeadlineSeconds(), errors);
        nonNegative("spec.ttlSecondsAfterFinished", spec.getTtlSecondsAfterFinished(), errors);
        LabelSelector selector = spec.getSelector();
        PodTemplateSpec template = spec.getTemplate();
        if (selector == null) {
            errors.add(FieldError.required("spec.selector", ""));
        } else if ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && selector.getMatchExpressions().isEmpty()) {
            errors.add(FieldError.invalid("spec.selector", Admission.goSelector(selector), "empty selector is invalid for job"));
        }
        if (template == null) {
            errors.add(FieldError.required("spec.template", ""));
        } else {
            Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
            if (selector != null && !Selectors.matches(selector, labels == null ? Map.of() : labels)) {
                errors.add(FieldError.invalid("spec.template.metadata.labels", ApiErrors.goMap(labels),
                        "`selector` does not match template `labels`"));
            }
            String restartPolicy = template.getSpec() == null ? null : template.getSpec().getRestartPolicy();
            if (template.getSpec() != null && !"OnFailure".equals(restartPolicy) && !"Never".equals(restartPolicy)) {
                errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", String.valueOf(restartPolicy),
                        List.of("OnFailure", "Never")));
            }
        }
        if (old == null || old.getSpec() == null) {
            return;
        }
        JobSpec before = old.getSpec();
        if (!Objects.equals(before.getCompletions(), spec.getCompletions())) {
            errors.add(FieldError.invalid("spec.completions", String.valueOf(spec.getCompletions()), "field is immutable"));
        }
        if (!Canonical.same(before.getSelector(), spec.getSelector())) {
            errors.add(FieldError.invalid("spec.selector", Admission.goSelector(spec.getSelector()), "field is immutable"));
        }
        boolean neverStarted = Boolean.TRUE.equals(before.getSuspend()) && (old.getStatus() == null || old.getStatus().getStartTime() == null);
        if (!neverStarted && !Canonical.same(before.getTemplate(), spec.getTemplate())) {
            // The server prints the whole core.PodTemplateSpec with %#v; that much Go syntax is left out here.
            errors.add(FieldError.invalid("spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
        }
        if (!Objects.equals(before.getCompletionMode(), spec.getCompletionMode())) {
            errors.add(FieldError.invalid("spec.completionMode", ApiErrors.quote(String.valueOf(spec.getCompletionMode())),
                    "field is immutable"));
        }
    }

    private static void nonNegative(String field, Number value, List<FieldError> errors) {
        if (value != null && value.longValue() < 0) {
            errors.add(FieldError.invalid(field, String.valueOf(value), "must be greater than or equal to 0"));
        }
    }
}
