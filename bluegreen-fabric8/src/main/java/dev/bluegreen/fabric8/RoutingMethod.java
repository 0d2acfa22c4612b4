package dev.bluegreen.fabric8;

/** How traffic reaches the live color: the routing object an automated release switches. */
public enum RoutingMethod {
    /** The guide's method 1: the Service {@link BlueGreenConventions#serviceName()} selects the live color's pods. */
    SERVICE_SELECTOR,
    /**
     * The guide's method 2: the backends of the Ingress {@link BlueGreenConventions#ingressName()} point at the live
     * color's Service {@link BlueGreenConventions#colorServiceName}.
     */
    INGRESS,
    /**
     * Gateway API: the backendRefs of the HTTPRoute {@link BlueGreenConventions#httpRouteName()} point at the live
     * color's Service.
     */
    HTTP_ROUTE
}
