package dev.habla.knowledge.live.internal;

import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import java.util.List;

/**
 * How passages reach the model with the user's typed words, per model family: the one place that decides it.
 * <ul>
 *   <li>Models that take {@code clientContent} mid-session (half-cascade, 2.5 native audio): one user turn of two
 *       parts, the knowledge block then the question, {@code turnComplete:true}. The passages arrive with the question:
 *       no second round trip.</li>
 *   <li>Gemini 3.x Live, which closes the session on mid-session {@code clientContent} (1007): the block and the
 *       question as one {@code realtimeInput.text}.</li>
 * </ul>
 * Speech cannot carry text in front of it; spoken questions get passages through the knowledge-search tool (the model
 * calls it with the query in the documents' language).
 */
public final class Delivery {
    private Delivery() {}

    /** Sends {@code block} (may be empty) and {@code question} as one user turn the model answers. */
    public static SendResult send(LiveSession session, String block, String question) {
        if (block.isEmpty()) {
            return session.sendText(question);
        }
        if (session.capabilities().clientContentMidSession()) {
            return session.sendClientContent(List.of(new Content(List.of(Part.ofText(block), Part.ofText(question)), "user")), true);
        }
        return session.sendRealtimeText(block + question);
    }
}
