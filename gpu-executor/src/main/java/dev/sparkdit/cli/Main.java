package dev.sparkdit.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The entry point behind {@code submit/sparkdit} and the GPU bundle's {@code bin/sparkdit-gpu}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line; returns the exit status instead of exiting (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            if (args.length > 1 && commands.containsKey(args[1])) {
                out.println(commands.get(args[1]).usage());
                return 0;
            }
            printCommands(commands, args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Command c = commands.get(args[0]);
        if (c == null) {
            err.println("sparkdit: unknown command '" + args[0] + "'");
            printCommands(commands, err);
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(c.usage());
            return 0;
        }
        try {
            return c.run(rest, out, err);
        } catch (UsageException e) {
            err.println("sparkdit " + c.name() + ": " + e.getMessage());
            err.println(c.usage());
            return 2;
        } catch (Exception | Error e) {
            err.println("sparkdit " + c.name() + ": " + describe(e));
            if (System.getenv("SPARKDIT_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 2;
        }
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return msg == null ? kind : (e instanceof RuntimeException && !(e instanceof IllegalArgumentException)
                && !(e instanceof IllegalStateException) ? kind + ": " + msg : msg);
    }

    static Map<String, Command> commands() {
        List<Command> all = new ArrayList<>(List.of(new ParityCommand(), new MakeCaseCommand(), new ParityRankCommand()));
        for (Command c : ServiceLoader.load(Command.class)) {
            all.add(c);
        }
        for (String extra : List.of("dev.sparkdit.gputest.GpuTestsCommand", "dev.sparkdit.bench.BenchCommand")) {
            try {
                all.add((Command) Class.forName(extra).getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException | LinkageError e) {
                // Not in this build.
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create command " + extra, e);
            }
        }
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : all) {
            byName.putIfAbsent(c.name(), c);
        }
        return byName;
    }

    private static void printCommands(Map<String, Command> commands, PrintStream to) {
        to.println("usage: sparkdit <command> [options]   (sparkdit help <command> for its options)");
        to.println();
        for (Command c : commands.values()) {
            to.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
