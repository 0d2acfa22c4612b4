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

    @Test
    void rejectsAnAppWhoseDerivedNamesAreNotValidKubernetesNames() {
        assertEquals("the Service name '1app-service' derived from app '1app' is not a valid Service name (a DNS-1035 "
                + "label: 1-63 characters of a-z, 0-9 and '-', starting with a letter); set serviceName(...) explicitly",
                assertThrows(ConfigurationException.class, () -> BlueGreenConventions.forApp("1app").build()).getMessage());
        String sixty = "a".repeat(60);
        assertEquals("the Service name '" + sixty + "-service' derived from app '" + sixty + "' is not a valid Service "
                + "name (a DNS-1035 label: 1-63 characters of a-z, 0-9 and '-', starting with a letter); set "
                + "serviceName(...) explicitly",
                assertThrows(ConfigurationException.class, () -> BlueGreenConventions.forApp(sixty).build()).getMessage());
        assertEquals("app-live", BlueGreenConventions.forApp(sixty).serviceName("app-live").build().serviceName(),
                "an explicit Service name makes a long app name usable");
        assertEquals("1app-bluegreen", BlueGreenConventions.forApp("1app").serviceName("web").build().leaseName());
    }

    @Test
    void namesTheLeaseAndTheColors() {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("myapp").leaseName("myapp-release-lock")
                .colors(Color.of("east"), Color.of("west")).build();
        assertEquals("myapp-release-lock", conventions.leaseName());
        assertEquals(java.util.List.of(Color.of("east"), Color.of("west")), conventions.colors());
        assertEquals("myapp-west", conventions.deploymentName(Color.of("west")));
        assertEquals("the two colors must differ, but both were 'blue'", assertThrows(ConfigurationException.class,
                () -> BlueGreenConventions.forApp("myapp").colors(Color.BLUE, Color.of("blue"))).getMessage());
    }

    @Test
    void aPlanBuiltForAnAppCannotBeTurnedIntoAnotherAppOrNamespace() {
        io.fabric8.kubernetes.client.KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:1/").build())
                .build();
        try (client) {
            BlueGreenConventions myapp = BlueGreenConventions.forApp("myapp").namespace("shop").build();
            assertEquals("this plan releases app 'myapp', fixed by the adapter that built it for that app's objects; it "
                    + "cannot become 'other'. Build the adapter for 'other' instead", assertThrows(ConfigurationException.class,
                            () -> KubernetesBlueGreen.serviceSelectorPlan(client, myapp).app("other")).getMessage());
            assertEquals("this plan releases app 'myapp' in namespace 'shop', fixed by the adapter that built it for that "
                    + "namespace's objects; it cannot become 'prod'. Build the adapter for namespace 'prod' instead",
                    assertThrows(ConfigurationException.class,
                            () -> KubernetesBlueGreen.serviceSelectorPlan(client, myapp).namespace("prod")).getMessage());
            assertEquals("conventions must not be null", assertThrows(ConfigurationException.class,
                    () -> KubernetesBlueGreen.serviceSelectorPlan(client, null)).getMessage());
            assertEquals("kubernetes client must not be null", assertThrows(ConfigurationException.class,
                    () -> KubernetesBlueGreen.serviceSelectorPlan(null, myapp)).getMessage());
            assertEquals("release of myapp: version 'MyApp:v2' cannot be released by DeploymentEnvironments["
                    + myapp + "]: 'MyApp:v2' is not a container image reference; expected [registry[:port]/]name[:tag]"
                    + "[@sha256:digest], e.g. registry.example.com/shop/myapp:1.4.2", assertThrows(ConfigurationException.class,
                            () -> KubernetesBlueGreen.serviceSelectorPlan(client, myapp).version("MyApp:v2").build())
                            .getMessage());
        }
    }

    @Test
    void theMethod2AndGatewayNamesAreTheGuidesByDefaultAndConfigurable() {
        BlueGreenConventions defaults = BlueGreenConventions.forApp("myapp").build();
        assertEquals("myapp-green-svc", defaults.colorServiceName(Color.GREEN));
        assertEquals("myapp-blue-test", defaults.testServiceName(Color.BLUE));
        assertEquals("myapp-ingress", defaults.ingressName());
        assertEquals("myapp-route", defaults.httpRouteName());

        BlueGreenConventions custom = BlueGreenConventions.forApp("shop").colorServiceNamePattern("{color}-{app}")
                .testServiceNamePattern("smoke-{app}-{color}").ingressName("public").httpRouteName("shop.routes").build();
        assertEquals("green-shop", custom.colorServiceName(Color.GREEN));
        assertEquals("smoke-shop-blue", custom.testServiceName(Color.BLUE));
        assertEquals("public", custom.ingressName());
        assertEquals("shop.routes", custom.httpRouteName());
    }

    @Test
    void rejectsColorServicePatternsWithoutTheColorOrThatGiveNoServiceName() {
        assertEquals("color service name pattern must contain {color} so the two colors get different Services, but was "
                + "'{app}-svc'", assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").colorServiceNamePattern("{app}-svc")).getMessage());
        assertEquals("test service name pattern '{app}.{color}' gives 'myapp.green', which is not a valid Service name "
                + "(a DNS-1035 label: 1-63 characters of a-z, 0-9 and '-', starting with a letter)",
                assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").testServiceNamePattern("{app}.{color}")).getMessage());
        assertEquals("ingress name 'Public' is not a valid Kubernetes object name (lowercase DNS subdomain)",
                assertThrows(ConfigurationException.class,
                        () -> BlueGreenConventions.forApp("myapp").ingressName("Public")).getMessage());
    }

    @Test
    void aColorServiceNameTooLongForTheAppIsRejectedWhenAnIngressSwitcherIsBuiltNotForTheServiceSelectorMethod() {
        BlueGreenConventions conventions = BlueGreenConventions.forApp("a".repeat(57)).serviceName("shop").build();
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> KubernetesBlueGreen.ingressSwitcher(
                new io.fabric8.kubernetes.client.KubernetesClientBuilder().build(), conventions, BackendSelection.all()));
        assertEquals("the color Service name '" + "a".repeat(57) + "-blue-svc' of color blue derived from the conventions "
                + "is not a valid Service name (a DNS-1035 label: 1-63 characters of a-z, 0-9 and '-', starting with a "
                + "letter); configure its name pattern in BlueGreenConventions", error.getMessage());
    }
}
