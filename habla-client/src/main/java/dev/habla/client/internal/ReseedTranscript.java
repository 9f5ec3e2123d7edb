package dev.habla.client.internal;

import dev.habla.protocol.Content;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The text turns of a conversation (user and model), bounded by turns and characters, oldest dropped first: what a
 * new session is seeded with when the server refuses to resume. Not thread-safe: the owner guards it.
 */
final class ReseedTranscript {
    private final int maxTurns;
    private final int maxChars;
    private final ArrayDeque<Content> turns = new ArrayDeque<>();
    private long chars;

    ReseedTranscript(int maxTurns, int maxChars) {
        this.maxTurns = maxTurns;
        this.maxChars = maxChars;
    }

    void add(String role, String text) {
        if (text == null || text.isBlank() || maxTurns == 0) {
            return;
        }
        String t = text.length() > maxChars ? text.substring(text.length() - maxChars) : text;
        turns.addLast(Content.text(role, t));
        chars += t.length();
        while (turns.size() > maxTurns || chars > maxChars) {
            Content dropped = turns.pollFirst();
            chars -= dropped.parts().getFirst().text().length();
        }
    }

    List<Content> turns() {
        return List.copyOf(turns);
    }

    boolean isEmpty() {
        return turns.isEmpty();
    }
}
