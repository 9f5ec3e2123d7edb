package dev.habla.assistant;

import dev.habla.audio.AudioFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The conversation as it happened, keeping what the user actually <i>heard</i> apart from what the model
 * <i>generated</i>.
 *
 * <p>The Live API has no way to truncate the model's turn to what was played, so after a barge-in the model's own
 * history holds the whole answer while the user heard only its start. Each assistant entry therefore carries both:
 * {@link Entry#generated()} (all text the model produced for the turn) and {@link Entry#heard()} (the text whose audio
 * started before playback was cut). Words are aligned to audio time by when their output transcription arrived: a
 * transcription piece that arrives after {@code n} bytes of the turn's audio is taken to start at
 * {@code n / (2 × 24000)} seconds into it; the cut is the playback cursor of the turn minus what was still ahead in
 * the device.
 *
 * <p>Thread-safety: the loop updates it from several threads; a lock guards all state; {@link #entries()} returns
 * immutable snapshots.
 */
public final class Transcript {

    /** Who spoke. */
    public enum Role { USER, ASSISTANT }

    /**
     * One turn.
     *
     * @param id             position in the conversation (0, 1, ...)
     * @param role           who spoke
     * @param epoch          the assistant turn's playback epoch (-1 for user entries)
     * @param typed          user entries: typed text rather than speech
     * @param generated      everything the model generated for the turn (user entries: the transcription or text)
     * @param heard          what the user heard: {@code generated} cut at the playback position (equal to
     *                       {@code generated} for turns that were not cut, and for user entries)
     * @param generatedAudio audio the server sent for the turn
     * @param heardAudio     audio of the turn the user heard ({@code generatedAudio} unless cut)
     * @param interrupted    whether playback of the turn was cut (by the server's {@code interrupted} or locally)
     * @param complete       whether the turn is over
     * @param connectionLost assistant entries: the turn ended because the connection carrying it was lost (a drop,
     *                       or a handover forced mid-turn by the goAway deadline); {@code generated} holds only what
     *                       arrived, which was all played; the model's answer is incomplete
     */
    public record Entry(int id, Role role, long epoch, boolean typed, String generated, String heard,
                        Duration generatedAudio, Duration heardAudio, boolean interrupted, boolean complete,
                        boolean connectionLost) {

        /** The text the model generated that the user did not hear (empty unless interrupted). */
        public String unheard() {
            return generated.startsWith(heard) ? generated.substring(heard.length()) : "";
        }

        @Override
        public String toString() {
            if (role == Role.USER) {
                return "user" + (typed ? " (typed)" : "") + ": " + generated;
            }
            return "assistant: " + (interrupted ? heard.strip() + " [interrupted; not heard: " + unheard().strip() + "]"
                    : generated.strip()) + (connectionLost ? " [cut off: connection lost]" : "");
        }
    }

    private static final AudioFormat MODEL_AUDIO = AudioFormat.PCM_24K_MONO;

    /** A piece of assistant text and the turn's audio position (bytes) when it arrived. */
    private record Piece(String text, long audioOffset) {}

    /** Mutable state of one entry; guarded by {@link #lock}. */
    private static final class Turn {
        final int id;
        final Role role;
        final long epoch;
        final boolean typed;
        final List<Piece> pieces = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        long audioBytes;
        long heardBytes = -1;   // -1: not cut
        boolean complete;
        boolean connectionLost;

        Turn(int id, Role role, long epoch, boolean typed) {
            this.id = id;
            this.role = role;
            this.epoch = epoch;
            this.typed = typed;
        }

        Entry snapshot() {
            String generated = text.toString();
            if (role == Role.USER) {
                Duration none = Duration.ZERO;
                return new Entry(id, role, -1, typed, generated, generated, none, none, false, complete, false);
            }
            if (heardBytes < 0) {
                Duration all = MODEL_AUDIO.durationOf(audioBytes);
                return new Entry(id, role, epoch, false, generated, generated, all, all, false, complete,
                        connectionLost);
            }
            StringBuilder heard = new StringBuilder();
            for (Piece p : pieces) {
                // A piece whose audio had started when playback stopped was (partly) heard.
                if (p.audioOffset() < heardBytes || (p.audioOffset() == 0 && heardBytes > 0)) {
                    heard.append(p.text());
                } else {
                    break;
                }
            }
            return new Entry(id, role, epoch, false, generated, heard.toString(), MODEL_AUDIO.durationOf(audioBytes),
                    MODEL_AUDIO.durationOf(Math.min(heardBytes, audioBytes)), true, complete, connectionLost);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: all entries in order. */
    private final List<Turn> turns = new ArrayList<>();
    /** Guarded by lock: assistant turns by epoch (bounded: only recent epochs are ever updated). */
    private final Map<Long, Turn> byEpoch = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Turn> eldest) {
            return size() > 64;
        }
    };
    /** Guarded by lock: the user speech entry still receiving transcription, or null. */
    private Turn openUser;

    Transcript() {
    }

    /** Snapshots of every entry, in order. */
    public List<Entry> entries() {
        lock.lock();
        try {
            return turns.stream().map(Turn::snapshot).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The assistant entries only. */
    public List<Entry> assistantEntries() {
        return entries().stream().filter(e -> e.role() == Role.ASSISTANT).toList();
    }

    /** The entry of an assistant turn, or null if unknown. */
    public Entry assistantTurn(long epoch) {
        lock.lock();
        try {
            Turn t = byEpoch.get(epoch);
            return t == null ? null : t.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** One line per entry ({@link Entry#toString()}). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries()) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    // ---- updates from the loop (package-private) ----

    /** A piece of input transcription: appended to the open user entry (a new one if none). */
    void userSpeech(String text, boolean finished) {
        lock.lock();
        try {
            if (openUser == null) {
                openUser = add(Role.USER, -1, false);
            }
            openUser.text.append(text);
            if (finished) {
                openUser.complete = true;
                openUser = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A typed user turn. */
    void userTyped(String text) {
        lock.lock();
        try {
            Turn t = add(Role.USER, -1, true);
            t.text.append(text);
            t.complete = true;
        } finally {
            lock.unlock();
        }
    }

    /** Assistant text (transcription or model text) for turn {@code epoch}, at audio position {@code audioOffset}. */
    void assistantText(long epoch, String text, long audioOffset) {
        lock.lock();
        try {
            Turn t = assistant(epoch);
            t.pieces.add(new Piece(text, audioOffset));
            t.text.append(text);
        } finally {
            lock.unlock();
        }
    }

    /** {@code bytes} more of the turn's audio (24 kHz PCM16) arrived from the server. */
    void assistantAudio(long epoch, long bytes) {
        lock.lock();
        try {
            assistant(epoch).audioBytes += bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Playback of turn {@code epoch} was cut after {@code heardBytes} of its audio; the first cut counts (a later
     * one cannot un-hear anything). Returns whether the turn exists.
     */
    boolean cut(long epoch, long heardBytes) {
        lock.lock();
        try {
            Turn t = byEpoch.get(epoch);
            if (t == null) {
                return false;
            }
            if (t.heardBytes < 0) {
                t.heardBytes = Math.max(0, heardBytes);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The assistant's turn is over; an open user entry is closed too (its transcription will not continue).
     * {@code connectionLost}: it ended because its connection was lost, not because the model finished.
     */
    Entry complete(long epoch, boolean connectionLost) {
        lock.lock();
        try {
            Turn t = assistant(epoch);
            t.complete = true;
            t.connectionLost |= connectionLost;
            if (openUser != null) {
                openUser.complete = true;
                openUser = null;
            }
            return t.snapshot();
        } finally {
            lock.unlock();
        }
    }

    private Turn assistant(long epoch) {
        Turn t = byEpoch.get(epoch);
        if (t == null) {
            t = add(Role.ASSISTANT, epoch, false);
            byEpoch.put(epoch, t);
        }
        return t;
    }

    private Turn add(Role role, long epoch, boolean typed) {
        Turn t = new Turn(turns.size(), role, epoch, typed);
        turns.add(t);
        return t;
    }
}
