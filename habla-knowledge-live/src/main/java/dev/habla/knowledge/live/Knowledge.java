package dev.habla.knowledge.live;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.SearchResult;
import dev.habla.knowledge.Verdict;
import dev.habla.knowledge.live.internal.Delivery;
import dev.habla.knowledge.live.internal.KnowledgeBlock;
import dev.habla.knowledge.live.internal.TranscriptSearch;
import dev.habla.tools.FunctionTool;
import dev.habla.tools.Param;
import dev.habla.tools.Tools;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Knowledge attached to a Live session: answers restricted to a domain, from the user's own documents, citing them.
 *
 * <ul>
 *   <li><b>Typed words</b> ({@link #send}): searched before they are sent (a few milliseconds); the best passages go
 *       to the model in the same message as the question, so retrieval costs no second model round trip. How they
 *       travel per model family is decided in one place ({@code internal.Delivery}: a two-part {@code clientContent}
 *       turn, or one {@code realtimeInput.text} on Gemini 3.x, which refuses mid-session {@code clientContent}).</li>
 *   <li><b>Speech</b> ({@link #listener}): searched on the input transcription as it arrives, for the sources shown to
 *       the user; the model gets passages through the tool.</li>
 *   <li><b>The tool</b> ({@link #tool}): {@code search_knowledge(query)} for what the model looks up itself, the query
 *       in the documents' language (so the model translates a question asked in another language).</li>
 *   <li><b>The domain</b>: the {@link DomainPolicy} judges each search. Below its threshold a typed question is
 *       declined (by default here, without asking the model: reliable and immediate), or answered with a warning; the
 *       tool tells the model to say the decline sentence.</li>
 * </ul>
 * What happened is reported as {@link KnowledgeEvent}s (sources per search, declines).
 *
 * <p>Thread safety: all methods may be called from any thread; the store is searched concurrently (stores allow it).
 */
public final class Knowledge implements AutoCloseable {
    /** The tool's name, as the model sees it. */
    public static final String TOOL_NAME = "search_knowledge";

    private final KnowledgeStore store;
    private final DomainPolicy policy;
    private final int passages;
    private final boolean declineLocally;
    private final String documentsLanguage;
    private final Consumer<KnowledgeEvent> events;

    private Knowledge(Builder b) {
        this.store = b.store;
        this.policy = b.policy;
        this.passages = b.passages;
        this.declineLocally = b.declineLocally;
        this.documentsLanguage = b.documentsLanguage;
        this.events = b.events;
    }

    /** Knowledge from {@code store}, restricted by {@code policy}; {@code spec} sets the options. */
    public static Knowledge create(KnowledgeStore store, DomainPolicy policy, Consumer<Builder> spec) {
        Builder b = new Builder(Objects.requireNonNull(store, "store"), Objects.requireNonNull(policy, "policy"));
        spec.accept(b);
        return new Knowledge(b);
    }

    public DomainPolicy policy() {
        return policy;
    }

    /** The system-instruction text that tells the model its domain, how passages arrive and how to decline. */
    public String instruction() {
        return "You answer questions about " + policy.description() + " from the user's documents. Passages from them come "
                + "in a [knowledge] block before the user's words, or from the " + TOOL_NAME + " tool: call it when a question "
                + "needs the documents and none were given, with the search query written in " + language() + ". Answer only "
                + "from the passages and name the source file you used. When a [knowledge] block has a [decline] line, or "
                + "the tool answers inDomain false with a decline sentence, reply with exactly that sentence and nothing else.";
    }

    /** {@code config} with {@link #instruction()} after its own system instruction. */
    public SessionConfig configure(SessionConfig config) {
        String own = config.systemInstruction();
        String combined = own == null || own.isBlank() ? instruction() : own.strip() + "\n\n" + instruction();
        return config.with(b -> b.systemInstruction(combined));
    }

    /** Arguments of {@link #tool()}. */
    public record SearchArgs(@Param(description = "What to look up, written in the language of the documents (translate the "
            + "user's words if they spoke another language): the key words of the question") String query) {}

    /** One passage as the tool returns it. */
    public record ToolPassage(String source, String heading, int page, String text, double score) {}

    /** The tool's result: the passages (best first) and the domain verdict; {@code decline} only when out of domain. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolResult(boolean inDomain, double relevance, List<ToolPassage> passages, String decline, String warning) {}

    /**
     * {@code search_knowledge}: the knowledge-search tool, for a {@link dev.habla.tools.ToolRegistry} (declare it in
     * the session's tools and answer calls with a {@link dev.habla.tools.ToolRunner}).
     */
    public FunctionTool tool() {
        return Tools.function(TOOL_NAME, "Searches the user's documents about " + policy.description()
                + " and returns the best passages with their source files, and whether the question is in the domain.",
                SearchArgs.class, args -> lookUp(args.query()));
    }

    private ToolResult lookUp(String query) {
        long t0 = System.nanoTime();
        SearchResult r = store.search(query, passages);
        Verdict v = policy.judge(r);
        emit(new KnowledgeEvent.Retrieved(KnowledgeEvent.Origin.TOOL, query, v, sources(r.hits()), Duration.ofNanos(System.nanoTime() - t0)));
        List<ToolPassage> ps = r.hits().stream().map(h -> new ToolPassage(h.passage().source(), h.passage().heading(),
                h.passage().page(), h.passage().text(), h.score())).toList();
        return switch (v.outcome()) {
            case ANSWER -> new ToolResult(true, v.relevance(), ps, null, null);
            case DECLINE -> new ToolResult(false, v.relevance(), List.of(), v.sentence(), null);
            case ANSWER_WITH_WARNING -> new ToolResult(false, v.relevance(), ps, null,
                    "The documents may not cover this; say so before answering.");
        };
    }

    /**
     * What {@link #send} did.
     *
     * @param verdict  the domain policy's verdict on the question
     * @param sources  the passages given to the model (empty when declined)
     * @param sent     how the send went; null when the question was declined without sending anything
     * @param declined the decline sentence when declined, else null
     * @param took     search time (what retrieval added before sending)
     */
    public record Sent(Verdict verdict, List<Source> sources, SendResult sent, String declined, Duration took) {}

    /**
     * Sends the user's typed words with the passages they need. The store is searched first (on this thread); in the
     * domain, the best passages go with the words; below the threshold the policy decides: decline (nothing is sent
     * unless {@link Builder#declineByModel()} asked the model to say the sentence) or send with a warning.
     */
    public Sent send(LiveSession session, String text) {
        long t0 = System.nanoTime();
        SearchResult r = store.search(text, passages);
        Verdict v = policy.judge(r);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        List<Source> sources = sources(r.hits());
        emit(new KnowledgeEvent.Retrieved(KnowledgeEvent.Origin.TYPED, text, v, v.outcome() == Verdict.Outcome.DECLINE ? List.of() : sources, took));
        return switch (v.outcome()) {
            case ANSWER -> new Sent(v, sources, Delivery.send(session, KnowledgeBlock.passages(r.hits(), null), text), null, took);
            case ANSWER_WITH_WARNING -> new Sent(v, sources, Delivery.send(session, KnowledgeBlock.passages(r.hits(),
                    "the documents may not cover this question (it looks outside " + policy.description() + "); say so before answering."), text), null, took);
            case DECLINE -> {
                emit(new KnowledgeEvent.Declined(text, v.sentence(), !declineLocally));
                SendResult sent = declineLocally ? null
                        : Delivery.send(session, KnowledgeBlock.decline(policy.description(), v.sentence()), text);
                yield new Sent(v, List.of(), sent, v.sentence(), took);
            }
        };
    }

    /**
     * A listener to connect with (around {@code downstream}, which gets every event unchanged): searches the user's
     * speech on its input transcription as it arrives (enable {@code inputTranscription} in the session config) and
     * reports the sources as {@link KnowledgeEvent.Retrieved} with origin {@code TRANSCRIPT}. Searches run on a
     * {@code habla-knowledge} virtual thread, never on the session's event thread.
     */
    public SessionListener listener(SessionListener downstream) {
        return new TranscriptSearch(downstream, text -> {
            long t0 = System.nanoTime();
            SearchResult r = store.search(text, passages);
            Verdict v = policy.judge(r);
            emit(new KnowledgeEvent.Retrieved(KnowledgeEvent.Origin.TRANSCRIPT, text, v, sources(r.hits()),
                    Duration.ofNanos(System.nanoTime() - t0)));
        });
    }

    private String language() {
        return documentsLanguage == null ? "the language of the documents" : documentsLanguage;
    }

    private static List<Source> sources(List<Hit> hits) {
        return hits.stream().map(Source::of).toList();
    }

    private void emit(KnowledgeEvent e) {
        events.accept(e);
    }

    /** Nothing to release today (the store is the caller's); here so a future cache can be closed with it. */
    @Override
    public void close() {
    }

    /** Options of {@link Knowledge#create}. */
    public static final class Builder {
        private final KnowledgeStore store;
        private final DomainPolicy policy;
        private int passages = 3;
        private boolean declineLocally = true;
        private String documentsLanguage;
        private Consumer<KnowledgeEvent> events = e -> { };

        private Builder(KnowledgeStore store, DomainPolicy policy) {
            this.store = store;
            this.policy = policy;
        }

        /** Passages given per question (default 3). */
        public Builder passages(int n) {
            if (n < 1 || n > 20) {
                throw new IllegalArgumentException("passages must be 1..20, got " + n);
            }
            this.passages = n;
            return this;
        }

        /**
         * Declined typed questions are sent to the model with the instruction to say the decline sentence (for spoken
         * answers: the sentence is heard in the model's voice), instead of not being sent at all (the default: the
         * application shows the sentence; reliable, and no model round trip).
         */
        public Builder declineByModel() {
            this.declineLocally = false;
            return this;
        }

        /** The documents' language in words ("English"), for the tool's query; default "the language of the documents". */
        public Builder documentsLanguage(String language) {
            this.documentsLanguage = language;
            return this;
        }

        /** Where {@link KnowledgeEvent}s go (default: nowhere). */
        public Builder events(Consumer<KnowledgeEvent> consumer) {
            this.events = Objects.requireNonNull(consumer, "events");
            return this;
        }
    }
}
