package dev.habla.emulator.internal;

import dev.habla.protocol.Content;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state a conversation keeps across resumptions: its context (the turns, with their token counts, that the model
 * still sees), received audio, the session time used so far and whether the service has ended it. Shared by the
 * connections that resume it, so every member is guarded by {@code lock}.
 *
 * <p>Token accounting: text ≈ ceil(chars / 4), audio 32 tokens per second of utterance; the system instruction of the
 * newest connection's setup counts as text and is never dropped. Received audio is kept up to a cap (the newest
 * bytes, {@link AudioRecord}). With a sliding window ({@link #compression}), once the
 * context exceeds {@code triggerTokens} the oldest turns are dropped until it fits {@code targetTokens}, the kept window
 * always starting at a user turn (proto {@code ContextWindowCompressionConfig}).
 */
public final class LogicalSession {
    /** Sliding-window compression in effect: both bounds in tokens. */
    record Compression(long triggerTokens, long targetTokens) {}

    /**
     * One turn of the context. {@code userText} is non-null for user turns (text or {@code [speech 1.24s]}); only those
     * start a window. {@code chars} / {@code audioSeconds} are what the turn costs.
     */
    private record Entry(Content content, String userText, long chars, double audioSeconds) {}

    private final String id;
    private final String modelId;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Entry> context = new ArrayList<>();
    /** The newest received audio, at most {@code audio.capacity()} bytes. */
    private final AudioRecord audio;
    /** Sums over {@code context}. */
    private long textChars;
    private double promptAudioSeconds;
    private long systemChars;
    private Compression compression;
    private int droppedTurns;
    /** Session time used while no connection was open; see {@link #usedTime(Instant)}. */
    private Duration usedTime = Duration.ZERO;
    private int openConnections;
    private Instant activeSince;
    private boolean sawAudio;
    private boolean sawVideo;
    private boolean ended;

    public LogicalSession(String id, String modelId, long maxRecordedAudioBytes) {
        this.id = id;
        this.modelId = modelId;
        this.audio = new AudioRecord(maxRecordedAudioBytes);
    }

    public String id() {
        return id;
    }

    public String modelId() {
        return modelId;
    }

    /** The newest connection's setup: its system instruction size and compression (null = none). */
    void configure(long systemInstructionChars, Compression c) {
        lock.lock();
        try {
            systemChars = systemInstructionChars;
            compression = c;
            compactLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Appends a user turn: {@code text} for history, {@code content} for the conversation. */
    public void addUserTurn(String text, Content content, double audioSeconds) {
        lock.lock();
        try {
            context.add(audioSeconds > 0 ? new Entry(content, text, 0, audioSeconds) : new Entry(content, text, text.length(), 0));
            textChars += audioSeconds > 0 ? 0 : text.length();
            promptAudioSeconds += Math.max(0, audioSeconds);
            compactLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Appends a turn that is not a user text turn (model turns, prefilled model history, tool traffic). */
    public void addOtherTurn(Content content, long chars) {
        lock.lock();
        try {
            context.add(new Entry(content, null, chars, 0));
            textChars += chars;
            compactLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds {@code lock}. Drops the oldest turns down to the target, cutting at a user turn start. */
    private void compactLocked() {
        Compression c = compression;
        if (c == null || tokens(textChars + systemChars, promptAudioSeconds) <= c.triggerTokens()) {
            return;
        }
        long chars = textChars;
        double secs = promptAudioSeconds;
        int cut = 0;
        for (int k = 1; k < context.size(); k++) {
            Entry before = context.get(k - 1);
            chars -= before.chars();
            secs -= before.audioSeconds();
            if (context.get(k).userText() != null) {
                cut = k;
                if (tokens(chars + systemChars, secs) <= c.targetTokens()) {
                    break;
                }
            }
        }
        // No user turn to cut at (one long turn): nothing can be dropped without breaking the window rule.
        for (int k = 0; k < cut; k++) {
            Entry e = context.removeFirst();
            textChars -= e.chars();
            promptAudioSeconds -= e.audioSeconds();
        }
        if (promptAudioSeconds < 1e-9) {
            promptAudioSeconds = 0; // no drift from subtracting doubles
        }
        droppedTurns += cut;
    }

    private static long tokens(long chars, double audioSeconds) {
        return (long) Math.ceil(chars / 4.0) + Math.round(audioSeconds * 32);
    }

    public void appendAudio(byte[] pcm) {
        lock.lock();
        try {
            audio.append(pcm);
        } finally {
            lock.unlock();
        }
    }

    /** User turns still in the context, in order. */
    public List<String> userTurns() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Entry e : context) {
                if (e.userText() != null) {
                    out.add(e.userText());
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Every turn still in the context, in order. */
    public List<Content> conversation() {
        lock.lock();
        try {
            List<Content> out = new ArrayList<>(context.size());
            for (Entry e : context) {
                out.add(e.content());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** How many turns compression has dropped so far. */
    public int droppedTurns() {
        lock.lock();
        try {
            return droppedTurns;
        } finally {
            lock.unlock();
        }
    }

    public byte[] receivedAudio() {
        lock.lock();
        try {
            return audio.toArray();
        } finally {
            lock.unlock();
        }
    }

    /** Prompt tokens by modality: {@code [text, audio]} (text incl. the system instruction ≈ chars/4, audio 32/s). */
    public int[] promptTokens() {
        lock.lock();
        try {
            return new int[] {(int) Math.ceil((textChars + systemChars) / 4.0), (int) Math.round(promptAudioSeconds * 32)};
        } finally {
            lock.unlock();
        }
    }

    // ---- session time (limits without compression) ----

    /** Records input media; returns true when this is the first audio (or first video) of the session. */
    boolean noteMedia(boolean video) {
        lock.lock();
        try {
            boolean first = video ? !sawVideo : !sawAudio;
            if (video) {
                sawVideo = true;
            } else {
                sawAudio = true;
            }
            return first;
        } finally {
            lock.unlock();
        }
    }

    boolean sawAudio() {
        lock.lock();
        try {
            return sawAudio;
        } finally {
            lock.unlock();
        }
    }

    boolean sawVideo() {
        lock.lock();
        try {
            return sawVideo;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Session time used at {@code now}: the time during which at least one connection of this session was set up
     * (overlapping connections during a handover count once).
     */
    Duration usedTime(Instant now) {
        lock.lock();
        try {
            return openConnections > 0 ? usedTime.plus(Duration.between(activeSince, now)) : usedTime;
        } finally {
            lock.unlock();
        }
    }

    /** A connection of this session was set up at {@code now}. */
    void connectionStarted(Instant now) {
        lock.lock();
        try {
            if (openConnections++ == 0) {
                activeSince = now;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A connection that {@link #connectionStarted} ended at {@code now}; true when none is left (the session is idle). */
    boolean connectionEnded(Instant now) {
        lock.lock();
        try {
            if (--openConnections == 0) {
                usedTime = usedTime.plus(Duration.between(activeSince, now));
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the recorded audio (an idle session the emulator no longer keeps it for); history stays. */
    void releaseAudio() {
        lock.lock();
        try {
            audio.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of received audio held now (at most the cap). */
    int recordedAudioBytes() {
        lock.lock();
        try {
            return audio.size();
        } finally {
            lock.unlock();
        }
    }

    /** The service ended the session (limit reached): its handles no longer resume. */
    void end() {
        lock.lock();
        try {
            ended = true;
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }
}
