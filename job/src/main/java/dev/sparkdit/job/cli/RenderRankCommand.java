package dev.sparkdit.job.cli;

import dev.sparkdit.cli.CliCommand;
import dev.sparkdit.cli.RunOptionsMixin;
import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.group.GroupRun;
import dev.sparkdit.job.group.GroupRunFile;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.usp.comm.TcpRendezvous;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;

/** {@code sparkdit render-rank}: one child rank of {@code render-group --processes} (started by it, not by users). */
@Command(name = "render-rank", hidden = true, mixinStandardHelpOptions = true,
        description = "Started by 'sparkdit render-group --processes': one rank, joined over TCP.")
public final class RenderRankCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "FILE")
    Path runFile;

    @Option(names = "--rank", required = true)
    int rank;

    @Option(names = "--rendezvous", required = true, paramLabel = "HOST:PORT")
    String rendezvous;

    @Option(names = "--rows", required = true, paramLabel = "FILE")
    Path rows;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        GroupRunFile file = GroupRunFile.read(runFile);
        RunOptions options = run.options();
        int colon = rendezvous.lastIndexOf(':');
        long scratch = FluxPipeline.scratchBytes(PipelineSource.of(file.settings().model()).config(),
                file.settings().limits(), file.settings().plan(), options.dtypeOn(options.backend()));
        try (TcpRendezvous r = TcpRendezvous.connect(rendezvous.substring(0, colon),
                Integer.parseInt(rendezvous.substring(colon + 1)), rank, options.collectiveTimeout())) {
            List<ResultRow> mine = RankGroup.runOne(file.settings().plan(), rank,
                    file.settings().plan().placement(rank).localGpu(), options, scratch, r,
                    GroupRun.body(file, spec.commandLine().getErr()));
            ResultJsonLines.write(rows, mine);
        }
        return 0;
    }
}
