package dev.bluegreen;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The signals one release has received, by name. The first signal of a name is kept and later
 * ones of the same name are refused, so a decision cannot be changed once a gate may have acted
 * on it; use different names for decisions that must stay apart (e.g. {@code "approve-switch"} and
 * {@code "approve-retire"}). A signal received before a gate starts waiting for it counts: an
 * approval may come early. Thread-safe.
 *
 * <p>The engine keeps one per release (see {@link ReleaseExecution#signal(String, String, String)});
 * tests of gates create their own and hand it to {@link GateContext.Builder#signals(Signals)}.
 */
public final class Signals {
    private final TimeSource time;
    private final ConcurrentHashMap<String, CompletableFuture<Signal>> byName = new ConcurrentHashMap<>();
    private final List<Signal> received = new CopyOnWriteArrayList<>();

    private Signals(TimeSource time) {
        this.time = time;
    }

    /**
     * @param time stamps each signal with the time it was received; never null
     * @return an empty set of signals
     */
    public static Signals create(TimeSource time) {
        if (time == null) {
            throw new ConfigurationException("time source of signals must not be null");
        }
        return new Signals(time);
    }

    /**
     * Receives a signal.
     *
     * @param name what it says, e.g. {@code "approve"}; never blank
     * @param by   who sends it; never blank
     * @param note why; may be null or empty (kept as "")
     * @return the signal as received, or empty when one of that name was received before (this
     *         one is then ignored)
     * @throws ConfigurationException when the name or the sender is blank
     */
    public Optional<Signal> send(String name, String by, String note) {
        Signal signal = new Signal(name, by, note == null ? "" : note, time.now());
        if (future(name).complete(signal)) {
            received.add(signal);
            return Optional.of(signal);
        }
        return Optional.empty();
    }

    /**
     * @param name the signal's name; never blank
     * @return completes with the first signal of that name, at once when it was already received;
     *         completing or cancelling the returned future does not affect anyone else's
     */
    public CompletableFuture<Signal> received(String name) {
        if (name == null || name.isBlank()) {
            throw new ConfigurationException("signal name to wait for must not be blank, but was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return future(name).copy();
    }

    /**
     * @param name the signal's name
     * @return the signal of that name, when it was received
     */
    public Optional<Signal> get(String name) {
        CompletableFuture<Signal> future = byName.get(name);
        return future == null ? Optional.empty() : Optional.ofNullable(future.getNow(null));
    }

    /**
     * @return every signal received, in the order received; unmodifiable snapshot
     */
    public List<Signal> all() {
        return List.copyOf(received);
    }

    private CompletableFuture<Signal> future(String name) {
        return byName.computeIfAbsent(name, ignored -> new CompletableFuture<>());
    }

    @Override
    public String toString() {
        return "Signals" + received;
    }
}
