package dev.sparkdit.cli;

import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.parity.RandomCase;
import dev.sparkdit.tensor.DType;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code sparkdit make-case}: a random FLUX case folder whose expected output comes from the CPU backend. */
public final class MakeCaseCommand implements Command {
    @Override
    public String name() {
        return "make-case";
    }

    @Override
    public String summary() {
        return "write a random FLUX case folder, expected output from the CPU backend";
    }

    @Override
    public String usage() {
        return """
                usage: sparkdit make-case --out DIR [--layers N] [--single-layers N] [--heads N] [--head-dim N]
                                          [--axes A,B,C] [--grid HxW] [--txt N] [--in-channels N]
                                          [--joint-dim N] [--pooled-dim N] [--no-guidance] [--seed S]
                                          [--weights-dtype f32|bf16]

                Writes DIR/config.json, weights.safetensors, io.safetensors in the golden layout. The
                expected output is this project's CPU backend in fp32 (not diffusers): use these cases to
                compare other backends, dtypes and parallel layouts against it. Defaults: 2 double and
                2 single blocks, 4 heads of 32 (rope 4,14,14), grid 8x8, 16 text tokens, in 16,
                joint 64, pooled 32, guidance on, seed 1.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args a = Args.parse(argv, Set.of("--out", "--layers", "--single-layers", "--heads", "--head-dim", "--axes",
                "--grid", "--txt", "--in-channels", "--joint-dim", "--pooled-dim", "--seed", "--weights-dtype"), Set.of("--no-guidance"));
        String outDir = a.get("--out", null);
        if (outDir == null) {
            throw new UsageException("make-case needs --out DIR");
        }
        int headDim = a.intValue("--head-dim", 32);
        int[] axes = parseAxes(a.get("--axes", null), headDim);
        String grid = a.get("--grid", "8x8");
        String[] hw = grid.toLowerCase().split("x");
        int gh;
        int gw;
        try {
            if (hw.length != 2) {
                throw new NumberFormatException();
            }
            gh = Integer.parseInt(hw[0]);
            gw = Integer.parseInt(hw[1]);
        } catch (NumberFormatException e) {
            throw new UsageException("--grid must be HxW (e.g. 8x8), got '" + grid + "'");
        }
        int in = a.intValue("--in-channels", 16);
        FluxConfig cfg;
        try {
            cfg = new FluxConfig(in, in, a.intValue("--layers", 2), a.intValue("--single-layers", 2), headDim,
                    a.intValue("--heads", 4), a.intValue("--joint-dim", 64), a.intValue("--pooled-dim", 32),
                    !a.flag("--no-guidance"), axes);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        long seed = a.intValue("--seed", 1);
        DType wdt;
        try {
            wdt = DType.parse(a.get("--weights-dtype", "f32"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--weights-dtype: " + e.getMessage());
        }
        if (wdt != DType.F32 && wdt != DType.BF16) {
            throw new UsageException("--weights-dtype must be f32 or bf16");
        }
        RandomCase.write(Path.of(outDir), cfg, gh, gw, a.intValue("--txt", 16), seed, wdt);
        out.println("wrote " + outDir + ": " + cfg + ", grid " + gh + "x" + gw + ", " + a.intValue("--txt", 16)
                + " text tokens, seed " + seed);
        return 0;
    }

    /** Default rope split for a head dim: a quarter-ish for the first axis, the rest halved, all even. */
    static int[] parseAxes(String spec, int headDim) {
        if (spec == null) {
            int first = Math.max(2, (headDim / 8) & ~1);
            int rest = headDim - first;
            int second = (rest / 2) & ~1;
            return new int[] {first, second, rest - second};
        }
        String[] parts = spec.split(",");
        int[] r = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                r[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--axes must be comma-separated integers, got '" + spec + "'");
            }
        }
        return r;
    }
}
