package dev.habla.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code habla knowledge}: build and check the index the assistant answers from (subcommands index, search). */
@Command(name = "knowledge", usageHelpAutoWidth = true,
        description = "Build and search a knowledge index of your documents (Markdown, text, HTML, PDF).",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Default index: ~/.habla/knowledge (--index PATH for another).",
                "Exit codes: 0 ok, 64 bad usage, 66 index missing, in use or built with",
                "  another embedding model."})
final class KnowledgeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** {@code knowledge} with its subcommands, each given the process context. */
    static CommandLine commandLine(CliContext ctx) {
        CommandLine cl = new CommandLine(new KnowledgeCommand());
        cl.addSubcommand("index", new KnowledgeIndexCommand(ctx));
        cl.addSubcommand("search", new KnowledgeSearchCommand(ctx));
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.USAGE;
    }
}
