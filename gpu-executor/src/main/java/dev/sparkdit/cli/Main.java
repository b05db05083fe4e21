package dev.sparkdit.cli;

import dev.sparkdit.bench.BenchCommand;
import dev.sparkdit.io.IoMessages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The entry point behind {@code submit/sparkdit} and the GPU bundle's {@code bin/sparkdit-gpu}: picocli
 * subcommands, exit status 0 ok, 1 a check failed (an error above tolerance), 2 bad usage or a failed run.
 * stdout is the program's alone (results, JSON lines); messages and progress go to stderr.
 */
public final class Main {
    /**
     * Environment variable naming the file descriptor that holds the real stdout. The launchers start Java with
     * its fd 1 pointing at stderr and the real stdout on fd 3, because native libraries (Gloo) print on fd 1 and
     * would otherwise break {@code --json} output.
     */
    public static final String STDOUT_FD_ENV = "SPARKDIT_STDOUT_FD";

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        String fd = System.getenv(STDOUT_FD_ENV);
        if (fd != null && fd.matches("\\d+")) {
            try {
                out = new PrintStream(new FileOutputStream("/proc/self/fd/" + fd, true), true, StandardCharsets.UTF_8);
                System.setOut(out);
            } catch (IOException e) {
                System.err.println("sparkdit: cannot open stdout on fd " + fd + " (" + e.getMessage()
                        + "); writing results to fd 1");
            }
        }
        int status = run(args, out, System.err);
        out.flush();
        System.exit(status);
    }

    /** Top-level command: only subcommands do work. */
    @Command(name = "sparkdit", mixinStandardHelpOptions = true, subcommands = HelpCommand.class,
            description = "SparkDiT: diffusion-transformer rendering and its tools.",
            footer = {"", "Exit status: 0 ok, 1 a check failed (error above tolerance), 2 bad usage or a failed run.",
                    "'sparkdit help COMMAND' or 'sparkdit COMMAND --help' lists a command's options and defaults."})
    static final class Root implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
        }
    }

    /** Runs a command line; returns the exit status instead of exiting (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine();
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        cli.setOut(o);
        cli.setErr(e);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, argv) -> {
            CommandLine cmd = ex.getCommandLine();
            e.println(prefix(cmd) + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, e)) {
                e.println("(" + cmd.getCommandSpec().qualifiedName() + " --help lists the options and their defaults)");
            }
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageException) {
                e.println(prefix(cmd) + ex.getMessage());
                e.println("(" + cmd.getCommandSpec().qualifiedName() + " --help lists the options and their defaults)");
                return 2;
            }
            e.println(prefix(cmd) + describe(ex));
            if (System.getenv("SPARKDIT_DEBUG") != null) {
                ex.printStackTrace(e);
            } else {
                e.println("(set SPARKDIT_DEBUG=1 for the stack trace)");
            }
            return 2;
        });
        int status = cli.execute(args);
        o.flush();
        e.flush();
        return status;
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    /** Every command of this build: the built-in ones and those other modules register. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Root());
        List<Object> all = new ArrayList<>(List.of(new RenderCommand(), new ParityCommand(), new MakeCaseCommand(), new BenchCommand(),
                new ParityRankCommand(), new MakeRandomModelCommand(), new LoadModelCommand()));
        for (CliCommand c : ServiceLoader.load(CliCommand.class, Main.class.getClassLoader())) {
            all.add(c);
        }
        for (Object c : all) {
            String name = c.getClass().getAnnotation(Command.class).name();
            if (!cli.getSubcommands().containsKey(name)) {
                cli.addSubcommand(name, c);
            }
        }
        return cli;
    }

    /**
     * A failure as a sentence: the message of this project's exceptions and of the JDK's argument, state and I/O
     * errors (they name the value and the file); the class name too for anything else (a bug: say what it was).
     */
    static String describe(Throwable e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            return e.getClass().getSimpleName() + (e.getCause() != null ? " (" + describe(e.getCause()) + ")" : "");
        }
        boolean plain = e.getClass().getName().startsWith("dev.sparkdit.") || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof IOException
                || e instanceof java.io.UncheckedIOException || e instanceof java.util.NoSuchElementException;
        if (e instanceof IOException io) {
            return IoMessages.describe(io);
        }
        return plain ? msg : e.getClass().getSimpleName() + ": " + msg;
    }
}
