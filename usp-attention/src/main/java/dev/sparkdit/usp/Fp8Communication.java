package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;

/**
 * Whether Ulysses' all-to-alls move q/k/v and the attention output as FP8 (e4m3) with one fp32 scale
 * per token and head (group = Dh), chosen per run. FP8 halves the bytes of a bf16 exchange (quarters
 * fp32's) for an error of about 2^-4 relative per element, which the softmax averages down.
 */
public enum Fp8Communication {
    /** Exchange in the tensors' own dtype: exact. */
    OFF,
    /** Quantize before each all-to-all, dequantize after. */
    ON;

    public static Fp8Communication of(boolean enabled) {
        return enabled ? ON : OFF;
    }

    /**
     * All-to-all of {@code send} into {@code recv} (same shape, contiguous, dim 0 = group size, last
     * dim divisible by {@code group}). With {@link #ON} the rows of {@code group} elements are quantized
     * on the sender and dequantized on the receiver; temporaries come from {@code ops.scratch()}.
     */
    public void allToAll(Ops ops, Communicator comm, Tensor send, Tensor recv, int group) {
        if (this == OFF) {
            comm.allToAll(send, recv);
            return;
        }
        long rows = send.numel() / group;
        if (rows * group != send.numel() || rows % comm.size() != 0) {
            throw new IllegalArgumentException("fp8 all-to-all: " + send + " is not rows of " + group
                    + " elements divisible among " + comm.size() + " ranks");
        }
        Arena a = ops.scratch();
        long mark = a.mark();
        try {
            Tensor q8Send = a.allocate(DType.F8_E4M3, rows, group);
            Tensor q8Recv = a.allocate(DType.F8_E4M3, rows, group);
            Tensor scSend = a.allocate(DType.F32, rows, 1);
            Tensor scRecv = a.allocate(DType.F32, rows, 1);
            ops.quantizeFp8(q8Send, scSend, send.view(rows, group), group);
            comm.allToAll(q8Send, q8Recv);
            comm.allToAll(scSend, scRecv);
            ops.dequantizeFp8(recv.view(rows, group), q8Recv, scRecv, group);
        } finally {
            a.reset(mark);
        }
    }
}
