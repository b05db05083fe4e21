package dev.sparkdit.runner;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.usp.RankPlacement;
import dev.sparkdit.usp.SequenceAttention;

/** What one rank does once its backend and attention strategy exist. */
@FunctionalInterface
public interface RankBody<T> {
    T run(RankPlacement rank, ComputeBackend backend, SequenceAttention attention) throws Exception;
}
