// merge_attention (fp32): merges a partial attention result (outB, lseB) into the running (out, lse):
//   w = sigmoid(lseB - lse); out = out - w * (out - outB); lse = lse - logsigmoid(lse - lseB)
// written in the equivalent stable forms out += w * (outB - out), lse = max + log1p(exp(min - max)).
// -inf log-sum-exps (empty blocks) are handled: an empty B leaves (out, lse) alone, an empty running
// result takes B as is. One warp per (token, head): lse is read by every lane before lane 0 writes it.
#include "common.cuh"

/*
 * merge_attention_f32(float* out, long long ldo, float* lse, long long ldLse, const float* outB,
 *                     long long ldoB, const float* lseB, long long ldLseB, int S, int H, int Dh)
 *   out, outB [S, H*Dh] row strides ldo/ldoB; lse, lseB [H, S] row strides ldLse/ldLseB.
 *   grid ceil(S*H*32 / block).
 */
extern "C" __global__ void merge_attention_f32(float* out, long long ldo, float* lse, long long ldLse,
                                               const float* outB, long long ldoB, const float* lseB,
                                               long long ldLseB, int S, int H, int Dh) {
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (warp >= (long long)S * H) return;
    const int s = (int)(warp / H), h = (int)(warp % H);
    const float la = lse[(long long)h * ldLse + s];
    const float lb = lseB[(long long)h * ldLseB + s];
    float* o = out + (long long)s * ldo + (long long)h * Dh;
    const float* ob = outB + (long long)s * ldoB + (long long)h * Dh;
    if (lb == -INFINITY) return;  // nothing to merge
    float w, lnew;
    if (la == -INFINITY) {
        w = 1.f;
        lnew = lb;
    } else {
        w = 1.f / (1.f + expf(la - lb));  // sigmoid(lb - la)
        const float mx = fmaxf(la, lb), mn = fminf(la, lb);
        lnew = mx + log1pf(expf(mn - mx));  // = la - logsigmoid(la - lb)
    }
    for (int d = lane; d < Dh; d += 32) {
        const float a = o[d];
        o[d] = w == 1.f ? ob[d] : a + w * (ob[d] - a);
    }
    __syncwarp();
    if (lane == 0) lse[(long long)h * ldLse + s] = lnew;
}
