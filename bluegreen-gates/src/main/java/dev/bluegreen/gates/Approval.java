package dev.bluegreen.gates;

import dev.bluegreen.gates.internal.Args;

/**
 * A person's or a system's decision on a release, as an {@link ApprovalSource} supplies it.
 *
 * @param approved whether the release may go on
 * @param by       who decided; never blank
 * @param note     why; never null, may be empty
 */
public record Approval(boolean approved, String by, String note) {

    /**
     * Validates the components.
     *
     * @param approved whether the release may go on
     * @param by       who decided
     * @param note     why
     */
    public Approval {
        Args.nonBlank("approver", by);
        Args.nonNull("approval note", note);
    }

    /**
     * @param by   who approves; never blank
     * @param note why; may be null (kept as "")
     * @return an approval
     */
    public static Approval approve(String by, String note) {
        return new Approval(true, by, note == null ? "" : note);
    }

    /**
     * @param by   who rejects; never blank
     * @param note why; may be null (kept as "")
     * @return a rejection
     */
    public static Approval reject(String by, String note) {
        return new Approval(false, by, note == null ? "" : note);
    }
}
