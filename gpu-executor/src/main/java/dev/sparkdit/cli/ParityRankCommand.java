package dev.sparkdit.cli;

import dev.sparkdit.parity.FluxParity;
import dev.sparkdit.parity.ParityCase;
import dev.sparkdit.parity.ParityOptions;
import dev.sparkdit.tensor.DType;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code sparkdit parity-rank}: one rank of {@code parity --processes}, started by rank 0 as a child
 * JVM. Not meant to be typed by hand; listed so its failures read like any command's.
 */
public final class ParityRankCommand implements Command {
    @Override
    public String name() {
        return "parity-rank";
    }

    @Override
    public String summary() {
        return "(internal) one rank of 'parity --processes'";
    }

    @Override
    public String usage() {
        return """
                usage: sparkdit parity-rank --case DIR --backend cpu|cuda --dtype F32|BF16 --ranks N --ulysses U
                                            --ring R --rank I --rendezvous HOST:PORT --out FILE [--fp8] [--fp8-gemm]
                Started by 'sparkdit parity --processes'; writes this rank's image rows (fp32) to FILE.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args a = Args.parse(argv, Set.of("--case", "--backend", "--dtype", "--ranks", "--ulysses", "--ring", "--rank",
                "--rendezvous", "--out"), Set.of("--fp8", "--fp8-gemm"));
        for (String required : List.of("--case", "--rendezvous", "--out", "--rank")) {
            if (a.get(required, null) == null) {
                throw new UsageException("parity-rank needs " + required);
            }
        }
        int ranks = a.intValue("--ranks", 1);
        ParityOptions opt = new ParityOptions(a.get("--backend", "cpu"), DType.parse(a.get("--dtype", "f32")),
                Double.NaN, ranks, a.intValue("--ulysses", ranks), a.intValue("--ring", 1), a.flag("--fp8"), true,
                a.flag("--fp8-gemm"));
        int rank = a.intValue("--rank", -1);
        if (rank < 1 || rank >= ranks) {
            throw new UsageException("--rank must be in [1, " + ranks + "), got " + rank);
        }
        FluxParity.runChildRank(ParityCase.open(Path.of(a.get("--case", null))), opt, rank,
                a.get("--rendezvous", null), Path.of(a.get("--out", null)));
        return 0;
    }
}
