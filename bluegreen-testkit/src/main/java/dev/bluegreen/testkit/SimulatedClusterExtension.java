package dev.bluegreen.testkit;

import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Injects a started {@link SimulatedCluster} into test constructors, test methods and lifecycle methods,
 * and closes it when the scope it was created for ends: one cluster per test, shared by the constructor,
 * {@code @BeforeEach}, the test method and {@code @AfterEach}; a cluster injected into a
 * {@code @BeforeAll} method is shared by the whole class. Configure it with {@link SimulatedClusterConfig}.
 *
 * <pre>{@code
 * @ExtendWith(SimulatedClusterExtension.class)
 * class ReleaseTest {
 *   @Test
 *   void switchesTraffic(SimulatedCluster cluster) { ... }
 * }
 * }</pre>
 *
 * <p>Closing relies on JUnit closing {@link AutoCloseable} values of its extension store (JUnit 5.13 and
 * later, on by default).
 */
public final class SimulatedClusterExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SimulatedClusterExtension.class);

    /**
     * Creates the extension; JUnit does so for {@code @ExtendWith(SimulatedClusterExtension.class)}.
     */
    public SimulatedClusterExtension() {
    }

    /**
     * Asks JUnit to resolve constructor parameters in the test method's context, so that a cluster injected
     * into the constructor belongs to one test, like the instance itself.
     *
     * @param rootContext the root context
     * @return {@link ExtensionContextScope#TEST_METHOD}
     */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    /**
     * Supports parameters of type {@link SimulatedCluster}.
     *
     * @param parameterContext  the parameter
     * @param extensionContext  the current context
     * @return true for a {@link SimulatedCluster} parameter
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SimulatedCluster.class;
    }

    /**
     * Returns the cluster of the current scope, starting it on first use.
     *
     * @param parameterContext the parameter
     * @param extensionContext the current context, whose end closes the cluster
     * @return a running cluster
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        SimulatedClusterConfig config = parameterContext.findAnnotation(SimulatedClusterConfig.class)
                .or(() -> findConfig(extensionContext))
                .orElse(null);
        return extensionContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(SimulatedCluster.class, key -> start(config), SimulatedCluster.class);
    }

    private static Optional<SimulatedClusterConfig> findConfig(ExtensionContext context) {
        for (Optional<ExtensionContext> current = Optional.of(context); current.isPresent();
                current = current.get().getParent()) {
            Optional<AnnotatedElement> element = current.get().getElement();
            Optional<SimulatedClusterConfig> config = element.flatMap(
                    e -> AnnotationSupport.findAnnotation(e, SimulatedClusterConfig.class));
            if (config.isPresent()) {
                return config;
            }
        }
        return Optional.empty();
    }

    private static SimulatedCluster start(SimulatedClusterConfig config) {
        if (config == null) {
            return SimulatedCluster.start();
        }
        return SimulatedCluster.builder()
                .namespace(config.namespace())
                .startDelay(Duration.ofMillis(config.readinessDelayMillis()))
                .timeScale(config.timeScale())
                .endpointSlices(config.endpointSlices())
                .start();
    }
}
