package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.emulator.Fault;
import dev.habla.emulator.Reply;
import dev.habla.protocol.FunctionCall;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.Item;
import dev.habla.realtime.Response;
import dev.habla.realtime.ServerEvent.*;
import dev.habla.realtime.Usage;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One OpenAI Realtime response, from {@code response.created} to its one {@code response.done}: the brain's reply as
 * function-call items, or as an assistant message streamed as text deltas or as paced audio with its transcript (the
 * same speech and pacing as the Live emulator: 80 ms chunks in bursts of 12 every 250 ms). An audio response stays in
 * progress until its audio has had time to play (emulator clock), so a barge-in can cancel it; a cancelled one still
 * gets its closing {@code *.done} events, with what was sent.
 *
 * <p>Every method runs under the connection's lock; timers come back through {@link RealtimeConnection#runLocked}.
 */
final class RealtimeResponse {
    private static final int CHUNK_SAMPLES = SpeechSynth.SAMPLE_RATE * 80 / 1000;
    private static final int BURST_CHUNKS = 12;
    private static final Duration BURST_INTERVAL = Duration.ofMillis(250);

    private final RealtimeConnection conn;
    private final Scheduler clock;
    final String id;
    private final boolean audio;
    private final List<String> modalities;
    private final int inputTokens;

    private String itemId;
    private String previousItemId;
    private String text;
    /** Text (text mode) or transcript (audio mode) sent so far. */
    private final StringBuilder sent = new StringBuilder();
    private SpeechSynth.Rendered speech;
    private int nextChunk;
    private int nextSegment;
    private long firstChunkNanos = -1;
    private Scheduler.Cancellable timer;
    private boolean done;

    RealtimeResponse(RealtimeConnection conn, List<String> modalities, int inputTokens) {
        this.conn = conn;
        this.clock = conn.clock();
        this.id = conn.newId("resp_");
        this.modalities = modalities;
        this.audio = modalities.contains("audio");
        this.inputTokens = inputTokens;
    }

    boolean done() {
        return done;
    }

    /** The assistant item being streamed, or null (function calls, or not started). */
    String itemId() {
        return itemId;
    }

    void start(Reply reply) {
        conn.send(new ResponseCreated(conn.eventId(), response("in_progress", null, List.of(), null)));
        if (!reply.calls().isEmpty()) {
            calls(reply.calls());
            return;
        }
        text = reply.text();
        itemId = conn.newId("item_");
        Item.Message item = new Item.Message(itemId, "in_progress", "assistant", List.of());
        previousItemId = conn.conversation().add(item, null);
        conn.send(new ResponseOutputItemAdded(conn.eventId(), id, 0, item));
        conn.send(new ConversationItemAdded(conn.eventId(), previousItemId, item));
        conn.send(new ResponseContentPartAdded(conn.eventId(), id, itemId, 0, 0,
                audio ? ContentPart.audioPart("") : ContentPart.textPart("")));
        if (audio) {
            speech = SpeechSynth.render(text);
            conn.audioStarted(itemId, speech);
            burst();
        } else {
            textChunks();
        }
    }

    private void calls(List<FunctionCall> calls) {
        List<Item> output = new ArrayList<>();
        for (int k = 0; k < calls.size(); k++) {
            FunctionCall c = calls.get(k);
            String item = conn.newId("item_");
            String callId = conn.newId("call_");
            String args = c.args() == null ? "{}" : c.args().toString();
            Item.FunctionCall open = new Item.FunctionCall(item, "in_progress", callId, c.name(), "");
            String prev = conn.conversation().add(open, null);
            conn.send(new ResponseOutputItemAdded(conn.eventId(), id, k, open));
            conn.send(new ConversationItemAdded(conn.eventId(), prev, open));
            // Two deltas when there is something to split: clients must concatenate.
            int half = args.length() / 2;
            if (half > 0) {
                conn.send(new FunctionCallArgumentsDelta(conn.eventId(), id, item, k, callId, args.substring(0, half)));
            }
            conn.send(new FunctionCallArgumentsDelta(conn.eventId(), id, item, k, callId, args.substring(half)));
            conn.send(new FunctionCallArgumentsDone(conn.eventId(), id, item, k, callId, c.name(), args));
            Item.FunctionCall fin = new Item.FunctionCall(item, "completed", callId, c.name(), args);
            conn.conversation().replace(fin);
            conn.send(new ConversationItemDone(conn.eventId(), prev, fin));
            conn.send(new ResponseOutputItemDone(conn.eventId(), id, k, fin));
            output.add(fin);
        }
        end("completed", null, output, calls.stream().mapToInt(c -> tokens(c.name() + c.args())).sum());
    }

    /** Text mode: word deltas at once, or one per {@code textChunkDelay} when it is set (then interruptible). */
    private void textChunks() {
        Duration delay = conn.textChunkDelay();
        List<String> words = words(text);
        if (delay.isZero()) {
            for (String w : words) {
                textDelta(w);
            }
            complete();
            return;
        }
        nextSegment = 0;
        scheduleText(words, delay);
    }

    private void scheduleText(List<String> words, Duration delay) {
        if (nextSegment >= words.size()) {
            complete();
            return;
        }
        textDelta(words.get(nextSegment++));
        timer = clock.schedule(delay, () -> conn.runLocked(() -> {
            if (!done) {
                scheduleText(words, delay);
            }
        }));
    }

    private void textDelta(String w) {
        sent.append(w);
        conn.send(new ResponseOutputTextDelta(conn.eventId(), id, itemId, 0, 0, w));
    }

    /** Sends the next burst of audio chunks (with the words that start in them), then schedules the next. */
    private void burst() {
        int total = (speech.samples() + CHUNK_SAMPLES - 1) / CHUNK_SAMPLES;
        Fault pacing = conn.pacing();
        int perBurst = pacing instanceof Fault.BurstyAudio b ? b.chunksPerBurst() : pacing instanceof Fault.SlowAudio ? 1 : BURST_CHUNKS;
        if (firstChunkNanos < 0) {
            firstChunkNanos = clock.nanoTime();
        }
        for (int n = 0; n < perBurst && nextChunk < total; n++, nextChunk++) {
            int from = nextChunk * CHUNK_SAMPLES;
            int to = Math.min(speech.samples(), from + CHUNK_SAMPLES);
            while (nextSegment < speech.segments().size() && speech.segments().get(nextSegment).startSample() < to) {
                String piece = speech.segments().get(nextSegment++).text();
                sent.append(piece);
                conn.send(new ResponseOutputAudioTranscriptDelta(conn.eventId(), id, itemId, 0, 0, piece));
            }
            byte[] pcm = Arrays.copyOfRange(speech.pcm(), from * 2, to * 2);
            conn.send(new ResponseOutputAudioDelta(conn.eventId(), id, itemId, 0, 0, conn.outputAudio(pcm)));
            conn.audioSent(itemId, to);
        }
        if (nextChunk < total) {
            Duration gap = pacing instanceof Fault.BurstyAudio b ? b.gap()
                    : pacing instanceof Fault.SlowAudio s ? Duration.ofNanos((long) (80_000_000L / s.realtimeFactor()))
                    : BURST_INTERVAL;
            timer = clock.schedule(gap, () -> conn.runLocked(() -> {
                if (!done) {
                    burst();
                }
            }));
            return;
        }
        // Everything is out: the response ends when the audio has had time to play from its first chunk.
        long playNanos = speech.samples() * 1_000_000_000L / SpeechSynth.SAMPLE_RATE;
        long left = playNanos - (clock.nanoTime() - firstChunkNanos);
        if (left <= 0) {
            complete();
        } else {
            timer = clock.schedule(Duration.ofNanos(left), () -> conn.runLocked(() -> {
                if (!done) {
                    complete();
                }
            }));
        }
    }

    private void complete() {
        finishMessage("completed", null);
    }

    /** Cancels a response in progress: {@code turn_detected} (barge-in) or {@code client_cancelled}. */
    void cancel(String reason) {
        if (done) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        if (itemId == null) {
            end("cancelled", new Response.StatusDetails("cancelled", reason, null), List.of(), 0);
            return;
        }
        finishMessage("cancelled", new Response.StatusDetails("cancelled", reason, null));
    }

    private void finishMessage(String status, Response.StatusDetails details) {
        String out = sent.toString();
        if (audio) {
            conn.send(new ResponseOutputAudioDone(conn.eventId(), id, itemId, 0, 0));
            conn.send(new ResponseOutputAudioTranscriptDone(conn.eventId(), id, itemId, 0, 0, out));
            conn.send(new ResponseContentPartDone(conn.eventId(), id, itemId, 0, 0, ContentPart.audioPart(out)));
        } else {
            conn.send(new ResponseOutputTextDone(conn.eventId(), id, itemId, 0, 0, out));
            conn.send(new ResponseContentPartDone(conn.eventId(), id, itemId, 0, 0, ContentPart.textPart(out)));
        }
        Item.Message fin = new Item.Message(itemId, status.equals("completed") ? "completed" : "incomplete", "assistant",
                List.of(audio ? ContentPart.outputAudio(out) : ContentPart.outputText(out)));
        conn.conversation().replace(fin);
        conn.send(new ConversationItemDone(conn.eventId(), previousItemId, fin));
        conn.send(new ResponseOutputItemDone(conn.eventId(), id, 0, fin));
        end(status, details, List.of(fin), tokens(out));
    }

    private void end(String status, Response.StatusDetails details, List<Item> output, int outputTokens) {
        done = true;
        int audioTokens = audio && speech != null ? (int) Math.ceil(conn.audioSentSeconds(itemId) * 32) : 0;
        ObjectNode in = JsonNodeFactory.instance.objectNode();
        in.put("text_tokens", inputTokens).put("audio_tokens", 0).put("image_tokens", 0).put("cached_tokens", 0);
        ObjectNode outDetails = JsonNodeFactory.instance.objectNode();
        outDetails.put("text_tokens", outputTokens).put("audio_tokens", audioTokens);
        Usage usage = new Usage(inputTokens + outputTokens + audioTokens, inputTokens, outputTokens + audioTokens, in, outDetails);
        conn.send(new ResponseDone(conn.eventId(), response(status, details, output, usage)));
        conn.responseEnded(this, usage);
    }

    private Response response(String status, Response.StatusDetails details, List<Item> output, Usage usage) {
        return Response.of(id, status, details, output, conn.conversationId(), modalities, usage);
    }

    static int tokens(String s) {
        return s == null ? 0 : (s.length() + 3) / 4;
    }

    /** Word pieces (leading whitespace + word) that concatenate to {@code text}. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\\s*\\S+|\\s+$").matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        if (out.isEmpty()) {
            out.add(text);
        }
        return out;
    }
}
