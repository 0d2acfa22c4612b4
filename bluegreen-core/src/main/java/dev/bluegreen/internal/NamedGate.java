package dev.bluegreen.internal;

import dev.bluegreen.GateContext;
import dev.bluegreen.GateResult;
import dev.bluegreen.HealthGate;

/** A gate shown under another name. */
public final class NamedGate implements HealthGate {
    private final String name;
    private final HealthGate gate;

    /**
     * @param name the name; never blank
     * @param gate the gate; never null
     */
    public NamedGate(String name, HealthGate gate) {
        this.name = Checks.nonBlank("gate name", name);
        this.gate = Checks.nonNull("gate '" + name + "'", gate);
    }

    @Override
    public GateResult evaluate(GateContext context) throws Exception {
        return gate.evaluate(context);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
