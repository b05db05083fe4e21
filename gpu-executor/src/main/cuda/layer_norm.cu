// layer_norm: out[r, :] = (x[r, :] - mean) / sqrt(var + eps) * w[:] + b[:], biased variance, fp32 statistics
// in two passes; w and b may each be null (no affine). CLIP's LayerNorm. Kernels in row_norm.cuh.
#include "row_norm.cuh"

NORM_ENTRY_POINTS(layer_norm, false, f32, float, 4)
NORM_ENTRY_POINTS(layer_norm, false, bf16, bf16, 8)
