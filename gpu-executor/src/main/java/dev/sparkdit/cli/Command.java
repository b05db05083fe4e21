package dev.sparkdit.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A subcommand of {@code submit/sparkdit}. Built-in ones live here; modules on the class path add
 * theirs through {@link java.util.ServiceLoader} (the Spark job registers its own, so commands that
 * need no Spark run without it).
 */
public interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Full usage text. */
    String usage();

    /** @return the process exit status: 0 ok, 1 check failed, 2 usage error */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
