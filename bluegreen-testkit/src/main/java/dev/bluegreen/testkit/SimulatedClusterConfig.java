package dev.bluegreen.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Configures the {@link SimulatedCluster} that {@link SimulatedClusterExtension} injects. Found on the
 * parameter, else on the test or lifecycle method, else on the test class or an enclosing class.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.PARAMETER})
public @interface SimulatedClusterConfig {

    /**
     * The default namespace of the user clients.
     *
     * @return a DNS-1123 label
     */
    String namespace() default SimulatedCluster.DEFAULT_NAMESPACE;

    /**
     * The real time from a pod's creation to its containers starting, in milliseconds
     * ({@link SimulatedCluster.Builder#startDelay}).
     *
     * @return zero or more
     */
    long readinessDelayMillis() default 10;

    /**
     * Simulated seconds per real second ({@link SimulatedCluster.Builder#timeScale}).
     *
     * @return positive
     */
    double timeScale() default SimulatedCluster.DEFAULT_TIME_SCALE;

    /**
     * Whether the endpoints controller also maintains EndpointSlices.
     *
     * @return true to maintain them
     */
    boolean endpointSlices() default true;
}
