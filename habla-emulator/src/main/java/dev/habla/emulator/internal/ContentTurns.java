package dev.habla.emulator.internal;

import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code clientContent} turns into one connection's conversation: the Gemini 3.x initial-history phase, and the user
 * text and tool results that wait for {@code turnComplete:true}.
 *
 * <p>Owned by the connection's {@link Brain}: called only with the connection's lock held, so it needs no guarding.
 */
final class ContentTurns {
    private final List<String> pendingUserText = new ArrayList<>();
    /** Tool results that arrived as clientContent parts, answered like a toolResponse at the next turnComplete. */
    private final List<FunctionResponse> pendingToolResults = new ArrayList<>();
    /** Gemini 3.x Live with historyConfig.initialHistoryInClientContent: clientContent still seeds history. */
    private boolean initialHistoryOpen;

    void configure(boolean initialHistoryOpen) {
        this.initialHistoryOpen = initialHistoryOpen;
    }

    /** Realtime input (or a tool response / context update) starts the realtime conversation. */
    void realtimeStarted() {
        // The initial history phase of Gemini 3.x Live is over (our choice; the doc only says "until turnComplete:true").
        initialHistoryOpen = false;
    }

    /**
     * Gemini 3.x Live: clientContent only seeds the initial history (historyConfig), consumed without generating until
     * turnComplete:true; any other use closes 1007 [docs live-guide; livekit/agents #5251].
     *
     * @return false when clientContent is not accepted now (the caller closes the connection)
     */
    boolean seedHistory(LogicalSession ls, List<Content> turns, boolean turnComplete) {
        if (!initialHistoryOpen) {
            return false;
        }
        for (Content t : turns) {
            String text = Parts.textOf(t);
            if ((t.role() == null || "user".equals(t.role())) && Parts.functionResults(t).isEmpty()) {
                ls.addUserTurn(text, t, 0);
            } else {
                ls.addOtherTurn(t, text.length());
            }
        }
        if (turnComplete) {
            initialHistoryOpen = false;
        }
        return true;
    }

    /** Adds the turns to the conversation; their user text and tool results wait for {@link #complete()}. */
    void add(LogicalSession ls, List<Content> turns) {
        for (Content t : turns) {
            String text = Parts.textOf(t);
            List<FunctionResponse> results = Parts.functionResults(t);
            if (!results.isEmpty() && text.isEmpty()) {
                // Tool results as content (a client re-delivering them after a reconnect): context, not user text.
                ls.addOtherTurn(t, String.join("; ", results.stream().map(DeterministicReplies::quote).toList()).length());
                pendingToolResults.addAll(results);
            } else if (t.role() == null || "user".equals(t.role())) {
                ls.addUserTurn(text, t, 0);
                if (!text.isEmpty()) {
                    pendingUserText.add(text);   // an image-only part of the turn adds no words
                }
            } else {
                ls.addOtherTurn(t, text.length());
            }
        }
    }

    /** At turnComplete: the user text and tool results gathered since the last one, taken once. */
    Completed complete() {
        String text = String.join(" ", pendingUserText);
        List<FunctionResponse> results = List.copyOf(pendingToolResults);
        pendingUserText.clear();
        pendingToolResults.clear();
        return new Completed(text, results);
    }

    record Completed(String text, List<FunctionResponse> results) {}
}
