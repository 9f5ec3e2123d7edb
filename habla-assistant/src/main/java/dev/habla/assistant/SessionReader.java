package dev.habla.assistant;

import dev.habla.assistant.AssistantEvent.Trigger;
import dev.habla.client.LiveEvent;
import dev.habla.client.ResilientSession;
import dev.habla.time.Scheduler;
import dev.habla.voice.PlaybackBuffer;
import dev.habla.voice.Resampler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VoiceLoop}'s session listener, run on the client's reader thread: it opens and ends server turns (one
 * playback epoch each), puts model audio into the playback buffer and transcription into the transcript, silences the
 * speaker directly on {@code interrupted} ({@link Speaker#silence}), and passes connection and terminal events on.
 * A turn that a lost connection cut short ends its epoch normally and is marked in the transcript.
 */
final class SessionReader {

    /** Logged under the loop's name, as all of the loop's own story. */
    private static final Logger log = LoggerFactory.getLogger(VoiceLoop.class);

    private final VoiceLoop loop;
    private final ConversationState state;
    private final Speaker speaker;
    private final PlaybackBuffer buffer;
    private final Transcript transcript;
    private final VoiceMetrics metrics;
    private final Scheduler clock;
    private final String id;

    // ---- session reader state (written only by the reader thread; read by others where volatile) ----

    /** Clock time when the latest server turn started (reader writes; the mic pump reads). */
    private volatile long lastTurnStartNanos = Long.MIN_VALUE;
    /** Reader only: epoch of the last turn. */
    private long lastTurnEpoch = -1;
    /** Reader only: converts model audio that is not 24 kHz (never seen from Gemini, but allowed by the protocol). */
    private Resampler modelResampler;
    private int modelResamplerRate;

    /** One server turn: its epoch and how much audio the server sent for it. Reader-thread state. */
    static final class Turn {
        final long epoch;
        long serverBytes;
        /** The server said the model finished generating ({@code generationComplete}). */
        boolean generationComplete;
        /** The server cut the turn ({@code interrupted}). */
        boolean interrupted;

        Turn(long epoch) {
            this.epoch = epoch;
        }
    }

    SessionReader(VoiceLoop loop, ConversationState state, Speaker speaker, PlaybackBuffer buffer,
                  Transcript transcript, VoiceMetrics metrics, Scheduler clock, String id) {
        this.loop = loop;
        this.state = state;
        this.speaker = speaker;
        this.buffer = buffer;
        this.transcript = transcript;
        this.metrics = metrics;
        this.clock = clock;
        this.id = id;
    }

    /** Clock time when the latest server turn started, {@code Long.MIN_VALUE} before the first (any thread). */
    long lastTurnStartNanos() {
        return lastTurnStartNanos;
    }

    void onSessionEvent(LiveEvent event) {
        long now = clock.nanoTime();
        switch (event) {
            case LiveEvent.SetupCompleted s -> loop.emit(new AssistantEvent.Connected(s.sessionId()));
            case LiveEvent.AudioChunk a -> onAudio(a);
            case LiveEvent.OutputTranscription t -> {
                Turn tr = openTurn();
                transcript.assistantText(tr.epoch, t.text(), tr.serverBytes);
                loop.emit(new AssistantEvent.AssistantText(tr.epoch, t.text(), true));
            }
            case LiveEvent.TextDelta t -> {
                if (!t.thought()) {
                    Turn tr = openTurn();
                    transcript.assistantText(tr.epoch, t.text(), tr.serverBytes);
                    loop.emit(new AssistantEvent.AssistantText(tr.epoch, t.text(), false));
                }
            }
            case LiveEvent.InputTranscription t -> {
                transcript.userSpeech(t.text(), t.finished());
                loop.emit(new AssistantEvent.UserText(t.text(), t.finished(), false));
            }
            // The cut turn ends at the turnComplete that follows; audio in between is its late audio (stale epoch).
            case LiveEvent.Interrupted i -> {
                Turn tr = state.turn();
                if (tr != null) {
                    tr.interrupted = true;
                }
                speaker.silence(Trigger.SERVER_INTERRUPTED, now, now);
            }
            case LiveEvent.GenerationComplete g -> {
                Turn tr = state.turn();
                if (tr != null) {
                    tr.generationComplete = true;
                    buffer.endOfTurn(tr.epoch);
                }
            }
            case LiveEvent.TurnComplete tc -> endTurn(cutByConnectionLoss(tc));
            case LiveEvent.ConnectionEvent c -> {
                log.debug("voice loop {}: {}", id, c);
                loop.emit(new AssistantEvent.Connection(c));
                state.signal();   // the idle wait depends on the phase
            }
            case LiveEvent.Closed c -> {
                state.closed(c);
                loop.emit(new AssistantEvent.Closed(c));
            }
            default -> loop.emit(new AssistantEvent.Session(event));
        }
    }

    private void onAudio(LiveEvent.AudioChunk a) {
        Turn tr = openTurn();
        byte[] pcm = a.pcm();
        if (a.sampleRate() != VoiceLoop.MODEL_FORMAT.sampleRate() && a.sampleRate() > 0) {
            if (modelResampler == null || modelResamplerRate != a.sampleRate()) {
                modelResampler = Resampler.create(a.sampleRate(), VoiceLoop.MODEL_FORMAT.sampleRate());
                modelResamplerRate = a.sampleRate();
            }
            pcm = modelResampler.process(pcm);
        }
        if ((pcm.length & 1) != 0) {
            pcm = java.util.Arrays.copyOf(pcm, pcm.length - 1);   // a malformed odd chunk: drop the half sample
        }
        tr.serverBytes += pcm.length;
        transcript.assistantAudio(tr.epoch, pcm.length);
        PlaybackBuffer.OfferResult r = buffer.offer(pcm, tr.epoch);
        if (r == PlaybackBuffer.OfferResult.STALE_EPOCH) {
            metrics.staleBytesDropped.addAndGet(pcm.length);
        }
    }

    /**
     * Reader: whether this {@code turnComplete} is the one a resilient session makes up when the connection carrying
     * the turn ended (no usage, no reason) for a turn that neither finished generating nor was interrupted. A server
     * never ends an audio or text turn that way.
     */
    private boolean cutByConnectionLoss(LiveEvent.TurnComplete tc) {
        Turn tr = state.turn();
        ResilientSession resilient = loop.resilientSession();
        return resilient != null && tr != null && tc.usage() == null && tc.reason() == null
                && !tr.generationComplete && !tr.interrupted;
    }

    /** Reader: the current turn, opening a new one (new epoch) if none is in progress. */
    private Turn openTurn() {
        Turn tr = state.turn();
        if (tr == null) {
            // A newer epoch than any before, and than any flush made (a local barge-in between turns bumps it).
            long epoch = Math.max(lastTurnEpoch + 1, buffer.epoch());
            lastTurnEpoch = epoch;
            tr = new Turn(epoch);
            lastTurnStartNanos = clock.nanoTime();
            state.turnOpened(tr);
        }
        return tr;
    }

    /**
     * Reader: the server turn is over ({@code turnComplete}, also after {@code interrupted}). A turn cut by a lost
     * connection ends the same way for playback: what arrived plays out (flushing it would cut a word in the middle
     * and tell the user less than the transcript does); only the entry is marked.
     */
    private void endTurn(boolean connectionLost) {
        Turn tr = state.turn();
        if (tr == null) {
            return;
        }
        buffer.endOfTurn(tr.epoch);
        if (connectionLost) {
            metrics.connectionLostTurns.incrementAndGet();
            log.debug("voice loop {}: turn {} cut off by a lost connection after {} bytes", id, tr.epoch, tr.serverBytes);
        }
        Transcript.Entry entry = transcript.complete(tr.epoch, connectionLost);
        state.turnEnded();
        loop.emit(new AssistantEvent.TurnEnded(entry));
    }
}
