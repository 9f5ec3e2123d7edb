package dev.habla.cli;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.tools.BuiltinTools;
import dev.habla.tools.FunctionTool;
import dev.habla.tools.ToolActivity;
import dev.habla.tools.ToolEvents;
import dev.habla.tools.ToolRegistry;
import dev.habla.tools.ToolRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The tool side of {@code habla chat} (a picocli mixin): {@code --tools} declares the built-in tools (clock,
 * calculator, and read_file for the folders given with {@code --allow-dir}) and answers their calls with a
 * {@link ToolRunner}; {@code --code-execution} and {@code --google-search} declare the server-side tools. Tool
 * activity ({@code [tool calculator {"expression":"6*7"} → {"value":42} in 3 ms]}), model-written code, its results
 * and search sources are printed inline.
 *
 * <p>Threads: {@link Display#onEvent} runs on the session's event thread and forwards to the conversation; tool
 * activity arrives on the runner's event thread. Both print through {@code notice} (JLine's {@code printAbove}, which
 * keeps a prompt being edited intact); {@link #lock} guards the line state shared by the two.
 */
final class ToolSupport {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--tools",
            description = "Let the model call built-in tools: clock, calculator (and read_file with --allow-dir). Tool calls are shown inline.")
    boolean enabled;

    @Option(names = "--allow-dir", paramLabel = "DIR",
            description = "With --tools: read_file may read UTF-8 text files under DIR (repeatable; at most 64 KiB per file).")
    List<Path> allowDirs = new ArrayList<>();

    @Option(names = "--code-execution", description = "Let the model write and run code on the server; code and results are shown.")
    boolean codeExecution;

    @Option(names = "--google-search", description = "Let the model search Google; queries and sources are shown.")
    boolean googleSearch;

    /** More tools declared and answered with {@code --tools}; set before the command runs (tests: a tool they gate). */
    final List<FunctionTool> extraTools = new ArrayList<>();

    /** Tools declared and answered with or without {@code --tools} (--knowledge's search_knowledge); set before configure. */
    final List<FunctionTool> alwaysTools = new ArrayList<>();

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: the conversation's last printed model text did not end a line. */
    private boolean midLine;
    private ToolRunner runner;
    private ToolRunner.Binding binding;
    private Consumer<String> notice = s -> { };

    /** Checks the options (before anything starts); returns the allowed folders, resolved. */
    List<Path> validate(CliContext ctx) {
        if (!allowDirs.isEmpty() && !enabled) {
            throw new ParameterException(spec.commandLine(), "--allow-dir needs --tools");
        }
        List<Path> dirs = new ArrayList<>();
        for (Path d : allowDirs) {
            Path abs = ctx.resolve(d);
            if (!Files.isDirectory(abs)) {
                throw new ParameterException(spec.commandLine(), "--allow-dir " + d + ": not a directory");
            }
            dirs.add(abs);
        }
        return dirs;
    }

    /** The session config with the tools the options ask for; validates the options. */
    SessionConfig configure(SessionConfig config, CliContext ctx) {
        List<Path> dirs = validate(ctx);
        ToolRegistry built = ToolRegistry.create(r -> {
            r.codeExecution(codeExecution).googleSearch(googleSearch);
            if (enabled) {
                r.add(BuiltinTools.all(Clock.systemDefaultZone(), dirs));
                r.add(extraTools);
            }
            r.add(alwaysTools);
        });
        if (built.declarations().isEmpty()) {
            return config;
        }
        runner = enabled || !alwaysTools.isEmpty() ? ToolRunner.create(built, this::show) : null;
        List<dev.habla.protocol.Tool> tools = new ArrayList<>(config.tools());
        tools.addAll(built.declarations());
        return config.with(b -> b.tools(tools));
    }

    /**
     * The listener to connect with: answers tool calls (with {@code --tools}), prints code, results and sources, and
     * passes everything else to {@code conversation}.
     */
    SessionListener listener(SessionListener conversation, Consumer<String> notice) {
        this.notice = notice;
        Display display = new Display(conversation);
        if (runner == null) {
            return display;
        }
        binding = runner.bind(display);
        return binding;
    }

    /**
     * The session connect returned: tool calls are answered from now on. The session is resilient: one binding
     * serves all its connections, and a result for a call of a connection that is gone reaches the model on the next.
     */
    void attach(LiveSession session) {
        if (binding != null) {
            binding.attach(session);
        }
    }

    /** Calls the runner is still working on (0 without {@code --tools}). Any thread. */
    int runningCalls() {
        return runner == null ? 0 : runner.pendingCalls();
    }

    /** Runner event thread. */
    private void show(ToolActivity activity) {
        if (activity instanceof ToolActivity.Started) {
            return; // one line per call, when it ends
        }
        print(List.of(ToolEvents.describe(activity)));
    }

    private void print(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            String text = String.join("\n", lines);
            notice.accept(midLine ? "\n" + text : text);
            midLine = false;
        } finally {
            lock.unlock();
        }
    }

    /** Sits between the session (or the runner) and the conversation. Reader thread. */
    private final class Display implements SessionListener {
        private final SessionListener conversation;

        Display(SessionListener conversation) {
            this.conversation = conversation;
        }

        @Override
        public void onEvent(LiveEvent event) {
            switch (event) {
                case LiveEvent.TextDelta t -> track(t.text());
                case LiveEvent.OutputTranscription t -> track(t.text());
                case LiveEvent.TurnComplete t -> track("\n");
                case LiveEvent.Interrupted i -> track("\n");
                case LiveEvent.ExecutableCode c -> print(ToolEvents.render(c));
                case LiveEvent.CodeExecutionResult r -> print(ToolEvents.render(r));
                case LiveEvent.Grounding g -> print(ToolEvents.render(g));
                case LiveEvent.ToolCallRequested r -> {
                    if (runner != null) {
                        return; // answered by the runner; the conversation would only warn about it
                    }
                }
                case LiveEvent.ToolCallCancelled c -> {
                    if (runner != null) {
                        return;
                    }
                }
                default -> { }
            }
            try {
                conversation.onEvent(event);
            } finally {
                if (event instanceof LiveEvent.Closed && runner != null) {
                    runner.close();
                }
            }
        }

        private void track(String text) {
            if (text == null || text.isEmpty()) {
                return;
            }
            lock.lock();
            try {
                midLine = !text.endsWith("\n");
            } finally {
                lock.unlock();
            }
        }
    }
}
