package dev.bluegreen.gates;

import dev.bluegreen.GateContext;

import java.util.concurrent.CompletionStage;

/**
 * Where a host application's own approval comes from, e.g. a chat bot's button, a change ticket,
 * a deployment dashboard: the {@link ApprovalGate} waits for it next to the release's signals.
 */
@FunctionalInterface
public interface ApprovalSource {

    /**
     * Asks for a decision on the release the context describes. Called once per evaluation,
     * before the gate waits; must not block.
     *
     * @param context the release, candidate and stage to decide on; never null
     * @return completes with the decision; completing exceptionally makes the gate inconclusive;
     *         never null
     */
    CompletionStage<Approval> decision(GateContext context);
}
