package dev.bluegreen;

import java.util.List;

/**
 * A check made before any write failed; nothing was changed. Carries every problem found, each a
 * sentence naming the object and the offending value, so a user can fix them all at once.
 */
public class PreflightException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The problems found, in the order checked. */
    private final List<String> problems;

    /**
     * @param subject  what was being checked, e.g. "switch of Service shop/myapp-service to green"; never null
     * @param problems the problems found, at least one; never null
     */
    public PreflightException(String subject, List<String> problems) {
        super(message(subject, problems));
        this.problems = List.copyOf(problems);
    }

    private static String message(String subject, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PreflightException needs at least one problem");
        }
        if (problems.size() == 1) {
            return "preflight of " + subject + " failed, nothing was changed: " + problems.get(0);
        }
        StringBuilder text = new StringBuilder("preflight of ").append(subject)
                .append(" failed, nothing was changed (").append(problems.size()).append(" problems):");
        problems.forEach(p -> text.append("\n  - ").append(p));
        return text.toString();
    }

    /**
     * @return the problems found, in the order they were checked; never empty
     */
    public List<String> problems() {
        return problems;
    }
}
