package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.TOL_F32;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.requireClose;

/** {@code MergeAttention}: the Ring merge of two (out, lse) pairs in fp32, with empty blocks (lse -inf). */
final class MergeAttentionChecks {
    private MergeAttentionChecks() {
    }

    static List<GpuCheck> all() {
        return List.of(check("merge_attention F32 (with -inf lse)", MergeAttentionChecks::merge));
    }

    static void merge() {
        int s = 50, h = 3, dh = 64;
        float[] o = randn(s * h * dh, 16, 1), ob = randn(s * h * dh, 17, 1);
        float[] l = randn(h * s, 18, 2), lb = randn(h * s, 19, 2);
        l[5] = Float.NEGATIVE_INFINITY;      // empty running block: takes B
        lb[7] = Float.NEGATIVE_INFINITY;     // empty B: unchanged
        Tensor to = upload(o, DType.F32, s, h * dh), tob = upload(ob, DType.F32, s, h * dh);
        Tensor tl = upload(l, DType.F32, h, s), tlb = upload(lb, DType.F32, h, s);
        ops().mergeAttention(to, tl, tob, tlb);
        double[] ro = new double[o.length], rl = new double[l.length];
        for (int hh = 0; hh < h; hh++) {
            for (int t = 0; t < s; t++) {
                double la = l[hh * s + t], lbb = lb[hh * s + t], w;
                if (lbb == Double.NEGATIVE_INFINITY) {
                    w = 0;
                    rl[hh * s + t] = la;
                } else if (la == Double.NEGATIVE_INFINITY) {
                    w = 1;
                    rl[hh * s + t] = lbb;
                } else {
                    w = 1 / (1 + Math.exp(-(lbb - la)));
                    double x = la - lbb;  // logsigmoid(x) = -log1p(exp(-x))
                    rl[hh * s + t] = la + (x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));
                }
                for (int d = 0; d < dh; d++) {
                    int i = t * h * dh + hh * dh + d;
                    ro[i] = o[i] - w * (o[i] - ob[i]);
                }
            }
        }
        requireClose("merge_attention out", download(to), ro, TOL_F32);
        requireClose("merge_attention lse", download(tl), rl, TOL_F32);
    }
}
