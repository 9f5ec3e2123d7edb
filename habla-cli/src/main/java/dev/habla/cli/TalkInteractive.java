package dev.habla.cli;

import dev.habla.assistant.DuplexMode;
import dev.habla.assistant.Levels;
import dev.habla.assistant.ServerVad;
import dev.habla.assistant.VadMode;
import dev.habla.assistant.VoiceLoop;
import dev.habla.audio.AudioSink;
import dev.habla.audio.AudioSource;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.SessionConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jline.keymap.KeyMap;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;

/**
 * {@code habla talk} without --input: the live terminal mode. Owns the JLine terminal and prompt (typed lines,
 * exit/quit, /mute, push-to-talk toggles, /snap and /image), the level meter in the status lines, and the exit code
 * when the session closes. The prompt runs on the command's thread; the meter on its own virtual thread
 * ({@code habla-meter}); a session that fails for good interrupts the prompt from the loop's thread
 * ({@link TalkCommand#endPrompt}).
 */
final class TalkInteractive {

    private final TalkCommand cmd;

    TalkInteractive(TalkCommand cmd) {
        this.cmd = cmd;
    }

    int run(LiveClient client, SessionConfig session, AudioSource source, AudioSink sink,
            DuplexMode duplex, ServerVad serverVad, String modelId, URI target,
            KeyChoice key, dev.habla.vision.VideoSource video) throws Exception {
        try (Terminal terminal = openTerminal()) {
            LineReader reader = lineReader(terminal);
            Status status = cmd.ctx.console() && !Terminal.TYPE_DUMB.equals(terminal.getType()) ? Status.getStatus(terminal) : null;
            TalkPrinter printer = new TalkPrinter(reader::printAbove, cmd.verbose ? cmd.ctx.err()::println : null,
                    cmd.service.provider().name());
            // A session that fails for good must not wait for the next Enter: end the prompt, then the closed event
            // decides the exit code.
            Thread prompting = Thread.currentThread();
            printer.onClosed = () -> TalkCommand.endPrompt(prompting);
            VoiceLoop loop = cmd.start(client, session, source, sink, duplex, serverVad, printer, cmd.output != null, modelId,
                    target, key);
            cmd.feed = cmd.vision.start(video, loop.session(), cmd.ctx, printer::notice);
            Thread hook = cmd.ctx.console() ? cmd.shutdownHook(loop) : null;
            Thread meter = status == null ? null : Thread.ofVirtual().name("habla-meter").start(() -> meter(loop, status, printer));
            try (loop) {
                if (cmd.vad == VadMode.PUSH_TO_TALK) {
                    reader.getWidgets().put("habla-ptt", () -> {
                        loop.togglePushToTalk();
                        return true;
                    });
                    reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference("habla-ptt"), KeyMap.ctrl('T'));
                }
                terminal.handle(Terminal.Signal.INT, s -> terminal.raise(Terminal.Signal.INT));
                printer.notice("Talking to " + modelId + " (" + describe(duplex) + ", vad " + cmd.vad.name().toLowerCase(Locale.ROOT)
                        + "). Speak, or type a line; exit or Ctrl-C to leave.");
                while (true) {
                    LiveEvent.Closed closed = loop.closedEvent();
                    if (closed != null) {
                        Thread.interrupted();   // endPrompt's interrupt may have come between prompts: clear it
                        return cmd.failures.ended(closed, modelId, target, key);
                    }
                    String line;
                    try {
                        line = reader.readLine("you> ");
                    } catch (UserInterruptException | EndOfFileException e) {
                        LiveEvent.Closed gone = loop.closedEvent();
                        if (gone != null) {
                            Thread.interrupted();
                            return cmd.failures.ended(gone, modelId, target, key);
                        }
                        return ExitCodes.OK;   // Ctrl-C or Ctrl-D: the loop closes mic, session, speaker in order
                    }
                    if (loop.closedEvent() != null) {
                        continue;   // the session ended while the line was typed: the top of the loop says how
                    }
                    String text = line.strip();
                    if (text.equalsIgnoreCase("exit") || text.equalsIgnoreCase("quit")) {
                        return ExitCodes.OK;
                    }
                    if (text.isEmpty()) {
                        if (cmd.vad == VadMode.PUSH_TO_TALK) {
                            printer.notice(loop.togglePushToTalk() ? "(talking: empty line or Ctrl-T to stop)" : "(sent)");
                        }
                        continue;
                    }
                    if (text.equals("/mute")) {
                        loop.mute(!loop.isMuted());
                        printer.notice(loop.isMuted() ? "(microphone muted; /mute again to unmute)" : "(microphone on)");
                        continue;
                    }
                    if (VisionArgs.command(text, cmd.feed, cmd.ctx, printer::notice)) {
                        continue;
                    }
                    cmd.sendTyped(loop, text);
                }
            } finally {
                if (meter != null) {
                    meter.interrupt();
                    meter.join(Duration.ofSeconds(1));
                }
                if (status != null) {
                    status.close();
                }
                if (hook != null) {
                    cmd.removeHook(hook);
                }
            }
        }
    }

    private String describe(DuplexMode duplex) {
        return switch (duplex) {
            case ECHO_GATE -> "echo gate on: open speakers are fine";
            case HEADPHONES -> "no echo gate";
            case HALF_DUPLEX -> "half duplex";
        };
    }

    /** The level meter and the answer in progress, in JLine's status lines, ten times a second. */
    private void meter(VoiceLoop loop, Status status, TalkPrinter printer) {
        while (!Thread.currentThread().isInterrupted()) {
            Levels l = loop.levels();
            var resilient = loop.resilientSession();
            String state = resilient != null && resilient.phase() == dev.habla.client.ResilientSession.Phase.RECONNECTING
                    ? "reconnecting" : loop.isMuted() ? "muted"
                    : cmd.vad == VadMode.PUSH_TO_TALK ? (loop.isTalking() ? "TALKING" : "ptt: Ctrl-T") : "listening";
            String line = String.format(Locale.ROOT, "mic %s  spk %s  %s  underruns %d", Levels.bar(l.micDbfs(), 12),
                    Levels.bar(l.speakerDbfs(), 12), state, loop.metrics().underruns());
            String partial = printer.partial();
            List<AttributedString> lines = new ArrayList<>();
            lines.add(new AttributedString(line));
            if (!partial.isEmpty()) {
                lines.add(new AttributedString(printer.speaker() + ": " + tail(partial, 100)));
            }
            status.update(lines);
            try {
                Thread.sleep(100);   // a display refresh rate, not a wait for an event
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
    }

    private Terminal openTerminal() throws IOException {
        if (cmd.ctx.console()) {
            return TerminalBuilder.builder().name("habla").system(true).providers("jni,ffm,exec").dumb(true).build();
        }
        // Not TerminalBuilder: with streams it may allocate a pty (which echoes the piped input back).
        return new DumbTerminal("habla", Terminal.TYPE_DUMB, cmd.ctx.in(), cmd.ctx.out(), StandardCharsets.UTF_8);
    }

    private LineReader lineReader(Terminal terminal) {
        return LineReaderBuilder.builder().terminal(terminal).appName("habla")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true).build();
    }
}
