package dev.bluegreen;

/**
 * The release lost its lock (it could not renew it in time, or someone else took it over). The
 * release stops at the next safe point and writes nothing more: another release may be acting.
 */
public class LockLostException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /** The app. */
    private final AppId app;

    /**
     * @param app     the app; never null
     * @param message what happened to the lock; never null
     * @param cause   the failure that lost it; may be null
     */
    public LockLostException(AppId app, String message, Throwable cause) {
        super(message, cause);
        this.app = app;
    }

    /**
     * @return the app whose lock was lost
     */
    public AppId app() {
        return app;
    }
}
