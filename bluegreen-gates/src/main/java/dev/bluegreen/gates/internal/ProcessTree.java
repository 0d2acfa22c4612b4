package dev.bluegreen.gates.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Kills a process with every process it started. Internal: not part of the API.
 *
 * <p>The descendants are listed <em>before</em> anything is killed: once a parent is dead its
 * children are re-parented (to init) and no longer its descendants, so a naive
 * {@code process.destroy()} leaves them running.
 */
public final class ProcessTree {
    private ProcessTree() {
    }

    /**
     * Sends every process of the tree a polite kill ({@code SIGTERM}), waits up to {@code grace}
     * for them to exit, then kills those left forcibly ({@code SIGKILL}) and waits (bounded) for
     * them to go. Never throws; a thread interrupted meanwhile still finishes the kill and keeps
     * its interrupt flag.
     *
     * @param root  the process started
     * @param grace time between the polite and the forcible kill
     * @return how many processes it started (its descendants) were killed with it
     */
    public static int kill(ProcessHandle root, Duration grace) {
        Set<ProcessHandle> tree = new LinkedHashSet<>(root.descendants().collect(Collectors.toList()));
        int descendants = tree.size();
        tree.add(root);
        // The kill must finish even when the caller is being interrupted: the flag is kept for later.
        boolean[] interrupted = {Thread.interrupted()};
        try {
            tree.forEach(ProcessHandle::destroy);
            if (!awaitExit(tree, grace, interrupted)) {
                // Processes started between the listing and the polite kill, as far as still attached.
                if (root.isAlive()) {
                    root.descendants().forEach(tree::add);
                }
                tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
                awaitExit(tree, Duration.ofSeconds(10), interrupted);
            }
        } finally {
            if (interrupted[0]) {
                Thread.currentThread().interrupt();
            }
        }
        return Math.max(descendants, tree.size() - 1);
    }

    private static boolean awaitExit(Set<ProcessHandle> processes, Duration limit, boolean[] interrupted) {
        List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>();
        for (ProcessHandle process : processes) {
            exits.add(process.onExit());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(exits.toArray(new CompletableFuture<?>[0]));
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                all.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                return processes.stream().noneMatch(ProcessHandle::isAlive);
            } catch (InterruptedException e) {
                interrupted[0] = true;
            }
        }
    }
}
