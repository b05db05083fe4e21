package dev.sparkdit.usp.comm;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** A rendezvous for ranks that are threads of one JVM: one shared instance, one future per group. */
public final class InProcessRendezvous implements Rendezvous {
    private final Duration timeout;
    private final Map<String, CompletableFuture<byte[]>> ids = new ConcurrentHashMap<>();

    public InProcessRendezvous(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("rendezvous timeout must be > 0, got " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public byte[] exchange(String group, int rankInGroup, int groupSize, Supplier<byte[]> create) {
        if (rankInGroup < 0 || rankInGroup >= groupSize) {
            throw new IllegalArgumentException("rendezvous '" + group + "': rank " + rankInGroup
                    + " outside group of size " + groupSize);
        }
        CompletableFuture<byte[]> f = ids.computeIfAbsent(group, g -> new CompletableFuture<>());
        if (rankInGroup == 0) {
            try {
                byte[] id = create.get().clone();
                if (!f.complete(id)) {
                    throw new CommunicationException("rendezvous: group '" + group + "' already has a leader");
                }
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
                throw e;
            }
        }
        long start = System.nanoTime();
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS).clone();
        } catch (TimeoutException e) {
            throw new CommunicationException("rendezvous: rank " + rankInGroup + " of group '" + group
                    + "' (size " + groupSize + ") waited " + seconds(start) + " s for the leader's id", e);
        } catch (ExecutionException e) {
            throw new CommunicationException("rendezvous: the leader of group '" + group + "' failed to create"
                    + " its id: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationException("rendezvous: rank " + rankInGroup + " of group '" + group
                    + "' interrupted after " + seconds(start) + " s", e);
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    static String seconds(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e9);
    }
}
