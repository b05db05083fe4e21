package dev.sparkdit.backend;

import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.Rendezvous;

import java.time.Duration;

/** Makes a backend's communicators: every member of {@code group} calls it with its rank and the same size. */
@FunctionalInterface
public interface CommunicatorFactory {
    Communicator create(Rendezvous rendezvous, String group, int rank, int size, Duration timeout);
}
