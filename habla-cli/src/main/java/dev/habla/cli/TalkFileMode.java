package dev.habla.cli;

import dev.habla.assistant.DuplexMode;
import dev.habla.assistant.ServerVad;
import dev.habla.assistant.VoiceLoop;
import dev.habla.audio.AudioSink;
import dev.habla.audio.AudioSource;
import dev.habla.audio.WavSink;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.SessionConfig;
import java.io.PrintStream;
import java.net.URI;

/**
 * {@code habla talk --input/--output}: the file-to-file mode. Starts the loop, sends any typed script from stdin,
 * waits until every utterance has been answered and played (or --timeout), and maps the outcome to an exit code
 * (no answer, no speech, a failed session, a failed output file). Runs on the command's thread; the loop's own
 * threads print through {@link TalkPrinter}.
 */
final class TalkFileMode {

    private final TalkCommand cmd;

    TalkFileMode(TalkCommand cmd) {
        this.cmd = cmd;
    }

    int run(LiveClient client, SessionConfig session, AudioSource source, AudioSink sink, DuplexMode duplex,
            ServerVad serverVad, String modelId, URI target, KeyChoice key,
            dev.habla.vision.VideoSource video) throws Exception {
        PrintStream out = cmd.ctx.out();
        TalkPrinter printer = new TalkPrinter(out::println, cmd.verbose ? cmd.ctx.err()::println : null, cmd.service.provider().name());
        VoiceLoop loop = cmd.start(client, session, source, sink, duplex, serverVad, printer, cmd.output != null, modelId,
                target, key);
        cmd.feed = cmd.vision.start(video, loop.session(), cmd.ctx, printer::notice);
        Thread hook = cmd.ctx.console() ? cmd.shutdownHook(loop) : null;
        try (loop) {
            // Typed text (and /snap, /image, /wait) from stdin when it is not a terminal: all of it is sent first.
            if (!cmd.ctx.console() || System.console() == null) {
                Thread typed = VisionArgs.typedScript(cmd.ctx.in(), text -> cmd.sendTyped(loop, text), cmd.feed, cmd.ctx, printer::notice);
                if (!typed.join(cmd.timeout)) {
                    typed.interrupt();
                }
            }
            boolean idle = loop.awaitConversationIdle(TalkCommand.SETTLE, cmd.timeout);
            LiveEvent.Closed closed = loop.closedEvent();
            if (closed != null && closed.error() != null) {
                throw cmd.failures.failure(closed.error(), modelId, target, key);
            }
            long answers = loop.transcript().assistantEntries().size();
            if (!idle) {
                throw new CliException(ExitCodes.UNAVAILABLE, answers == 0
                        ? "no answer within " + DurationText.format(cmd.timeout) + "; check the input file and --timeout"
                        : "the conversation did not finish within " + DurationText.format(cmd.timeout) + " (" + answers
                                + " answers so far)");
            }
            if (answers == 0) {
                // Not a connection problem (the session is up and idle): the input had nothing to answer.
                throw new CliException(cmd.input == null ? ExitCodes.UNAVAILABLE : ExitCodes.NO_SPEECH,
                        "no answer: the server heard no speech in "
                        + (cmd.input == null ? "the microphone" : cmd.ctx.display(cmd.input) + " (silent, or too quiet?)"));
            }
            if (cmd.vision.used()) {
                cmd.ctx.err().println(VisionArgs.summary(cmd.feed) + "; playback underruns " + loop.metrics().underruns());
            }
        } finally {
            if (hook != null) {
                cmd.removeHook(hook);
            }
        }
        if (cmd.output != null && sink instanceof WavSink w) {
            w.close();
            if (w.failure() != null) {
                throw new CliException(ExitCodes.INTERNAL, "cannot write " + cmd.ctx.display(cmd.output) + ": " + w.failure().getMessage());
            }
            cmd.ctx.err().println("habla: wrote " + w.duration().toMillis() / 1000.0 + " s of answers to " + cmd.ctx.display(cmd.output));
        }
        return ExitCodes.OK;
    }
}
