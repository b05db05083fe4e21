package dev.sparkdit.models;

import dev.sparkdit.tensor.Tensor;

/** Head-major views of a token-major projection, so attention reads q/k/v where the GEMM wrote them. */
public final class HeadViews {
    private HeadViews() {
    }

    /**
     * Columns {@code [column, column + heads x headDim)} of {@code proj [S, N]} as {@code [heads, S, headDim]}: head
     * stride {@code headDim}, row stride N (no copy).
     */
    public static Tensor of(Tensor proj, long column, long heads, long headDim) {
        long es = proj.dtype().bytes();
        return new Tensor(proj.address() + column * es, proj.device(), proj.dtype(),
                new long[] {heads, proj.dim(0), headDim}, new long[] {headDim, proj.stride(0), 1});
    }
}
