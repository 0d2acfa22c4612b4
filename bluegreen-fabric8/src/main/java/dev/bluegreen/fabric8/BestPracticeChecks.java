package dev.bluegreen.fabric8;

/**
 * What preflight does when the new color breaks one of the guide's best practices: a container without
 * readiness probe ("ready" then only means "started"), a container without resource requests, or a namespace
 * whose ResourceQuota leaves no room for a second full color next to the live one.
 */
public enum BestPracticeChecks {
    /** Do not check. */
    OFF,
    /** Check, and list each finding among the release result's warnings; the release goes on. */
    WARN,
    /** Check, and refuse the release at preflight, before any write, naming each finding. */
    REFUSE
}
