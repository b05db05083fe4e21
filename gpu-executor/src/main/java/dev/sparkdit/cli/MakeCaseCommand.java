package dev.sparkdit.cli;

import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.parity.RandomCase;
import dev.sparkdit.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** {@code sparkdit make-case}: a random FLUX case folder whose expected output comes from the CPU backend. */
@Command(name = "make-case", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a random FLUX case folder (config.json, weights.safetensors, io.safetensors, the golden"
                + " layout) whose expected output is this project's CPU backend in fp32 (not diffusers): use it to"
                + " compare other backends, dtypes and parallel layouts against the CPU. Needs the CPU backend"
                + " (libtorch): run it from a checkout, not from the GPU bundle."})
public final class MakeCaseCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "the case folder to write")
    Path out;

    @Option(names = "--force", description = "replace the files of an existing case folder (default: refuse)")
    boolean force;

    @Option(names = "--layers", defaultValue = "2", description = "double-stream blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--single-layers", defaultValue = "2", description = "single-stream blocks (default: ${DEFAULT-VALUE})")
    int singleLayers;

    @Option(names = "--heads", defaultValue = "4", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--head-dim", defaultValue = "32", description = "head dimension (default: ${DEFAULT-VALUE})")
    int headDim;

    @Option(names = "--axes", paramLabel = "A,B,C", split = ",",
            description = "rope dims per axis, summing to the head dim (default: about 1/8, then halves)")
    int[] axes;

    @Option(names = "--grid", paramLabel = "HxW", defaultValue = "8x8",
            description = "packed latent grid (default: ${DEFAULT-VALUE})")
    String grid;

    @Option(names = "--txt", defaultValue = "16", description = "text tokens (default: ${DEFAULT-VALUE})")
    int txt;

    @Option(names = "--in-channels", defaultValue = "16", description = "latent channels in and out (default: ${DEFAULT-VALUE})")
    int inChannels;

    @Option(names = "--joint-dim", defaultValue = "64", description = "text state width (default: ${DEFAULT-VALUE})")
    int jointDim;

    @Option(names = "--pooled-dim", defaultValue = "32", description = "pooled text width (default: ${DEFAULT-VALUE})")
    int pooledDim;

    @Option(names = "--no-guidance", description = "no guidance embedder (schnell-like; default: dev-like)")
    boolean noGuidance;

    @Option(names = "--seed", defaultValue = "1", description = "weights and inputs seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--weights-dtype", paramLabel = "f32|bf16", defaultValue = "f32",
            description = "how weights are stored (default: ${DEFAULT-VALUE})")
    String weightsDtype;

    @Override
    public Integer call() throws Exception {
        String[] hw = grid.toLowerCase(Locale.ROOT).split("x");
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
        DType wdt = switch (weightsDtype.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32" -> DType.F32;
            case "bf16" -> DType.BF16;
            default -> throw new UsageException("--weights-dtype must be f32 or bf16, got '" + weightsDtype + "'");
        };
        FluxConfig cfg;
        try {
            cfg = new FluxConfig(inChannels, inChannels, layers, singleLayers, headDim, heads, jointDim, pooledDim,
                    !noGuidance, axes != null ? axes : defaultAxes(headDim));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (!force && Files.isDirectory(out)) {
            try (Stream<Path> files = Files.list(out)) {
                if (files.findAny().isPresent()) {
                    throw new UsageException(out + " exists and is not empty; pass --force to replace its case files");
                }
            }
        } else if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException(out + " exists and is not a folder");
        }
        RandomCase.write(out, cfg, gh, gw, txt, seed, wdt);
        spec.commandLine().getOut().println("wrote " + out + ": " + cfg + ", grid " + gh + "x" + gw + ", " + txt
                + " text tokens, seed " + seed);
        return 0;
    }

    /** Default rope split for a head dim: a quarter-ish for the first axis, the rest halved, all even. */
    static int[] defaultAxes(int headDim) {
        int first = Math.max(2, (headDim / 8) & ~1);
        int rest = headDim - first;
        int second = (rest / 2) & ~1;
        return new int[] {first, second, rest - second};
    }
}
