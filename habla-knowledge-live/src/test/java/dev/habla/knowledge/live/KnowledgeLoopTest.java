package dev.habla.knowledge.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.Indexer;
import dev.habla.knowledge.IndexProgress;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.Verdict;
import dev.habla.knowledge.lucene.LuceneKnowledgeStore;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import dev.habla.tools.ToolRegistry;
import dev.habla.tools.ToolRunner;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole loop on the emulator: a real index (the embedded Lucene store, the default embedding model) of a small
 * product manual, {@link Knowledge} on a live session, the emulator's deterministic brain answering from the passages
 * it is given. In-domain answers cite the right file, out-of-domain questions are declined, both model families'
 * delivery rules hold, the tool works, and the latency retrieval adds to the first reply byte is measured and printed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KnowledgeLoopTest {
    static final String KEY = "test";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final SessionConfig TEXT = SessionConfig.create(b -> b.model("gemini-live-2.5-flash-preview").responseModality(ResponseModality.TEXT));
    static final SessionConfig GEMINI_3 = SessionConfig.create(b -> b.model("gemini-3.1-flash-live-preview")
            .responseModality(ResponseModality.AUDIO).outputTranscription(true));
    static final DomainPolicy POLICY = DomainPolicy.of("the Acme X1 router")
            .withDeclineSentence("Lo siento, solo puedo responder preguntas sobre el router Acme X1.");

    static KnowledgeStore store;
    static Path corpus;

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY))
            .client(emulator -> LiveClient.create(b -> b.apiKey(KEY).baseUrl(emulator.baseUrl()))));

    final List<KnowledgeEvent> events = new CopyOnWriteArrayList<>();
    final BlockingQueue<KnowledgeEvent> eventQueue = new LinkedBlockingQueue<>();
    final BlockingQueue<LiveEvent> received = new LinkedBlockingQueue<>();

    @BeforeAll
    static void index() throws URISyntaxException {
        corpus = Path.of(KnowledgeLoopTest.class.getResource("/acme").toURI());
        store = LuceneKnowledgeStore.inMemory(Embedder.defaultModel());
        new Indexer(store).index(List.of(corpus), IndexProgress.NONE);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    static String file(String name) {
        return corpus.resolve(name).toAbsolutePath().normalize().toString();
    }

    Knowledge knowledge(java.util.function.Consumer<Knowledge.Builder> spec) {
        return Knowledge.create(store, POLICY, b -> {
            b.events(e -> {
                events.add(e);
                eventQueue.add(e);
            });
            spec.accept(b);
        });
    }

    LiveSession connect(Knowledge k, SessionConfig config) throws Exception {
        LiveSession s = live.client(LiveClient.class).connect(k.configure(config), k.listener(received::add));
        live.closeAfterwards(s);
        return s;
    }

    /** The model's words of the next turn (text, or the transcript of speech), up to generationComplete. */
    String answer() throws InterruptedException {
        StringBuilder b = new StringBuilder();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            LiveEvent e = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            switch (e) {
                case null -> throw new AssertionError("no complete answer within " + WAIT + "; so far: " + b);
                case LiveEvent.TextDelta t -> b.append(t.text());
                case LiveEvent.OutputTranscription t -> b.append(t.text());
                case LiveEvent.GenerationComplete g -> {
                    return b.toString().replaceAll("\\s+", " ").strip();
                }
                default -> { }
            }
        }
    }

    ClientMessage takeMatching(Predicate<ClientMessage> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedMessage m = live.emulator().takeClientMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m != null && m.message() != null && p.test(m.message())) {
                return m.message();
            }
        }
        throw new AssertionError("no matching client message within " + WAIT);
    }

    @Test
    void inDomainAnswersCiteTheRightFileAndOutOfDomainOnesAreDeclinedWithoutAskingTheModel() throws Exception {
        Knowledge k = knowledge(b -> { });
        LiveSession s = connect(k, TEXT);
        assertThat(takeMatching(m -> m instanceof ClientMessage.Setup)).satisfies(m ->
                assertThat(((ClientMessage.Setup) m).systemInstruction().parts().getFirst().text()).contains("the Acme X1 router"));

        Knowledge.Sent sent = k.send(s, "How do I do a factory reset that erases every setting?");
        assertThat(sent.verdict().outcome()).isEqualTo(Verdict.Outcome.ANSWER);
        assertThat(answer()).isEqualTo("From " + file("reset.md") + " (Resetting the Acme X1 router > Factory reset): "
                + "To restore the factory settings, hold the reset button on the back of the router for ten seconds, until the power light blinks orange.");
        // Half-cascade and 2.5 models take clientContent mid-session: passages and question as one two-part user turn.
        ClientMessage.ClientContent turn = (ClientMessage.ClientContent) takeMatching(m -> m instanceof ClientMessage.ClientContent);
        assertThat(turn.turnComplete()).isTrue();
        assertThat(turn.turns().getFirst().parts()).hasSize(2);
        assertThat(turn.turns().getFirst().parts().get(1).text()).isEqualTo("How do I do a factory reset that erases every setting?");
        assertThat(events).first().isInstanceOfSatisfying(KnowledgeEvent.Retrieved.class, r -> {
            assertThat(r.origin()).isEqualTo(KnowledgeEvent.Origin.TYPED);
            assertThat(r.sources().getFirst().source()).isEqualTo(file("reset.md"));
        });

        k.send(s, "I forgot the wifi password, how can I set a new one?");
        assertThat(answer()).startsWith("From " + file("wifi.md") + " (Wi-Fi on the Acme X1 router > Changing the Wi-Fi password): ");

        events.clear();
        Knowledge.Sent declined = k.send(s, "Who won the football world cup in 2014?");
        assertThat(declined.sent()).as("nothing sent to the model").isNull();
        assertThat(declined.declined()).isEqualTo(POLICY.declineSentence());
        assertThat(events).anySatisfy(e -> assertThat(e).isEqualTo(new KnowledgeEvent.Declined(
                "Who won the football world cup in 2014?", POLICY.declineSentence(), false)));
        // The session goes on: the next in-domain question is answered (declines block nothing).
        k.send(s, "How long is the warranty?");
        assertThat(answer()).startsWith("From " + file("warranty.md"));
        assertThat(received).noneMatch(e -> e instanceof LiveEvent.Closed);
    }

    @Test
    void gemini3GetsThePassagesInRealtimeTextAndSaysTheDeclineItself() throws Exception {
        Knowledge k = knowledge(Knowledge.Builder::declineByModel);
        LiveSession s = connect(k, GEMINI_3);
        k.send(s, "How do I restart the router without losing my settings?");
        assertThat(answer()).isEqualTo("From " + file("reset.md") + " (Resetting the Acme X1 router > Restarting): "
                + "To restart the router without losing its settings, unplug the power cable, wait thirty seconds and plug it back in.");
        // Gemini 3.x closes the session on mid-session clientContent: everything went as realtimeInput.text.
        ClientMessage.RealtimeInput rt = (ClientMessage.RealtimeInput) takeMatching(m -> m instanceof ClientMessage.RealtimeInput r && r.text() != null);
        assertThat(rt.text()).startsWith("[knowledge]").endsWith("How do I restart the router without losing my settings?");

        k.send(s, "What is the capital of Australia?");
        assertThat(answer()).isEqualTo(POLICY.declineSentence());
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(KnowledgeEvent.Declined.class, d -> assertThat(d.byModel()).isTrue()));
        assertThat(received).noneMatch(e -> e instanceof LiveEvent.Closed);
    }

    @Test
    void theModelLooksThingsUpWithTheToolAndIsToldToDeclineOutsideTheDomain() throws Exception {
        Knowledge k = knowledge(b -> b.documentsLanguage("English"));
        ToolRunner runner = ToolRunner.create(ToolRegistry.of(k.tool()), a -> { });
        live.closeAfterwards(runner);
        LiveSession s = runner.connect(live.client(LiveClient.class), k.configure(TEXT), k.listener(received::add));
        live.closeAfterwards(s);
        // The emulator's scripted "call NAME {json}" stands for the model deciding to search (a Spanish question,
        // the query translated into the documents' language, as the tool's parameter asks).
        s.sendText("call search_knowledge {\"query\":\"how long is the router warranty\"}");
        assertThat(answer()).isEqualTo("From " + file("warranty.md") + " (Warranty and repairs > Warranty period): "
                + "The Acme X1 router has a two-year warranty from the date of purchase.");
        s.sendText("call search_knowledge {\"query\":\"best pizza in Naples\"}");
        assertThat(answer()).isEqualTo(POLICY.declineSentence());
        assertThat(events).filteredOn(e -> e instanceof KnowledgeEvent.Retrieved r && r.origin() == KnowledgeEvent.Origin.TOOL).hasSize(2);
        assertThat(k.tool().declaration().parameters().properties().get("query").description()).contains("language of the documents");
        assertThat(k.instruction()).contains("written in English");
    }

    /** The gateway as a server-side tool: apps' sessions search the index through it and never see the call. */
    @Test
    void theGatewayAnswersKnowledgeSearchesServerSide() throws Exception {
        Knowledge k = knowledge(b -> { });
        String admin = "admin-key-shop-0123456789";
        try (dev.habla.gateway.Gateway g = dev.habla.gateway.Gateway.create(b -> b.port(0)
                .upstream(c -> c.apiKey(KEY).baseUrl(live.emulator().baseUrl()))
                .app(new dev.habla.gateway.GatewayApp("shop", admin, java.util.Set.of(), 2, 0))
                .tools(ToolRegistry.of(k.tool())));
             LiveClient app = LiveClient.create(c -> c.apiKey(admin).baseUrl(g.baseUrl()));
             LiveSession s = app.connect(TEXT, received::add)) {
            s.sendText("call search_knowledge {\"query\":\"how do I change the wifi password\"}");
            assertThat(answer()).startsWith("From " + file("wifi.md") + " (Wi-Fi on the Acme X1 router > Changing the Wi-Fi password): ");
            assertThat(received).noneMatch(e -> e instanceof LiveEvent.ToolCallRequested);
        }
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(KnowledgeEvent.Retrieved.class,
                r -> assertThat(r.origin()).isEqualTo(KnowledgeEvent.Origin.TOOL)));
    }

    /**
     * Issue 11 "must show" 2: what retrieval adds to the first reply byte. The same questions are asked with and
     * without knowledge on one session; the medians of send → first text are printed (a figure, not an assertion).
     */
    @Test
    void latencyRetrievalAddsToTheFirstReplyByteIsMeasured() throws Exception {
        Knowledge k = knowledge(b -> { });
        LiveSession s = connect(k, TEXT);
        String[] qs = {"How do I reset the router?", "How do I change the Wi-Fi password?", "How long is the warranty?",
            "How do I choose a Wi-Fi channel?", "Where do I send the router for repair?", "How do I restart the router?"};
        for (int i = 0; i < 2; i++) {   // warm-up: first embedding, first search, JIT
            k.send(s, qs[i]);
            answer();
        }
        List<Long> with = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        List<Long> search = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (String q : qs) {
                long t0 = System.nanoTime();
                Knowledge.Sent sent = k.send(s, q);
                with.add(firstByte(t0));
                search.add(sent.took().toNanos());
                t0 = System.nanoTime();
                s.sendText(q);
                without.add(firstByte(t0));
            }
        }
        double addedMs = (median(with) - median(without)) / 1e6;
        System.out.printf(Locale.ROOT, "Knowledge loop (emulator, TEXT, %d questions): first reply byte median %.1f ms with "
                + "retrieval, %.1f ms without (+%.1f ms); search (embed + hybrid + judge) median %.1f ms, p95 %.1f ms%n",
                with.size(), median(with) / 1e6, median(without) / 1e6, addedMs, median(search) / 1e6, p95(search) / 1e6);
        assertThat(with).hasSize(qs.length * 3);
        assertThat(search).allMatch(t -> t > 0);
    }

    /** Time from {@code t0} to the first text of the answer; then waits for the answer's end. */
    long firstByte(long t0) throws InterruptedException {
        long first = -1;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            LiveEvent e = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no answer within " + WAIT);
            }
            if (e instanceof LiveEvent.TextDelta && first < 0) {
                first = System.nanoTime() - t0;
            }
            if (e instanceof LiveEvent.TurnComplete) {
                return first;
            }
        }
    }

    static long median(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return a[a.length / 2];
    }

    static long p95(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return a[Math.min(a.length - 1, (int) Math.ceil(a.length * 0.95) - 1)];
    }

    @Test
    void speechIsSearchedOnItsTranscriptAsItArrives() throws Exception {
        Knowledge k = knowledge(b -> { });
        LiveSession s = connect(k, TEXT.with(b -> b.inputTranscription(true)));
        byte[] pcm = new byte[16_000 * 2 * 2];   // 1 s of a loud square wave, then 1 s of silence (16 kHz PCM16)
        for (int i = 0; i < 16_000; i++) {
            short v = (short) ((i / 20) % 2 == 0 ? 8000 : -8000);
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        s.sendAudio(pcm, 16_000);
        assertThat(answer()).startsWith("I heard");
        // The emulator transcribes speech as "[speech 1.00s]": searched, judged (outside the domain), reported.
        KnowledgeEvent.Retrieved r = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (r == null) {
            KnowledgeEvent e = eventQueue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(e).as("a transcript search within " + WAIT).isNotNull();
            if (e instanceof KnowledgeEvent.Retrieved t && t.origin() == KnowledgeEvent.Origin.TRANSCRIPT) {
                r = t;
            }
        }
        assertThat(r.query()).startsWith("[speech");
        assertThat(r.verdict().inDomain()).isFalse();
    }
}
