// rms_norm: out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w[:], fp32 statistics, one rounding at the end
// (T5's T5LayerNorm: no mean subtraction, no bias; b is passed as null). Kernels in row_norm.cuh.
#include "row_norm.cuh"

NORM_ENTRY_POINTS(rms_norm, true, f32, float, 4)
NORM_ENTRY_POINTS(rms_norm, true, bf16, bf16, 8)
