package dev.bluegreen.testkit.internal;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Builds the clients of one simulated cluster. All clients of the JVM share one Vert.x instance (each
 * client still has its own connection pool) and one {@link KubernetesSerialization}: a fresh Vert.x per
 * client costs start-up time, and a fresh serialization costs tens of milliseconds on the first request
 * while Jackson builds its deserializers. The shared Vert.x is never closed (its threads are daemons):
 * closing it under a watch that is still delivering events makes Netty log rejected tasks.
 */
public final class ClientFactory implements AutoCloseable {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final String masterUrl;
    private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();

    /**
     * Creates a factory for clients of one server.
     *
     * @param masterUrl the simulated API server's URL
     */
    public ClientFactory(String masterUrl) {
        this.masterUrl = masterUrl;
    }

    /**
     * Builds a client; it is closed by {@link #close()}.
     *
     * @param namespace   the client's default namespace
     * @param userAgent   the {@code User-Agent} to send, or null for fabric8's default
     * @param interceptor an interceptor to install, or null
     * @return a new client with its own connection pool
     */
    public KubernetesClient create(String namespace, String userAgent, Interceptor interceptor) {
        return create(namespace, userAgent, interceptor, UnaryOperator.identity());
    }

    /**
     * Builds a client whose configuration the caller adjusts; it is closed by {@link #close()}.
     *
     * @param namespace   the client's default namespace
     * @param userAgent   the {@code User-Agent} to send, or null for fabric8's default
     * @param interceptor an interceptor to install, or null
     * @param adjust      changes the configuration after the factory's settings, e.g. the retries
     * @return a new client with its own connection pool
     */
    public KubernetesClient create(String namespace, String userAgent, Interceptor interceptor,
            UnaryOperator<ConfigBuilder> adjust) {
        ConfigBuilder config = new ConfigBuilder(Config.empty())
                .withMasterUrl(masterUrl)
                .withNamespace(namespace)
                .withHttp2Disable(true);
        if (userAgent != null) {
            config.withUserAgent(userAgent);
        }
        ConfigBuilder adjusted = adjust.apply(config);
        if (adjusted == null) {
            throw new IllegalArgumentException("the configuration adjustment must return a ConfigBuilder, but returned null");
        }
        KubernetesClientBuilder builder = new KubernetesClientBuilder()
                .withConfig(adjusted.build())
                .withHttpClientFactory(SharedVertx.HTTP_CLIENTS)
                .withKubernetesSerialization(SERIALIZATION);
        if (interceptor != null) {
            builder.withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor(RequestHooks.NAME, interceptor));
        }
        KubernetesClient client = builder.build();
        clients.add(client);
        return client;
    }

    /**
     * Returns the Vert.x instance every client of the JVM shares, for the test kit's other HTTP work (the data
     * plane's servers and proxies, load generators), so that it adds no threads of its own.
     *
     * @return the shared instance, created on first use; never closed
     */
    public static Vertx vertx() {
        return SharedVertx.VERTX;
    }

    /**
     * Closes every client built so far. Call before the server stops, so that the server does not tear
     * connections down under the clients.
     */
    @Override
    public void close() {
        clients.forEach(KubernetesClient::close);
        clients.clear();
    }

    /** Created on first use, so that merely loading the test kit starts no threads. */
    private static final class SharedVertx {
        // Daemon threads and no file cache, as fabric8 configures the Vert.x instances it creates itself.
        private static final Vertx VERTX = Vertx.vertx(new VertxOptions()
                .setUseDaemonThread(true)
                .setEventLoopPoolSize(2)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        private static final Vertx5HttpClientFactory HTTP_CLIENTS = new Vertx5HttpClientFactory(VERTX);
    }
}
