package dev.bluegreen;

import java.util.List;

/**
 * What an adapter found in the platform when a release failed, aborted or rolled back: the
 * troubleshooting steps an operator would take, done for them (see
 * {@link dev.bluegreen.spi.ColorEnvironments#diagnose}). Adapters return their own type with the
 * findings as data (the Kubernetes adapter's {@code dev.bluegreen.fabric8.KubernetesDiagnosis}
 * lists endpoints, pods, events and log lines); {@link #toString()} renders it readably.
 */
public interface Diagnosis {

    /**
     * @return what was diagnosed, e.g. {@code pods of green (Deployment shop/myapp-green)}
     */
    String subject();

    /**
     * @return the main findings, one sentence each, most telling first, e.g.
     *         {@code pod myapp-green-7d9f-abcde is in CrashLoopBackOff (5 restarts)}; empty when nothing
     *         looked wrong
     */
    List<String> findings();

    /**
     * @return a multi-line, human-readable report of everything gathered
     */
    String render();
}
