package dev.habla.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code habla}: the command-line entry point ({@code ./habla} at the repository root runs it).
 *
 * <p>Exit codes are in {@link ExitCodes}. Errors a user can act on are one line on stderr; stack traces only with
 * {@code --verbose}.
 */
@Command(name = "habla", mixinStandardHelpOptions = true, version = "habla 0.1.0-SNAPSHOT", usageHelpAutoWidth = true,
        description = "Real-time conversation with Gemini over the Live API.",
        commandListHeading = "%nCommands:%n",
        // Footer lines stay under 80 columns: picocli wraps longer ones mid-list.
        footer = {"", "Run 'habla COMMAND --help' for the options of a command.",
                "Exit codes: 0 ok, 1 internal error, 2 no API key, 3 key rejected,",
                "  4 model not found, 5 unreachable or dropped, 6 quota, 7 other server error,",
                "  64 bad usage, 65 no speech in the input file, 66 knowledge index missing,",
                "  in use or built with another embedding model, 69 no audio device,",
                "  camera, ffmpeg or display, 130 Ctrl-C while connecting."})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final CliContext ctx;

    private Main(CliContext ctx) {
        this.ctx = ctx;
    }

    public static void main(String[] args) {
        configureLogging(isVerbose(args));
        int code = run(CliContext.system(), args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs one command line in {@code ctx}; returns the exit code. Used by {@link #main} and by tests. */
    public static int run(CliContext ctx, String... args) {
        return commandLine(ctx, isVerbose(args)).execute(args);
    }

    /** Like {@link #run(CliContext, String...)}, after {@code prepare} adjusted the commands (tests add tools so). */
    static int run(CliContext ctx, Consumer<CommandLine> prepare, String... args) {
        CommandLine cl = commandLine(ctx, isVerbose(args));
        prepare.accept(cl);
        return cl.execute(args);
    }

    static CommandLine commandLine(CliContext ctx, boolean verbose) {
        CommandLine cl = new CommandLine(new Main(ctx));
        cl.addSubcommand("chat", new ChatCommand(ctx));
        cl.addSubcommand("emulator", new EmulatorCommand(ctx));
        cl.addSubcommand("gateway", new GatewayCommand(ctx));
        cl.addSubcommand("talk", new TalkCommand(ctx));
        cl.addSubcommand("devices", new DevicesCommand(ctx));
        cl.addSubcommand("knowledge", KnowledgeCommand.commandLine(ctx));
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        cl.setOut(new PrintWriter(ctx.out(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(ctx.err(), true, StandardCharsets.UTF_8));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ParameterException e, String[] a) -> {
            CommandLine where = e.getCommandLine();
            PrintWriter err = where.getErr();
            err.println(where.getCommandSpec().qualifiedName() + ": " + usageMessage(e));
            UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + where.getCommandSpec().qualifiedName() + " --help' for more information.");
            if (verbose && e.getCause() != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((Exception e, CommandLine where, CommandLine.ParseResult parsed) -> {
            PrintWriter err = where.getErr();
            if (e instanceof CliException ce) {
                err.println("habla: " + ce.getMessage());
                if (verbose && ce.getCause() != null) {
                    ce.getCause().printStackTrace(err);
                }
                err.flush();
                return ce.exitCode();
            }
            err.println("habla: internal error: " + e + (verbose ? "" : " (run with --verbose for details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.INTERNAL;
        });
        return cl;
    }

    /**
     * picocli's message, except for what it calls an "unmatched argument": an unknown command at the top level
     * (listing the commands), an unknown option or an unexpected word below it.
     */
    static String usageMessage(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        String first = u.getUnmatched().getFirst();
        CommandLine where = e.getCommandLine();
        if (first.startsWith("-")) {
            return "unknown option '" + first + "'";
        }
        if (where.getParent() == null && !where.getSubcommands().isEmpty()) {
            return "unknown command '" + first + "'; the commands are "
                    + String.join(", ", where.getSubcommands().keySet());
        }
        return "unexpected argument '" + first + "' (this command takes options only)";
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    static boolean isVerbose(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--verbose") || a.equals("-v"));
    }

    /** slf4j-simple reads its settings once, at the first logger: call before anything logs. */
    static void configureLogging(boolean verbose) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", verbose ? "true" : "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        // The provider's "unknown model, sent as given" warning comes from the connecting thread, in the middle of the
        // prompt line; the service's refusal of a model that does not exist is reported as one clear line anyway, and
        // a new model that works needs no notice. --verbose shows it. (An unknown voice is named by SessionArgs.)
        setIfAbsent("org.slf4j.simpleLogger.log.dev.habla.client.internal.GeminiProvider", verbose ? "info" : "error");
        // The embedding model's libraries (habla knowledge, --knowledge) talk about hardware this machine may lack and
        // that nothing here uses: DJL looks for CUDA GPUs, Lucene for the Vector API module (it falls back to scalar
        // code, which the figures in habla-knowledge-lucene's README were measured with). --verbose shows both.
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl", verbose ? "info" : "error");
        if (!verbose) {
            LUCENE_VECTORIZATION.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    /** Held so the level set above stays (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger LUCENE_VECTORIZATION =
            java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
