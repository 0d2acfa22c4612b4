package dev.bluegreen;

import dev.bluegreen.internal.Checks;

/**
 * Which app a release is about: its namespace and name. Locks, release records and results are
 * keyed by it.
 *
 * @param namespace the namespace, a lowercase DNS label; never null
 * @param app       the app's name, a lowercase DNS label; never null
 */
public record AppId(String namespace, String app) {

    /**
     * Validates both parts.
     *
     * @param namespace the namespace
     * @param app       the app's name
     * @throws ConfigurationException when either is not a lowercase DNS label
     */
    public AppId {
        Checks.dnsLabel("namespace", namespace);
        Checks.dnsLabel("app", app);
    }

    /**
     * @param namespace the namespace
     * @param app       the app's name
     * @return the id
     */
    public static AppId of(String namespace, String app) {
        return new AppId(namespace, app);
    }

    /**
     * @return {@code namespace/app}
     */
    @Override
    public String toString() {
        return namespace + "/" + app;
    }
}
