package dev.habla.client.internal;

import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.RealtimeCodec;
import java.util.List;

/**
 * The latest assistant audio item of an OpenAI connection and what became of it: bytes received, the position the
 * player reported, whether the user cut it, whether it was truncated. Decides when {@code conversation.item.truncate}
 * goes out: once the cut answer's response is over and a played position is known, at the first playback report
 * after that (the player's final position: it stops on {@code Interrupted}), or, if none comes (the player had
 * stopped already, on its own VAD), with the last position reported once the conversation moves on (the user's speech
 * stops, a turn is added, the next answer starts). Not at once: a listener behind an asynchronous hand-off (a
 * resilient session, a voice loop) may not have reported its final position yet. Nothing is sent if nobody reported playback (the history stays as generated) or if
 * everything was heard.
 *
 * <p>Not thread-safe: guarded by its {@link OpenAiConnection}'s lock.
 */
final class OpenAiPlayback {
    private String item;
    private long bytes;
    private long playedMs = -1;
    private boolean cut;
    private boolean truncated;
    private long dueAtFrame = -1;

    /** Audio of {@code itemId} arrived; a new item starts a new answer. */
    void audio(String itemId, int length) {
        if (!itemId.equals(item)) {
            item = itemId;
            bytes = 0;
            playedMs = -1;
            cut = false;
            truncated = false;
            dueAtFrame = -1;
        }
        bytes += length;
    }

    /** The item's audio is still playing: a position was reported and it is short of what arrived. */
    boolean stillPlaying() {
        return item != null && !truncated && !cut && playedMs >= 0 && playedMs < audioMs();
    }

    /** The user cut the current item (if there is one). */
    void cut() {
        cut = item != null;
    }

    /** A playback report; false if there is nothing it could be about (no item, or truncated already). */
    boolean report(long ms) {
        if (item == null || truncated) {
            return false;
        }
        playedMs = ms;
        return true;
    }

    /**
     * The truncate to send now, if due.
     *
     * @param fromReport      called for a playback report (else after a decoded frame)
     * @param responseRunning the connection's response is still running (the service has not finalised the item)
     * @param frames          frames decoded so far
     * @param movedOnAt       the last frame after which the conversation had moved on (speech stopped, a turn
     *                        added, a new answer created)
     */
    List<String> truncateIfDue(boolean fromReport, boolean responseRunning, long frames, long movedOnAt) {
        if (!cut || truncated || responseRunning || item == null) {
            return List.of();
        }
        if (dueAtFrame < 0) {
            dueAtFrame = frames;
        }
        if (playedMs < 0 || !fromReport && movedOnAt <= dueAtFrame) {
            return List.of();
        }
        truncated = true;
        long end = Math.min(playedMs, audioMs());
        if (end >= audioMs()) {
            return List.of(); // everything was heard: the history is right as it is
        }
        return List.of(RealtimeCodec.encode(new ClientEvent.ConversationItemTruncate(null, item, 0, end)));
    }

    private long audioMs() {
        return bytes / 2 * 1000 / OpenAiProvider.RATE;
    }
}
