package dev.bluegreen.fabric8;

import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlueGreenConventionsTest {

    @Test
    void theDefaultsAreTheGuides() {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").build();
        assertEquals("myapp-blue", conventions.deploymentName(Color.BLUE));
        assertEquals("myapp-green", conventions.deploymentName(Color.GREEN));
        assertEquals("myapp-service", conventions.serviceName());
        assertEquals("version", conventions.colorLabel());
        assertEquals("default", conventions.namespace());
        assertEquals(Optional.empty(), conventions.containerName());
    }

    @Test
    void everyPartIsConfigurable() {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("shop").namespace("prod")
                .deploymentNamePattern("{color}-{app}").serviceName("shop-live").colorLabel("example.com/color")
                .containerName("web").build();
        assertEquals("green-shop", conventions.deploymentName(Color.GREEN));
        assertEquals("shop-live", conventions.serviceName());
        assertEquals("example.com/color", conventions.colorLabel());
        assertEquals(Optional.of("web"), conventions.containerName());
    }

    @Test
    void rejectsBadValuesNamingThem() {
        assertEquals("deployment name pattern must contain {color} so the two colors get different Deployments, "
                + "but was '{app}-live'", assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").deploymentNamePattern("{app}-live")).getMessage());
        assertEquals("deployment name pattern '{app}_{color}' gives 'myapp_green', which is not a valid Kubernetes object "
                + "name (lowercase DNS subdomain)", assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").deploymentNamePattern("{app}_{color}")).getMessage());
        assertEquals("color label must be a Kubernetes label key (optional DNS prefix and '/', then 1-63 characters of "
                + "letters, digits, '-', '_' and '.'), but was 'has space'", assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").colorLabel("has space")).getMessage());
        assertEquals("namespace must be a lowercase DNS label (1-63 characters of a-z, 0-9 and '-', starting and ending "
                + "with a letter or digit), but was 'Prod'", assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").namespace("Prod")).getMessage());
    }
}
