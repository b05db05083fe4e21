package dev.sparkdit.usp.comm;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Hands a communicator's unique id (NCCL's 128-byte {@code ncclUniqueId}, or a Gloo store address)
 * from a group's leader to every member. Every member of group {@code group} calls
 * {@link #exchange}; the member with {@code rankInGroup == 0} creates the id with {@code create} and
 * publishes it, the others wait for it (bounded by {@link #timeout()}).
 *
 * <p>Implementations: {@link InProcessRendezvous} (ranks are threads of one JVM), {@link TcpRendezvous}
 * (ranks are processes; one serves), and in the Spark job one over {@code BarrierTaskContext.allGather}.
 */
public interface Rendezvous extends AutoCloseable {

    /**
     * @param group a name unique to the group and to this use (e.g. {@code "ulysses/dp0/ring1"})
     * @return the leader's id bytes, on every member
     * @throws CommunicationException naming the group, the rank and the seconds waited, on timeout
     */
    byte[] exchange(String group, int rankInGroup, int groupSize, Supplier<byte[]> create);

    Duration timeout();

    @Override
    default void close() {
    }
}
