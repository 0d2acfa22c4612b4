package org.slf4j;

import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.NOPMDCAdapter;

/**
 * Test support, in SLF4J's package for its package-private {@code MDC.setMDCAdapter}: slf4j-simple,
 * the tests' logging binding, keeps no MDC at all (its adapter is a no-op, so {@code MDC.get}
 * always answers null). Tests of what the engine puts in the MDC install SLF4J's basic adapter
 * first, as a binding such as Logback would provide.
 */
public final class TestMdc {
    private TestMdc() {
    }

    /** Makes the MDC keep values per thread for the rest of this JVM. */
    public static synchronized void keepValues() {
        if (MDC.getMDCAdapter() instanceof NOPMDCAdapter) {
            MDC.setMDCAdapter(new BasicMDCAdapter());
        }
    }
}
