package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimulatedClusterExtensionTest {

    /** Kept across tests to check that the extension closed it. */
    private static SimulatedCluster fromFirstTest;

    private final SimulatedCluster fromConstructor;
    private SimulatedCluster fromBeforeEach;

    SimulatedClusterExtensionTest(SimulatedCluster cluster) {
        this.fromConstructor = cluster;
    }

    @BeforeEach
    void rememberCluster(SimulatedCluster cluster) {
        fromBeforeEach = cluster;
    }

    @Test
    @Order(1)
    void injectsOneRunningClusterPerTestEverywhere(SimulatedCluster cluster) {
        assertSame(fromConstructor, cluster);
        assertSame(fromBeforeEach, cluster);
        assertFalse(cluster.isClosed());
        assertEquals("default", cluster.namespace());
        assertEquals(0, cluster.client().pods().list().getItems().size());
        fromFirstTest = cluster;
    }

    @Test
    @Order(2)
    void closesTheClusterWhenItsTestEnds(SimulatedCluster cluster) {
        assertNotSame(fromFirstTest, cluster);
        assertTrue(fromFirstTest.isClosed());
        assertFalse(cluster.isClosed());
    }

    @Test
    @Order(3)
    @SimulatedClusterConfig(namespace = "shop", endpointSlices = false)
    void appliesTheConfigAnnotation(SimulatedCluster cluster) {
        assertEquals("shop", cluster.namespace());
        assertEquals("shop", cluster.client().getNamespace());
    }
}
