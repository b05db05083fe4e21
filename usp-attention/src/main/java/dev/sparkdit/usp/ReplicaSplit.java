package dev.sparkdit.usp;

import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;

/**
 * Ranks that hold the same replicated values and can therefore share work whose result each of them
 * needs: each computes its part, then {@link #allGather} hands every rank the whole. FLUX uses it for
 * the blocks' modulation vectors, which depend on the conditioning vector alone, so ranks of one
 * sequence would otherwise each read all the modulation weights (6.5 GB per step for FLUX.1) to
 * compute the same numbers.
 */
public interface ReplicaSplit {
    /** This rank's index, {@code [0, count)}. */
    int index();

    int count();

    /** {@code recv [count * n...]} receives every replica's {@code send [n...]}, in index order. */
    void allGather(Tensor send, Tensor recv);

    /** One replica: nothing to share, nothing to gather. */
    ReplicaSplit ALONE = new ReplicaSplit() {
        @Override
        public int index() {
            return 0;
        }

        @Override
        public int count() {
            return 1;
        }

        @Override
        public void allGather(Tensor send, Tensor recv) {
            throw new UnsupportedOperationException("a single replica has nothing to gather (send " + send
                    + ", recv " + recv + ")");
        }

        @Override
        public String toString() {
            return "ReplicaSplit.ALONE";
        }
    };

    /** The ranks of {@code comm}; {@link #ALONE} for a group of one. */
    static ReplicaSplit over(Communicator comm) {
        if (comm.size() == 1) {
            return ALONE;
        }
        return new ReplicaSplit() {
            @Override
            public int index() {
                return comm.rank();
            }

            @Override
            public int count() {
                return comm.size();
            }

            @Override
            public void allGather(Tensor send, Tensor recv) {
                comm.allGather(send, recv);
            }

            @Override
            public String toString() {
                return "ReplicaSplit[" + comm.rank() + " of " + comm.size() + "]";
            }
        };
    }
}
