package dev.bluegreen.testkit;

import java.util.function.Predicate;

/**
 * One armed fault: which requests it applies to, what it does to them and how often. Created by
 * {@link Faults.RuleBuilder#inject(Fault)}; tells whether and how often it fired. Thread-safe.
 *
 * <p>For each request the server receives, in arrival order, a rule that is still pending considers the
 * request if it is a user request (or the rule includes the cluster's own requests) and its matcher accepts
 * it. The first {@code skip} such requests pass; after that the rule fires on the next ones until it has
 * fired {@code times} times. When several rules would fire on one request, the earliest armed one does and
 * the others still count the request towards their {@code skip} but wait for a later one to fire.
 */
public final class FaultRule {

    /** The {@code times} of a rule without limit. */
    static final int ALWAYS = -1;

    private final Predicate<ClientRequest> matcher;
    private final Fault fault;
    private final int skip;
    /** How often the rule fires at most; {@link #ALWAYS} for no limit. */
    private final int times;
    private final boolean includingControllerRequests;
    private int skipped;
    private int fired;
    private boolean cleared;

    FaultRule(Predicate<ClientRequest> matcher, Fault fault, int skip, int times, boolean includingControllerRequests) {
        this.matcher = matcher;
        this.fault = fault;
        this.skip = skip;
        this.times = times;
        this.includingControllerRequests = includingControllerRequests;
    }

    /**
     * Returns what the rule does to a request it fires on.
     *
     * @return the fault; never null
     */
    public Fault fault() {
        return fault;
    }

    /**
     * Tells how many requests the rule has fired on so far.
     *
     * @return zero or more
     */
    public synchronized int timesFired() {
        return fired;
    }

    /**
     * Tells whether the rule can still fire: it has fired fewer times than asked (or was armed with
     * {@link Faults.RuleBuilder#always()}) and was not removed by {@link Faults#clear()}.
     *
     * @return true while the rule is armed
     */
    public synchronized boolean isPending() {
        return !cleared && (times == ALWAYS || fired < times);
    }

    /**
     * Describes the rule for failure messages.
     *
     * @return e.g. {@code status 500 on PATCH and path ending with /services/web (user requests; skip 0; fired 0 of 1)}
     */
    @Override
    public synchronized String toString() {
        return fault + " on " + matcher + " (" + (includingControllerRequests ? "all requests" : "user requests")
                + "; skip " + skip + "; fired " + fired + " of " + (times == ALWAYS ? "unlimited" : String.valueOf(times))
                + (cleared ? "; cleared" : "") + ")";
    }

    /**
     * Offers a request to the rule, in arrival order; called once per request while the rule is pending.
     *
     * @param request the request as received
     * @param taken   whether an earlier rule fires on the request already
     * @return true if the rule fires on the request (and counted it)
     * @throws RuntimeException whatever the matcher throws
     */
    synchronized boolean offer(ClientRequest request, boolean taken) {
        if (!isPending() || (request.fromController() && !includingControllerRequests) || !matcher.test(request)) {
            return false;
        }
        if (skipped < skip) {
            skipped++;
            return false;
        }
        if (taken) {
            return false;
        }
        fired++;
        return true;
    }

    synchronized void clear() {
        cleared = true;
    }
}
