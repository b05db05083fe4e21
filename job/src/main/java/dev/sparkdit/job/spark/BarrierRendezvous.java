package dev.sparkdit.job.spark;

import dev.sparkdit.usp.comm.CommunicationException;
import dev.sparkdit.usp.comm.Rendezvous;
import org.apache.spark.BarrierTaskContext;

import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Communicator ids handed out through {@code BarrierTaskContext.allGather}: in each exchange every task of the stage
 * publishes one message, the leader of a group its group's id ({@code name=base64}), the others nothing, and each task
 * picks its own group's id. Every group forms the same communicators in the same order (one plan shape for all), so
 * the stage's tasks call {@link #exchange} equally often, as allGather requires.
 */
public final class BarrierRendezvous implements Rendezvous {
    private final BarrierTaskContext context;
    private final Duration timeout;

    public BarrierRendezvous(BarrierTaskContext context, Duration timeout) {
        this.context = context;
        this.timeout = timeout;
    }

    @Override
    public byte[] exchange(String group, int rankInGroup, int groupSize, Supplier<byte[]> create) {
        String mine = rankInGroup == 0 ? group + "=" + Base64.getEncoder().encodeToString(create.get()) : "";
        String[] all = context.allGather(mine);
        String prefix = group + "=";
        for (String m : all) {
            if (m.startsWith(prefix)) {
                return Base64.getDecoder().decode(m.substring(prefix.length()));
            }
        }
        throw new CommunicationException("rendezvous '" + group + "': no task of the barrier stage published its id ("
                + all.length + " messages)");
    }

    @Override
    public Duration timeout() {
        return timeout;
    }
}
