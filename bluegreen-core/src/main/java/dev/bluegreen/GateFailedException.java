package dev.bluegreen;

/**
 * A gate of a release did not pass (failed or inconclusive). Carries the evaluation that decided.
 */
public class GateFailedException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    private final transient GateEvaluation evaluation;

    /**
     * @param release    the release, e.g. {@code release r-6f1c2a of shop/myapp}; never null
     * @param evaluation the evaluation that did not pass; never null
     */
    public GateFailedException(String release, GateEvaluation evaluation) {
        super(release + ": " + evaluation.stage().name().toLowerCase()
                .replace('_', '-') + " gate '" + evaluation.gate() + "' " + evaluation.result().status() + ": "
                + evaluation.result().reason() + (evaluation.result().measurements().isEmpty() ? ""
                : " " + evaluation.result().measurements()));
        this.evaluation = evaluation;
    }

    /**
     * @return the evaluation that did not pass
     */
    public GateEvaluation evaluation() {
        return evaluation;
    }
}
