package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every entry point a launcher can ask for is in the built fatbin (no GPU needed: the names are in
 * its symbol tables and PTX). Catches a Java name that drifted from its {@code extern "C"} kernel.
 */
class KernelNamesTest {

    static List<String> launcherKernelNames() {
        List<String> n = new ArrayList<>();
        DType[] storage = {DType.F32, DType.BF16, DType.F16};
        DType[] compute = {DType.F32, DType.BF16};
        for (DType s : storage) {
            for (DType d : storage) {
                n.add(Convert.kernelName(s, d));
            }
        }
        for (DType d : compute) {
            n.add(Elementwise.kernelName(Elementwise.Op.ADD, d));
            n.add(ActivationKernel.kernelName(d));
            n.add(AddGated.kernelName(d));
            n.add(LayerNormModulate.kernelName(d, false));
            for (DType t : compute) {
                n.add(TimestepEmbedding.kernelName(d, t));
            }
            for (long dh : new long[] {32, 64, 128}) {
                for (DType o : compute) {
                    n.add(Attention.kernelName(d, dh, o));
                }
            }
            for (String variant : Attention.VARIANTS) {
                if (!variant.equals("v1")) {  // v1 is kernelName(BF16, 128, out)
                    n.add(Attention.d128KernelName(variant, d));
                }
            }
            n.add(Attention.splitMergeKernelName(d));
        }
        n.add(LayerNormModulate.kernelName(DType.BF16, true));
        n.add(QkNormRope.kernelName(DType.F32, DType.F32));
        n.add(QkNormRope.d128KernelName(DType.F32));
        n.add(QkNormRope.d128KernelName(DType.BF16));
        n.add(AddGated.VEC8_KERNEL);
        n.add(LayerNormModulate.WARP_KERNEL);
        n.add(QkNormRope.kernelName(DType.BF16, DType.F32));
        n.add(QkNormRope.kernelName(DType.BF16, DType.BF16));
        n.add(MergeAttention.KERNEL);
        n.add(Fp8Quant.QUANTIZE_KERNEL);
        n.add(Fp8Quant.DEQUANTIZE_KERNEL);
        n.add(Fp8Quant.QUANTIZE_ROWS_KERNEL);
        n.add(Fp8Quant.QUANTIZE_SHORT_ROWS_KERNEL);
        n.add(CudaPeerWindow.KERNEL);
        // the text encoders' and the VAE's ops
        for (DType d : compute) {
            n.add(Elementwise.kernelName(Elementwise.Op.MUL, d));
            for (String variant : RowNorm.VARIANTS) {
                n.add(LayerNorm.kernelName(d, variant));
                n.add(RmsNorm.kernelName(d, variant));
            }
            for (int w : GroupNorm.widths(d)) {
                n.add(GroupNorm.statsKernel(d, w));
                n.add(GroupNorm.applyKernel(d, w));
            }
            n.add(Conv2d.biasKernel(d, false));
            n.add(Conv2d.biasKernel(d, true));
            n.add(MaskedAttention.mmaKernel(d));
            for (DType in : compute) {
                n.add(MaskedAttention.fmaKernel(in, d));
            }
        }
        n.add(GroupNorm.FINALIZE_KERNEL);
        for (int unit : UpsampleNearest2x.UNITS) {
            n.add(UpsampleNearest2x.kernelName(unit));
            n.add(Embedding.kernelName(unit));
        }
        return n;
    }

    @Test
    void everyLauncherKernelIsInTheFatbin() throws Exception {
        byte[] fatbin;
        try (InputStream in = KernelModule.class.getResourceAsStream(KernelModule.RESOURCE)) {
            Assumptions.assumeTrue(in != null, "no fatbin on the classpath (built with -Dsparkdit.cpuOnly=true)");
            fatbin = in.readAllBytes();
        }
        String image = new String(fatbin, StandardCharsets.ISO_8859_1);
        List<String> missing = new ArrayList<>();
        for (String name : launcherKernelNames()) {
            // followed by NUL (ELF string table) or '(' (PTX .entry), so prefixes do not count
            if (!image.contains(name + '\0') && !image.contains(name + '(')) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "kernels the launchers name but the fatbin lacks");
    }
}
