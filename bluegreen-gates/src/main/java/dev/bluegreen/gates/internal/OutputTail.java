package dev.bluegreen.gates.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a process's output on a daemon thread of its own, keeping only its last lines (each cut
 * at {@link #MAX_LINE} characters). Internal: not part of the API.
 */
public final class OutputTail {
    /** Longest line kept. */
    public static final int MAX_LINE = 500;

    private final int lines;
    private final Deque<String> kept = new ArrayDeque<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int total;

    private OutputTail(int lines) {
        this.lines = lines;
    }

    /**
     * @param output the process's output
     * @param lines  how many last lines to keep
     * @param name   the reading thread's name
     * @return the tail, being read
     */
    public static OutputTail read(InputStream output, int lines, String name) {
        OutputTail tail = new OutputTail(lines);
        Thread reader = new Thread(() -> tail.drain(output), name);
        reader.setDaemon(true);
        reader.start();
        return tail;
    }

    private void drain(InputStream output) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                add(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line);
            }
        } catch (IOException e) {
            add("(output could not be read further: " + e.getMessage() + ")");
        } finally {
            done.complete(null);
        }
    }

    private synchronized void add(String line) {
        kept.addLast(line);
        total++;
        if (kept.size() > lines) {
            kept.removeFirst();
        }
    }

    /**
     * @return completes when the output ended (every process holding it open is gone)
     */
    public CompletableFuture<Void> done() {
        return done;
    }

    /**
     * @return e.g. {@code ; last 2 of 31 lines of output:\nline 30\nline 31}, or {@code ; no output}
     */
    public synchronized String describe() {
        if (total == 0) {
            return "; no output";
        }
        String which = total <= kept.size() ? (total == 1 ? "output" : "all " + total + " lines of output")
                : "last " + kept.size() + " of " + total + " lines of output";
        return "; " + which + ":\n" + String.join("\n", kept);
    }

    /**
     * @return how many lines were read
     */
    public synchronized int total() {
        return total;
    }
}
