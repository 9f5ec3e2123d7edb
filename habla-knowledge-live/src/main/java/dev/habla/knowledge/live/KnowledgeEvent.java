package dev.habla.knowledge.live;

import dev.habla.knowledge.Verdict;
import java.time.Duration;
import java.util.List;

/**
 * What {@link Knowledge} did for the conversation, for the application to show: the sources a turn was given, and
 * questions it declined. Delivered to the consumer given to {@link Knowledge.Builder#events}, on the thread that did
 * the work (the caller of {@link Knowledge#send}, a tool-runner thread, or a {@code habla-knowledge} virtual thread).
 */
public sealed interface KnowledgeEvent {

    /** Where a search's words came from. */
    enum Origin {
        /** Typed text, searched before it was sent (the passages went with it). */
        TYPED,
        /** The user's speech, searched on its input transcription as it arrived. */
        TRANSCRIPT,
        /** The model called the knowledge-search tool (its query, in the documents' language). */
        TOOL
    }

    /**
     * A search ran.
     *
     * @param origin  where its words came from
     * @param query   what was searched
     * @param verdict the domain policy's verdict
     * @param sources the passages found, best first (what the model was given, unless declined)
     * @param took    search time (embedding + search + judging): what retrieval adds before the model can answer
     */
    record Retrieved(Origin origin, String query, Verdict verdict, List<Source> sources, Duration took) implements KnowledgeEvent {
        public Retrieved {
            sources = List.copyOf(sources);
        }
    }

    /**
     * A question was declined as outside the domain.
     *
     * @param query         the question
     * @param sentence      the policy's decline sentence
     * @param byModel       true: the model was asked to say the sentence (a spoken answer); false: nothing was sent and
     *                      the application shows the sentence itself
     */
    record Declined(String query, String sentence, boolean byModel) implements KnowledgeEvent {}
}
