package dev.bluegreen.internal;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.GateContext;
import dev.bluegreen.GateEvaluation;
import dev.bluegreen.GateResult;
import dev.bluegreen.GateStatus;
import dev.bluegreen.HealthGate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** All-of and any-of composition of gates; see {@link HealthGate#allOf} and {@link HealthGate#anyOf}. */
public final class CompositeGate implements HealthGate {

    /** How the parts' verdicts combine. */
    public enum Mode {
        /** Every part must pass. */
        ALL_OF,
        /** One passing part is enough. */
        ANY_OF
    }

    private final String name;
    private final Mode mode;
    private final List<HealthGate> gates;

    /**
     * @param name  the composite's name; never blank
     * @param mode  how verdicts combine; never null
     * @param gates the parts, at least one, none null (a list that may hold nulls: they are
     *              refused here with a message naming their position, not with a bare NullPointerException)
     * @throws ConfigurationException when the name is blank or the parts are null, empty or hold a null
     */
    public CompositeGate(String name, Mode mode, List<HealthGate> gates) {
        this.name = Checks.nonBlank("gate name", name);
        this.mode = Checks.nonNull("mode", mode);
        if (gates == null || gates.isEmpty()) {
            throw new ConfigurationException("composite gate '" + name + "' needs at least one gate, but got "
                    + (gates == null ? "null" : "none"));
        }
        for (int i = 0; i < gates.size(); i++) {
            if (gates.get(i) == null) {
                throw new ConfigurationException("composite gate '" + name + "': gate #" + (i + 1) + " is null");
            }
        }
        this.gates = List.copyOf(gates);
    }

    @Override
    public GateResult evaluate(GateContext context) throws InterruptedException {
        List<GateEvaluation> parts = new ArrayList<>();
        Map<String, Number> measurements = new LinkedHashMap<>();
        for (HealthGate gate : gates) {
            GateResult result = Gates.evaluate(gate, context);
            parts.add(new GateEvaluation(gate.name(), context.stage(), result, context.time().now()));
            result.measurements().forEach((key, value) -> measurements.put(gate.name() + "." + key, value));
            if (mode == Mode.ANY_OF && result.passed()) {
                break;
            }
        }
        return verdict(parts).withMeasurements(measurements).withParts(parts);
    }

    private GateResult verdict(List<GateEvaluation> parts) {
        long passed = parts.stream().filter(p -> p.result().passed()).count();
        List<GateEvaluation> failed = only(parts, GateStatus.FAILED);
        List<GateEvaluation> inconclusive = only(parts, GateStatus.INCONCLUSIVE);
        if (mode == Mode.ALL_OF) {
            String tally = passed + " of " + gates.size() + " gates passed";
            if (!failed.isEmpty()) {
                return GateResult.failed(tally + "; " + describe(failed) + describeIfAny("; ", inconclusive));
            }
            if (!inconclusive.isEmpty()) {
                return GateResult.inconclusive(tally + "; " + describe(inconclusive));
            }
            return GateResult.passed("all " + gates.size() + " gates passed");
        }
        if (passed > 0) {
            GateEvaluation winner = parts.get(parts.size() - 1);
            return GateResult.passed("'" + winner.gate() + "' passed: " + winner.result().reason());
        }
        if (!inconclusive.isEmpty()) {
            return GateResult.inconclusive("none of " + gates.size() + " gates passed; " + describe(inconclusive)
                    + describeIfAny("; ", failed));
        }
        return GateResult.failed("none of " + gates.size() + " gates passed; " + describe(failed));
    }

    private static List<GateEvaluation> only(List<GateEvaluation> parts, GateStatus status) {
        return parts.stream().filter(p -> p.result().status() == status).collect(Collectors.toList());
    }

    private static String describe(List<GateEvaluation> parts) {
        return parts.stream()
                .map(p -> "'" + p.gate() + "' " + p.result().status().name().toLowerCase() + ": " + p.result().reason())
                .collect(Collectors.joining("; "));
    }

    private static String describeIfAny(String separator, List<GateEvaluation> parts) {
        return parts.isEmpty() ? "" : separator + describe(parts);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + "=" + mode + gates.stream().map(HealthGate::name).collect(Collectors.toList());
    }
}
