package dev.bluegreen.fabric8;

import java.net.URI;

/**
 * Where a Service can be reached from this process for one gate evaluation, e.g. its in-cluster DNS
 * name or a local port-forward. Closing it releases what it holds (the port-forward); closing twice
 * does nothing.
 */
public interface ServiceAddress extends AutoCloseable {

    /**
     * @return the base URL, e.g. {@code http://myapp-service.shop.svc:80/} or {@code http://127.0.0.1:40123/};
     *         ends with {@code /}
     */
    URI baseUrl();

    /** Releases the address; never throws. */
    @Override
    void close();

    /**
     * @param baseUrl a base URL that needs no clean-up
     * @return an address that is just that URL
     */
    static ServiceAddress of(URI baseUrl) {
        return of(baseUrl, () -> { }, baseUrl.toString());
    }

    /**
     * @param baseUrl     the base URL
     * @param onClose     releases what the address holds, e.g. a port-forward; what it throws is ignored
     * @param description what the address is, for messages
     * @return an address that runs {@code onClose} when closed
     */
    static ServiceAddress of(URI baseUrl, AutoCloseable onClose, String description) {
        URI base = baseUrl.toString().endsWith("/") ? baseUrl : URI.create(baseUrl + "/");
        return new ServiceAddress() {
            @Override
            public URI baseUrl() {
                return base;
            }

            @Override
            public void close() {
                try {
                    onClose.close();
                } catch (Exception e) {
                    // nothing to do: what it held is gone either way
                }
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
