package dev.bluegreen;

/**
 * The app's release record shows a release that never finished and whose holder is gone (the
 * process crashed or was killed). A new release refuses to run over it, because the record may
 * name the only color still running the last good version; recover with
 * {@link ReleaseEngine#recover(ReleasePlan, RecoveryPolicy, ReleaseListener...)} or set
 * {@link ReleasePlan.Builder#recovery(RecoveryPolicy)}.
 */
public class UnfinishedReleaseException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The unfinished release's record. */
    private final transient ReleaseRecord record;

    /**
     * @param record  the unfinished release's record; never null
     * @param message the explanation and what to do; never null
     */
    public UnfinishedReleaseException(ReleaseRecord record, String message) {
        super(message);
        this.record = record;
    }

    /**
     * @return the unfinished release's record
     */
    public ReleaseRecord record() {
        return record;
    }
}
