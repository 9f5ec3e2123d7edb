package dev.habla.emulator.internal;

import dev.habla.time.Scheduler;
import dev.habla.emulator.Fault;
import dev.habla.protocol.Blob;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Transcription;
import dev.habla.protocol.UsageMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a model turn's text the way the service does: as text chunks (TEXT) or as paced speech chunks with their
 * transcription (AUDIO), then {@code generationComplete} and {@code turnComplete} with usage; keeps the turn open while
 * the audio plays (interruptible), and records what was sent into history. Owns the turn in progress and the pacing
 * faults.
 *
 * <p>Every method is called with the connection's lock held; timers come back through {@link Connection#runLocked}.
 */
final class ReplyStreamer {
    /** Output audio chunks of 80 ms. */
    static final int CHUNK_SAMPLES = SpeechSynth.SAMPLE_RATE * 80 / 1000;
    /** Default pacing: bursts of 12 chunks (960 ms of audio) every 250 ms, about 4x real time. */
    static final int BURST_CHUNKS = 12;
    static final Duration BURST_INTERVAL = Duration.ofMillis(250);
    private static final String AUDIO_MIME = Blob.pcmMimeType(SpeechSynth.SAMPLE_RATE);
    private static final Pattern WORD = Pattern.compile("\\s*\\S+|\\s+$");

    private final Connection conn;
    private final Scheduler clock;
    /** Called when a streamed turn ended on its own (not interrupted). */
    private final Runnable onFinished;

    private LogicalSession ls;
    private boolean audioOut;
    private boolean outputTranscription;
    private boolean gemini3;

    private Turn turn;
    private Fault pacing;
    private boolean prematureTurnComplete;

    ReplyStreamer(Connection conn, Runnable onFinished) {
        this.conn = conn;
        this.clock = conn.clock();
        this.onFinished = onFinished;
    }

    /** The session's output settings, from its setup. */
    void configure(LogicalSession session, boolean audio, boolean transcribeOutput, boolean gemini3Live) {
        this.ls = session;
        this.audioOut = audio;
        this.outputTranscription = transcribeOutput;
        this.gemini3 = gemini3Live;
    }

    /** The turn in progress, or null when the model is idle. */
    Turn current() {
        return turn;
    }

    /** Starts a new turn (the model is busy from now on). */
    Turn begin() {
        turn = new Turn();
        return turn;
    }

    void applyFault(Fault f) {
        switch (f) {
            case Fault.SlowAudio s -> pacing = s;
            case Fault.BurstyAudio b -> pacing = b;
            case Fault.PrematureTurnComplete p -> {
                if (turn != null && turn.timer != null && !turn.prematureSent) {
                    turn.prematureSent = true;
                    conn.send(ServerFrame.of(ServerContent.turnCompleted()));
                } else {
                    prematureTurnComplete = true;
                }
            }
            default -> throw new IllegalArgumentException("Not a streaming fault: " + f);
        }
    }

    /** Plans and starts streaming {@code text} as the rest of turn {@code t}. */
    void stream(Turn t, String text) {
        List<Turn.Planned> plan = audioOut ? planAudio(text) : planText(text);
        int[] prompt = ls.promptTokens();
        int respTokens = audioOut ? (int) Math.round(text.length() * 0.07 * 32) : tokens(text.length());
        t.responseTokens = respTokens;
        ServerFrame done = ServerFrame.of(ServerContent.turnCompleted(), usage(prompt, respTokens));
        Turn.Planned lastPlanned = plan.getLast();
        List<Turn.Planned> full = new ArrayList<>(plan.size() + 2);
        full.addAll(plan.subList(0, plan.size() - 1));
        full.add(new Turn.Planned(lastPlanned.offsetNanos(), done, "", true));
        if (prematureTurnComplete) {
            prematureTurnComplete = false;
            t.prematureSent = true;
            int first = 0;
            while (first < full.size() - 1 && !(full.get(first).frame() != null
                    && full.get(first).frame().message() instanceof ServerContent sc && sc.modelTurn() != null)) {
                first++;
            }
            full.add(first + 1, new Turn.Planned(full.get(first).offsetNanos(), ServerFrame.of(ServerContent.turnCompleted()), "", false));
        }
        t.plan = full;
        t.next = 0;
        t.start = clock.now();
        pump(t);
    }

    /** Text chunks (split by words, at least 3 when there are 3 words) then generationComplete, then turnComplete. */
    private List<Turn.Planned> planText(String text) {
        List<String> chunks = textChunks(text);
        long delay = conn.core().config().textChunkDelay().toNanos();
        List<Turn.Planned> plan = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            plan.add(new Turn.Planned(i * delay, ServerFrame.of(ServerContent.modelTurn(new Content(List.of(Part.ofText(chunks.get(i))), null))),
                    chunks.get(i), false));
        }
        long end = Math.max(0, chunks.size() - 1) * delay;
        plan.add(new Turn.Planned(end, ServerFrame.of(ServerContent.generationCompleted()), "", false));
        plan.add(new Turn.Planned(end, null, "", true)); // placeholder for turnComplete
        return plan;
    }

    /** Speech chunks paced per the active fault (default: ~4x real time in bursts), transcription alongside. */
    private List<Turn.Planned> planAudio(String text) {
        SpeechSynth.Rendered r = SpeechSynth.render(text);
        int chunks = Math.max(1, (r.samples() + CHUNK_SAMPLES - 1) / CHUNK_SAMPLES);
        long chunkNanos = Duration.ofMillis(80).toNanos();
        List<Turn.Planned> plan = new ArrayList<>();
        int seg = 0;
        long lastOffset = 0;
        for (int i = 0; i < chunks; i++) {
            long offset = switch (pacing) {
                case Fault.SlowAudio s -> (long) (i * chunkNanos / s.realtimeFactor());
                case Fault.BurstyAudio b -> (i / b.chunksPerBurst()) * b.gap().toNanos();
                case null, default -> (i / BURST_CHUNKS) * BURST_INTERVAL.toNanos();
            };
            lastOffset = offset;
            int from = i * CHUNK_SAMPLES;
            int to = Math.min(r.samples(), from + CHUNK_SAMPLES);
            // Transcript of the words that start in this chunk, just before its audio; it also feeds history.
            StringBuilder words = new StringBuilder();
            while (seg < r.segments().size() && (r.segments().get(seg).startSample() < to || i == chunks - 1)) {
                words.append(r.segments().get(seg++).text());
            }
            byte[] pcm = Arrays.copyOfRange(r.pcm(), from * 2, to * 2);
            Content audioPart = new Content(List.of(Part.ofInlineData(AUDIO_MIME, pcm)), null);
            Transcription tr = words.isEmpty() || !outputTranscription ? null : new Transcription(words.toString(), false);
            if (gemini3) {
                // Gemini 3.1: "a single server event can contain multiple content parts simultaneously (e.g. audio
                // and transcript)" [docs live-guide]: the chunk and the words that start in it share one event.
                plan.add(new Turn.Planned(offset, ServerFrame.of(new ServerContent(audioPart, false, false, false, null, null, tr,
                        null, false, null)), words.toString(), false));
                continue;
            }
            if (!words.isEmpty()) {
                plan.add(new Turn.Planned(offset, tr == null ? null : ServerFrame.of(ServerContent.outputTranscription(tr)),
                        words.toString(), false));
            }
            plan.add(new Turn.Planned(offset, ServerFrame.of(ServerContent.modelTurn(audioPart)), "", false));
        }
        plan.add(new Turn.Planned(lastOffset, ServerFrame.of(ServerContent.generationCompleted()), "", false));
        // The turn stays open (interruptible) while the client plays the audio back.
        long end = Math.max(lastOffset, (long) (r.seconds() * 1e9));
        plan.add(new Turn.Planned(end, null, "", true));
        return plan;
    }

    /** Sends every planned frame that is due, then schedules the next one. */
    private void pump(Turn t) {
        if (turn != t) {
            return;
        }
        t.timer = null;
        long elapsed = Duration.between(t.start, clock.now()).toNanos();
        while (t.next < t.plan.size() && t.plan.get(t.next).offsetNanos() <= elapsed) {
            Turn.Planned p = t.plan.get(t.next++);
            if (p.frame() != null) {
                conn.send(p.frame());
            }
            t.sent.append(p.text());
            if (p.last()) {
                recordModelTurn(t);
                turn = null;
                onFinished.run();
                return;
            }
        }
        if (t.next < t.plan.size()) {
            long wait = t.plan.get(t.next).offsetNanos() - elapsed;
            t.timer = clock.schedule(Duration.ofNanos(wait), () -> conn.runLocked(() -> pump(t)));
        }
    }

    /** Barge-in, first half: stops the turn's output and sends {@code interrupted}. */
    void cutOff(Turn t) {
        if (t.timer != null) {
            t.timer.cancel();
            t.timer = null;
        }
        conn.send(ServerFrame.of(ServerContent.interruptedSignal()));
    }

    /** Barge-in, second half: {@code turnComplete} with usage of what was sent; that much goes into history. */
    void endInterrupted(Turn t) {
        int sentTokens = audioOut ? (int) Math.round(t.sent.length() * 0.07 * 32) : tokens(t.sent.length());
        conn.send(ServerFrame.of(ServerContent.turnCompleted(), usage(ls.promptTokens(), sentTokens)));
        recordModelTurn(t);
        turn = null;
    }

    /** The connection closed: what was sent of the current turn goes into history. */
    void onClosed() {
        if (turn != null) {
            if (turn.timer != null) {
                turn.timer.cancel();
            }
            recordModelTurn(turn);
            turn = null;
        }
    }

    private void recordModelTurn(Turn t) {
        if (!t.sent.isEmpty()) {
            String text = t.sent.toString();
            ls.addOtherTurn(Content.text("model", text), text.length());
        }
    }

    private UsageMetadata usage(int[] prompt, int response) {
        List<UsageMetadata.ModalityTokenCount> pd = new ArrayList<>();
        if (prompt[0] > 0 || prompt[1] == 0) {
            pd.add(new UsageMetadata.ModalityTokenCount(UsageMetadata.Modality.TEXT, prompt[0]));
        }
        if (prompt[1] > 0) {
            pd.add(new UsageMetadata.ModalityTokenCount(UsageMetadata.Modality.AUDIO, prompt[1]));
        }
        int p = prompt[0] + prompt[1];
        List<UsageMetadata.ModalityTokenCount> rd = List.of(new UsageMetadata.ModalityTokenCount(
                audioOut ? UsageMetadata.Modality.AUDIO : UsageMetadata.Modality.TEXT, response));
        return new UsageMetadata(p, 0, response, 0, 0, p + response, pd, null, rd, null);
    }

    static int tokens(int chars) {
        return Math.max(1, (int) Math.ceil(chars / 4.0));
    }

    /** Splits on word boundaries (whitespace stays with the following word) into at least 3 chunks when possible. */
    static List<String> textChunks(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        if (words.isEmpty()) {
            return List.of(text);
        }
        int n = Math.min(words.size(), Math.max(3, (int) Math.ceil(words.size() / 4.0)));
        List<String> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            int from = j * words.size() / n;
            int to = (j + 1) * words.size() / n;
            out.add(String.join("", words.subList(from, to)));
        }
        return out;
    }
}
