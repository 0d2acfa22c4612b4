package dev.bluegreen.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection into the simulated API server of one {@link SimulatedCluster}, from
 * {@link SimulatedCluster#faults()}. A rule chooses requests with a matcher and applies a {@link Fault} to
 * them; the server applies it itself, so it reaches every client of {@link SimulatedCluster#masterUrl()}:
 *
 * <pre>{@code
 * // the next PATCH of Service web answers 500 (once)
 * cluster.faults().when(RequestMatchers.method("PATCH").and(RequestMatchers.pathEndingWith("/services/web")))
 *     .inject(Fault.status(500));
 * // the fourth request the code under test sends from now on is applied, but its response is lost
 * FaultRule rule = cluster.faults().atUserRequest(3).inject(Fault.applyThenLoseResponse());
 * ... run the code under test ...
 * assertEquals(1, rule.timesFired());
 * }</pre>
 *
 * <p>Rules apply only to user requests, the code under test's, unless armed with
 * {@link RuleBuilder#includingControllerRequests()}: the simulated controllers and the test kit's own
 * helpers ({@link SimulatedCluster#awaitDeployment} and the like) are never disturbed by default. A rule
 * sees requests in the order the server receives them, which is the order of {@link SimulatedCluster#requests()};
 * a matcher runs on a server thread, once per request, and must be quick and must not block. A matcher that
 * throws counts as not matching (the error is logged).
 *
 * <p>Every fault applied is listed by {@link #injected()} before the client sees its effect, so after a
 * client call returns a test can assert that the fault fired; {@link #pending()} lists rules that can still
 * fire, e.g. to fail a test whose fault never happened. Thread-safe.
 */
public final class Faults {

    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

    private final List<FaultRule> armed = new ArrayList<>();
    private final List<InjectedFault> injected = new ArrayList<>();

    Faults() {
    }

    /**
     * Starts a rule for the requests that {@code matcher} accepts; by default it fires once, on the first
     * matching user request from now on.
     *
     * @param matcher selects requests, e.g. from {@link RequestMatchers}; not null
     * @return a builder; {@link RuleBuilder#inject(Fault)} arms the rule
     */
    public RuleBuilder when(Predicate<ClientRequest> matcher) {
        return new RuleBuilder(Objects.requireNonNull(matcher, "matcher"));
    }

    /**
     * Starts a rule for the user request at {@code index} (counting from 0) among those the server receives
     * from now on: {@code atUserRequest(i)} hits the request that {@code requests().fromUsersSince(mark).get(i)}
     * lists for a mark taken now. Meant for attacking a scenario at each of its requests in turn:
     * enumerate a clean run's {@link RequestLog#fromUsers()}, then re-run it once per index.
     *
     * @param index the position among the coming user requests; 0 for the next one
     * @return a builder, like {@code when(RequestMatchers.anyRequest()).skip(index)}
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public RuleBuilder atUserRequest(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be zero or more, but was " + index);
        }
        return when(RequestMatchers.anyRequest()).skip(index);
    }

    /**
     * Lists the faults applied so far (since the last {@link #clear()}), oldest first.
     *
     * @return an immutable snapshot
     */
    public synchronized List<InjectedFault> injected() {
        return List.copyOf(injected);
    }

    /**
     * Lists the rules that can still fire, in the order they were armed: those that have fired fewer times
     * than asked, and every {@link RuleBuilder#always()} rule.
     *
     * @return an immutable snapshot
     */
    public synchronized List<FaultRule> pending() {
        return armed.stream().filter(FaultRule::isPending).toList();
    }

    /**
     * Disarms every rule and forgets the faults applied so far. A request the server is holding for a
     * {@link Fault#delay(java.time.Duration) delay} is still served when its delay ends.
     */
    public synchronized void clear() {
        armed.forEach(FaultRule::clear);
        armed.clear();
        injected.clear();
    }

    /**
     * Lists the armed rules and the faults applied, for failure messages.
     *
     * @return a multi-line description
     */
    @Override
    public synchronized String toString() {
        StringBuilder text = new StringBuilder("Faults: pending rules ").append(pending().size());
        armed.forEach(rule -> text.append(System.lineSeparator()).append("  rule ").append(rule));
        injected.forEach(fault -> text.append(System.lineSeparator()).append("  injected ").append(fault));
        return text.toString();
    }

    /**
     * Chooses the fault for a request the server has just received; called once per request, in arrival
     * order (the server records and matches under one lock).
     *
     * @param request the request as received
     * @return the fault to apply, or null to serve the request normally
     */
    synchronized Fault match(ClientRequest request) {
        if (armed.isEmpty()) {
            return null;
        }
        FaultRule firing = null;
        for (FaultRule rule : armed) {
            try {
                if (rule.offer(request, firing != null)) {
                    firing = rule;
                }
            } catch (RuntimeException e) {
                LOG.warn("The matcher of fault rule {} threw on {} {}; the rule treats the request as not matching",
                        rule, request.method(), request.path(), e);
            }
        }
        armed.removeIf(rule -> !rule.isPending());
        if (firing == null) {
            return null;
        }
        InjectedFault fault = new InjectedFault(request, firing.fault(), firing);
        injected.add(fault);
        LOG.debug("Injecting {}", fault);
        return firing.fault();
    }

    private synchronized FaultRule arm(FaultRule rule) {
        armed.add(rule);
        return rule;
    }

    /**
     * Configures a rule started by {@link Faults#when} or {@link Faults#atUserRequest}; {@link #inject(Fault)}
     * arms it. By default the rule fires once, on the first matching user request.
     */
    public final class RuleBuilder {

        private final Predicate<ClientRequest> matcher;
        private int skip;
        private int times = 1;
        private boolean includingControllerRequests;

        private RuleBuilder(Predicate<ClientRequest> matcher) {
            this.matcher = matcher;
        }

        /**
         * Lets the first {@code count} matching requests pass before the rule fires.
         *
         * @param count zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is negative
         */
        public RuleBuilder skip(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("skip count must be zero or more, but was " + count);
            }
            this.skip = count;
            return this;
        }

        /**
         * Makes the rule fire on {@code count} matching requests in a row (after the skipped ones); the
         * default is once. Note that fabric8 clients retry 5xx and 429 answers themselves.
         *
         * @param count one or more
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public RuleBuilder times(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("times must be at least 1, but was " + count);
            }
            this.times = count;
            return this;
        }

        /**
         * Makes the rule fire on every matching request until {@link Faults#clear()}.
         *
         * @return this builder
         */
        public RuleBuilder always() {
            this.times = FaultRule.ALWAYS;
            return this;
        }

        /**
         * Lets the rule also consider the requests the cluster sends on its own behalf (controllers,
         * informers, the test kit's waits), which by default are never faulted. Their failures then show in
         * the cluster's behaviour (e.g. a status the Deployment controller could not write) rather than in
         * the code under test. With {@link Faults#atUserRequest} the index then counts those requests too.
         *
         * @return this builder
         */
        public RuleBuilder includingControllerRequests() {
            this.includingControllerRequests = true;
            return this;
        }

        /**
         * Arms the rule: it considers requests the server receives from now on.
         *
         * @param fault what to do to the chosen requests; not null
         * @return the armed rule, which tells whether it fired
         */
        public FaultRule inject(Fault fault) {
            Objects.requireNonNull(fault, "fault");
            return arm(new FaultRule(matcher, fault, skip, times, includingControllerRequests));
        }
    }
}
