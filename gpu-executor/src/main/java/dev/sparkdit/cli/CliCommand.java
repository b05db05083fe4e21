package dev.sparkdit.cli;

import java.util.concurrent.Callable;

/**
 * A subcommand of {@code sparkdit}: a picocli {@code @Command} class returning the exit status (0 ok, 1 a check
 * failed, 2 bad usage or a failed run). The built-in ones are listed in {@link Main}; other modules on the class
 * path (the Spark job, the GPU checks) add theirs through {@link java.util.ServiceLoader}, so commands that need
 * no Spark run without it.
 */
public interface CliCommand extends Callable<Integer> {
}
