package dev.bluegreen.fabric8;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.internal.Checks;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which backends of an Ingress or an HTTPRoute a switch moves between the color Services, and what to do
 * with a route found half-switched. By default ({@link #all()}) every backend that points at a color
 * Service moves: every host and path of an Ingress plus its {@code defaultBackend}, every rule of an
 * HTTPRoute. Backends that point at other Services are never touched. Immutable.
 *
 * <pre>{@code
 * BackendSelection onlyShop = BackendSelection.builder().host("shop.example.com").path("api.example.com", "/v2").build();
 * BackendSelection onlyRule = BackendSelection.builder().rule("main").build();          // HTTPRoute rules by name
 * BackendSelection repair = BackendSelection.builder().convergeHalfSwitched().build();  // all, and converge a split
 * }</pre>
 *
 * <p>A route is <em>half-switched</em> when the selected backends point at both colors (for an HTTPRoute:
 * a rule whose backendRefs give both colors a weight above 0 counts too), e.g. after someone edited one
 * host by hand. Such a route is reported and not switched, unless the selection says to converge it: then
 * the color of the first selected backend counts as live and a switch writes every selected backend to the
 * target color.
 */
public final class BackendSelection {
    private static final BackendSelection ALL = new Builder().build();

    private final Set<String> hosts;
    private final Set<List<String>> paths;
    private final Set<String> rules;
    private final Set<Integer> ruleIndexes;
    private final boolean defaultBackend;
    private final boolean converge;

    private BackendSelection(Builder builder) {
        this.hosts = Set.copyOf(builder.hosts);
        this.paths = Set.copyOf(builder.paths);
        this.rules = Set.copyOf(builder.rules);
        this.ruleIndexes = Set.copyOf(builder.ruleIndexes);
        this.defaultBackend = builder.defaultBackend;
        this.converge = builder.converge;
    }

    /** @return every backend that points at a color Service; a half-switched route is refused */
    public static BackendSelection all() {
        return ALL;
    }

    /** @return a builder selecting nothing in particular (that is: everything) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether nothing in particular is named: every backend is selected */
    public boolean selectsAll() {
        return hosts.isEmpty() && paths.isEmpty() && rules.isEmpty() && ruleIndexes.isEmpty() && !defaultBackend;
    }

    /** @return the Ingress hosts named (all their paths); empty when none named ({@code ""} is the rules without host) */
    public Set<String> hosts() {
        return hosts;
    }

    /** @return the Ingress host and path pairs named, each a list of host ({@code ""} for none) and path */
    public Set<List<String>> paths() {
        return paths;
    }

    /** @return the HTTPRoute rules named by their {@code name} */
    public Set<String> rules() {
        return rules;
    }

    /** @return the HTTPRoute rules named by their index in {@code spec.rules}, from 0 */
    public Set<Integer> ruleIndexes() {
        return ruleIndexes;
    }

    /** @return whether an Ingress's {@code defaultBackend} is selected (always, when everything is) */
    public boolean includesDefaultBackend() {
        return defaultBackend || selectsAll();
    }

    /** @return whether a half-switched route is converged onto one color instead of refused */
    public boolean convergesHalfSwitched() {
        return converge;
    }

    /**
     * @param host an Ingress rule's host, or null for a rule without host
     * @param path the path, or null
     * @return whether that Ingress backend is selected
     */
    public boolean selectsIngressPath(String host, String path) {
        String h = host == null ? "" : host;
        return selectsAll() || hosts.contains(h) || paths.contains(List.of(h, path == null ? "" : path));
    }

    /**
     * @param index the rule's index in the HTTPRoute
     * @param name  the rule's name, or null
     * @return whether that HTTPRoute rule is selected
     */
    public boolean selectsRule(int index, String name) {
        return selectsAll() || ruleIndexes.contains(index) || (name != null && rules.contains(name));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackendSelection that && hosts.equals(that.hosts) && paths.equals(that.paths)
                && rules.equals(that.rules) && ruleIndexes.equals(that.ruleIndexes)
                && defaultBackend == that.defaultBackend && converge == that.converge;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hosts, paths, rules, ruleIndexes, defaultBackend, converge);
    }

    @Override
    public String toString() {
        return selectsAll() ? "all backends" + (converge ? ", converging a half-switched route" : "")
                : "backends of" + (hosts.isEmpty() ? "" : " hosts " + hosts) + (paths.isEmpty() ? "" : " paths " + paths)
                + (rules.isEmpty() ? "" : " rules " + rules) + (ruleIndexes.isEmpty() ? "" : " rules at " + ruleIndexes)
                + (defaultBackend ? " the default backend" : "") + (converge ? ", converging a half-switched route" : "");
    }

    /** Builds a {@link BackendSelection}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final Set<String> hosts = new LinkedHashSet<>();
        private final Set<List<String>> paths = new LinkedHashSet<>();
        private final Set<String> rules = new LinkedHashSet<>();
        private final Set<Integer> ruleIndexes = new LinkedHashSet<>();
        private boolean defaultBackend;
        private boolean converge;

        private Builder() {
        }

        /**
         * @param host an Ingress rule's host, all of whose paths are selected; {@code ""} for the rules without host
         * @return this builder
         */
        public Builder host(String host) {
            hosts.add(Checks.nonNull("ingress host", host));
            return this;
        }

        /**
         * @param host an Ingress rule's host ({@code ""} for a rule without host)
         * @param path one of its paths, exactly as written in the Ingress, e.g. {@code /api}
         * @return this builder
         */
        public Builder path(String host, String path) {
            Checks.nonNull("ingress host", host);
            if (path == null || !path.startsWith("/")) {
                throw new ConfigurationException("ingress path must start with '/', but was " + Checks.quote(path));
            }
            paths.add(List.of(host, path));
            return this;
        }

        /** @return this builder, selecting an Ingress's {@code defaultBackend} too */
        public Builder defaultBackend() {
            this.defaultBackend = true;
            return this;
        }

        /**
         * @param name an HTTPRoute rule's {@code name}
         * @return this builder
         */
        public Builder rule(String name) {
            rules.add(Checks.nonBlank("HTTPRoute rule name", name));
            return this;
        }

        /**
         * @param index an HTTPRoute rule's index in {@code spec.rules}, from 0
         * @return this builder
         */
        public Builder ruleAt(int index) {
            ruleIndexes.add(Checks.atLeast("HTTPRoute rule index", 0, index));
            return this;
        }

        /** @return this builder, converging a half-switched route onto the target color instead of refusing it */
        public Builder convergeHalfSwitched() {
            this.converge = true;
            return this;
        }

        /** @return the selection */
        public BackendSelection build() {
            return new BackendSelection(this);
        }
    }
}
