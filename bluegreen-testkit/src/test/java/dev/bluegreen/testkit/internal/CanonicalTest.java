package dev.bluegreen.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalTest {

    @Test
    void theTemplateHashIgnoresTheOrderOfLabels() {
        Map<String, String> appFirst = new LinkedHashMap<>();
        appFirst.put("app", "web");
        appFirst.put("version", "blue");
        Map<String, String> versionFirst = new LinkedHashMap<>();
        versionFirst.put("version", "blue");
        versionFirst.put("app", "web");

        assertEquals(Canonical.hash(template(appFirst, "web:v1")), Canonical.hash(template(versionFirst, "web:v1")));
        assertTrue(Canonical.hash(template(appFirst, "web:v1")).matches("[0-9a-f]{10}"));
    }

    @Test
    void theTemplateHashChangesWithTheImage() {
        Map<String, String> labels = Map.of("app", "web");

        assertNotEquals(Canonical.hash(template(labels, "web:v1")), Canonical.hash(template(labels, "web:v2")));
    }

    @Test
    void stableSuffixesDependOnlyOnTheirSeed() {
        assertEquals(Canonical.stableSuffix("default/web"), Canonical.stableSuffix("default/web"));
        assertTrue(Canonical.stableSuffix("default/web").matches("[a-z0-9]{5}"));
    }

    private static PodTemplateSpec template(Map<String, String> labels, String image) {
        return new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec()
                .build();
    }
}
