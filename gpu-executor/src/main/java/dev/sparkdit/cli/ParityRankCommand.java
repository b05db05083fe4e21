package dev.sparkdit.cli;

import dev.sparkdit.parity.FluxParity;
import dev.sparkdit.parity.ParityCase;
import dev.sparkdit.parity.ParityOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code sparkdit parity-rank}: one child rank of {@code parity --processes} (started by it, not by users). */
@Command(name = "parity-rank", hidden = true, mixinStandardHelpOptions = true,
        description = "Started by 'sparkdit parity --processes'; writes this rank's image rows (fp32) to FILE.")
public final class ParityRankCommand implements CliCommand {
    @Option(names = "--case", paramLabel = "DIR", required = true)
    Path caseDir;

    @Option(names = "--rank", paramLabel = "I", required = true)
    int rank;

    @Option(names = "--rendezvous", paramLabel = "HOST:PORT", required = true)
    String rendezvous;

    @Option(names = "--out", paramLabel = "FILE", required = true)
    Path out;

    @Mixin
    ParallelMixin parallel;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        ParallelMixin.Layout layout = parallel.layout();
        if (rank < 1 || rank >= layout.ranks()) {
            throw new UsageException("--rank must be in [1, " + layout.ranks() + "), got " + rank);
        }
        ParityOptions opt = new ParityOptions(run.options(), Double.NaN, layout.ranks(), layout.ulysses(),
                layout.ring(), true);
        FluxParity.runChildRank(ParityCase.open(caseDir), opt, rank, rendezvous, out);
        return 0;
    }
}
