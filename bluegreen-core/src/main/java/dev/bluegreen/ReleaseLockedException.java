package dev.bluegreen;

import java.time.Instant;

/**
 * Another release of the same app holds its lock (invariant I4). Thrown before anything is
 * written; names the holder and since when it holds the lock.
 */
public class ReleaseLockedException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The app. */
    private final AppId app;
    /** The holder's identity, e.g. {@code r-6f1c2a@build-host-7}. */
    private final String holder;
    /** Since when the holder holds the lock. */
    private final Instant since;

    /**
     * @param app     the app; never null
     * @param holder  the holder's identity; never null
     * @param since   since when it holds the lock; may be null when unknown
     * @param message the explanation; never null
     */
    public ReleaseLockedException(AppId app, String holder, Instant since, String message) {
        super(message);
        this.app = app;
        this.holder = holder;
        this.since = since;
    }

    /**
     * @return the app whose lock is held
     */
    public AppId app() {
        return app;
    }

    /**
     * @return the identity of the release holding the lock
     */
    public String holder() {
        return holder;
    }

    /**
     * @return since when the holder holds the lock, or null when unknown
     */
    public Instant since() {
        return since;
    }
}
