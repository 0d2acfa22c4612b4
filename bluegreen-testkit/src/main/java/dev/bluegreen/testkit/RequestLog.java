package dev.bluegreen.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Every HTTP request the simulated API server received, in arrival order. Thread-safe: the server records
 * from its own threads while tests read.
 *
 * <p>Requests the cluster sends on its own behalf (controllers, informers, the test kit's waits and
 * fixtures) are recorded too, flagged {@link ClientRequest#fromController()}; {@link #fromUsers()} leaves
 * them out, so a test sees exactly what the code under test sent.
 */
public final class RequestLog {

    private final List<ClientRequest> entries = new ArrayList<>();
    /** Position of {@code entries.get(0)} since the log was created; {@link #clear()} moves it forward. */
    private long firstPosition;

    RequestLog() {
    }

    synchronized void record(ClientRequest request) {
        entries.add(request);
    }

    /**
     * Returns every request recorded so far (since the last {@link #clear()}).
     *
     * @return an immutable snapshot, oldest first
     */
    public synchronized List<ClientRequest> all() {
        return List.copyOf(entries);
    }

    /**
     * Returns the requests sent by the code under test, leaving out the cluster's own.
     *
     * @return an immutable snapshot, oldest first
     */
    public List<ClientRequest> fromUsers() {
        return all().stream().filter(r -> !r.fromController()).toList();
    }

    /**
     * Marks the current end of the log, to look only at what happens afterwards with
     * {@link #since(Mark)} or {@link #fromUsersSince(Mark)}.
     *
     * @return a mark; never null
     */
    public synchronized Mark mark() {
        return new Mark(firstPosition + entries.size());
    }

    /**
     * Returns every request recorded after {@code mark} was taken (and not cleared since).
     *
     * @param mark a mark from {@link #mark()} of this log; not null
     * @return an immutable snapshot, oldest first
     */
    public synchronized List<ClientRequest> since(Mark mark) {
        Objects.requireNonNull(mark, "mark");
        int from = (int) Math.max(0, Math.min(entries.size(), mark.position - firstPosition));
        return List.copyOf(entries.subList(from, entries.size()));
    }

    /**
     * Returns the requests the code under test sent after {@code mark} was taken.
     *
     * @param mark a mark from {@link #mark()} of this log; not null
     * @return an immutable snapshot, oldest first
     */
    public List<ClientRequest> fromUsersSince(Mark mark) {
        return since(mark).stream().filter(r -> !r.fromController()).toList();
    }

    /**
     * Counts the recorded requests that match {@code predicate}, e.g.
     * {@code count(r -> !r.fromController() && r.method().equals("PATCH"))}.
     *
     * @param predicate the requests to count; not null
     * @return the number of matching requests
     */
    public long count(Predicate<ClientRequest> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return all().stream().filter(predicate).count();
    }

    /**
     * Forgets every request recorded so far; marks taken earlier then refer to the new start of the log.
     */
    public synchronized void clear() {
        firstPosition += entries.size();
        entries.clear();
    }

    /**
     * Lists the requests of the code under test, one per line, for failure messages.
     *
     * @return the user requests, one per line
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("RequestLog of user requests:");
        fromUsers().forEach(r -> text.append(System.lineSeparator()).append("  ").append(r));
        return text.toString();
    }

    /**
     * A position in a {@link RequestLog}, taken with {@link RequestLog#mark()}.
     */
    public static final class Mark {

        private final long position;

        private Mark(long position) {
            this.position = position;
        }

        /**
         * Renders the position, for debugging.
         *
         * @return e.g. {@code Mark[42]}
         */
        @Override
        public String toString() {
            return "Mark[" + position + "]";
        }
    }
}
