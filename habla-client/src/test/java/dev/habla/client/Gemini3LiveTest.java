package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.emulator.Fault;
import dev.habla.emulator.Models;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.Content;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Gemini 3.1 Flash Live against the emulator, which enforces its rules (typed text only as {@code realtimeInput.text},
 * {@code clientContent} only as initial history under {@code historyConfig}, no TEXT output): typed turns answered and
 * remembered, initial history, a re-seed after a refused handle, the client refusing what the model would close the
 * session for, the compression default of resilient sessions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Gemini3LiveTest extends ResilienceTestBase {
    static final String GEMINI_31 = "gemini-3.1-flash-live-preview";

    static SessionConfig spoken() {
        return SessionConfig.create(b -> b.model(GEMINI_31).responseModality(ResponseModality.AUDIO).outputTranscription(true));
    }

    /** The model's words (output transcription) after the last event matching {@code since}, spaces normalised. */
    static String heard(RecordingListener rec, Predicate<LiveEvent> since) {
        List<LiveEvent> all = rec.events();
        int from = 0;
        for (int i = 0; i < all.size(); i++) {
            if (since.test(all.get(i))) {
                from = i + 1;
            }
        }
        StringBuilder b = new StringBuilder();
        for (LiveEvent e : all.subList(from, all.size())) {
            if (e instanceof LiveEvent.OutputTranscription t) {
                b.append(t.text());
            }
        }
        return b.toString().strip().replaceAll("\\s+", " ");
    }

    /** Sends a typed turn and returns the model's transcribed answer to it. */
    static String say(LiveSession s, RecordingListener rec, String text) {
        int before = rec.all(LiveEvent.TurnComplete.class).size();
        assertThat(s.sendText(text)).isEqualTo(SendResult.QUEUED);
        LiveEvent.TurnComplete done = rec.await(LiveEvent.TurnComplete.class, WAIT);
        List<LiveEvent> all = rec.events();
        int end = all.indexOf(done);
        int start = 0;
        int seen = 0;
        for (int i = 0; i < end; i++) {
            if (all.get(i) instanceof LiveEvent.TurnComplete && ++seen == before) {
                start = i + 1;
            }
        }
        StringBuilder b = new StringBuilder();
        for (LiveEvent e : all.subList(start, end)) {
            if (e instanceof LiveEvent.OutputTranscription t) {
                b.append(t.text());
            }
        }
        return b.toString().strip().replaceAll("\\s+", " ");
    }

    /** Next client message of {@code type} at the emulator, skipping others. */
    <T extends ClientMessage> T take(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedMessage m = emulator.takeClientMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m != null && type.isInstance(m.message())) {
                return type.cast(m.message());
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT);
    }

    /** The next client message at the emulator, whatever it is. */
    ClientMessage next() throws InterruptedException {
        ReceivedMessage m = emulator.takeClientMessage(WAIT);
        assertThat(m).as("a client message").isNotNull();
        return m.message();
    }

    @Test
    void typedTurnsGoAsRealtimeTextAndAreAnsweredAndRemembered() throws Exception {
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(spoken(), rec)) {
            assertThat(take(ClientMessage.Setup.class).historyConfig()).as("no history, no historyConfig").isNull();
            assertThat(say(s, rec, "hello")).isEqualTo("You said: hello");
            assertThat(next()).isEqualTo(RealtimeInput.ofText("hello"));
            assertThat(say(s, rec, "what is up")).isEqualTo("You said: what is up");
            assertThat(say(s, rec, "history")).isEqualTo("History: 1. hello | 2. what is up");
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
        rec.assertTerminatedOnce();
    }

    @Test
    void initialHistoryGoesFirstUnderHistoryConfigAndIsNotAnswered() throws Exception {
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        List<Content> history = List.of(Content.text("user", "my name is Ada"), Content.text("model", "Hello Ada"),
                Content.text("user", "I like tea"));
        try (LiveSession s = client.connect(spoken().with(b -> b.initialHistory(history)), rec)) {
            ClientMessage.Setup setup = take(ClientMessage.Setup.class);
            assertThat(setup.historyConfig()).isEqualTo(new ClientMessage.HistoryConfig(true));
            assertThat(next()).as("the history, before anything else")
                    .isEqualTo(new ClientMessage.ClientContent(history, true));
            assertThat(say(s, rec, "history")).as("no reply to the history itself: the first turn is ours")
                    .isEqualTo("History: 1. my name is Ada | 2. I like tea");
            assertThat(rec.all(LiveEvent.TurnComplete.class)).hasSize(1);
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull(); // delivered by the reader thread, maybe after close() returns
        rec.assertTerminatedOnce();
    }

    @Test
    void initialHistoryOnAnOlderModelIsContentWithoutTurnComplete() throws Exception {
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        List<Content> history = List.of(Content.text("user", "first"), Content.text("model", "ok"));
        try (LiveSession s = client.connect(text().with(b -> b.initialHistory(history)), rec)) {
            assertThat(take(ClientMessage.Setup.class).historyConfig()).isNull();
            assertThat(next()).isEqualTo(new ClientMessage.ClientContent(history, false));
            // Realtime text: the emulator would join clientContent text left pending by turnComplete:false.
            s.sendRealtimeText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).isEqualTo("History: 1. first");
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
        rec.assertTerminatedOnce();
    }

    @Test
    void whatTheModelRefusesFailsFastAndNothingGoesOnTheWire() throws Exception {
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model(GEMINI_31).responseModality(ResponseModality.TEXT)))
                .isInstanceOf(UnsupportedByModelException.class)
                .hasMessageContaining("TEXT").hasMessageContaining(GEMINI_31).hasMessageContaining("1011")
                .satisfies(e -> assertThat(((UnsupportedByModelException) e).family()).isEqualTo(ModelFamily.GEMINI_3_LIVE));
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(spoken(), rec)) {
            take(ClientMessage.Setup.class);
            assertThatThrownBy(() -> s.sendClientContent(List.of(Content.text("user", "hi")), true))
                    .isInstanceOf(UnsupportedByModelException.class)
                    .hasMessageContaining(GEMINI_31).hasMessageContaining("initial history");
            assertThatThrownBy(() -> s.send(ClientMessage.ClientContent.userText("hi")))
                    .isInstanceOf(UnsupportedByModelException.class);
            assertThatThrownBy(() -> s.sendClientContent(List.of(), false)).as("not even an empty one")
                    .isInstanceOf(UnsupportedByModelException.class);
            assertThat(say(s, rec, "still here")).isEqualTo("You said: still here");
            assertThat(next()).as("the refused messages never reached the server")
                    .isEqualTo(RealtimeInput.ofText("still here"));
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();

        RecordingListener rec2 = new RecordingListener();
        try (ResilientSession r = client.connectResilient(spoken(), rec2, policy(p -> { }))) {
            assertThatThrownBy(() -> r.sendClientContent(List.of(Content.text("user", "hi")), true))
                    .isInstanceOf(UnsupportedByModelException.class);
            assertThatThrownBy(() -> r.send(ClientMessage.ClientContent.userText("hi")))
                    .isInstanceOf(UnsupportedByModelException.class);
            assertThat(say(r, rec2, "fine")).isEqualTo("You said: fine");
        }
        assertThat(rec2.awaitClosed(WAIT).error()).isNull();
    }

    @Test
    void theServers1007IsATypedErrorWhenClientContentGetsThroughAnyway() throws Exception {
        // A 3.1-like model under a name the client cannot recognise: the client's rules do not apply, the server's do.
        realTime(b -> b.models(Models.defaults().toBuilder().add("live-next-preview", Models.Kind.GEMINI_3_LIVE).build()));
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(SessionConfig.create(b -> b.model("live-next-preview")
                .responseModality(ResponseModality.AUDIO)), rec)) {
            assertThat(s.config().modelFamily()).isEqualTo(ModelFamily.HALF_CASCADE);
            s.sendText("hi"); // clientContent for a half-cascade model
            LiveEvent.Closed closed = rec.awaitClosed(WAIT);
            assertThat(closed.code()).isEqualTo(1007);
            assertThat(closed.error()).isNotNull();
            assertThat(closed.error().kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT);
            assertThat(closed.error().closeReason()).isEqualTo("Request contains an invalid argument.");
        }
        rec.assertTerminatedOnce();
    }

    @Test
    void resilientSessionReseedsAfterARefusedHandleWithHistoryConfigAndKeepsTheConversation() throws Exception {
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        List<Content> history = List.of(Content.text("user", "zero"), Content.text("model", "noted"));
        try (ResilientSession s = client.connectResilient(spoken().with(b -> b.initialHistory(history)), rec, policy(p -> { }))) {
            assertThat(say(s, rec, "alpha")).isEqualTo("You said: alpha");
            assertThat(say(s, rec, "beta")).isEqualTo("You said: beta");
            String firstLogical = emulator.sessions().getLast().logicalSessionId();
            emulator.inject(new Fault.RefuseResumption());
            emulator.inject(new Fault.DropConnection());
            LiveEvent.Reconnected back = rec.await(LiveEvent.Reconnected.class, WAIT);
            assertThat(back.resumed()).as("the handle was refused: a new, re-seeded session").isFalse();
            assertThat(say(s, rec, "history")).isEqualTo("History: 1. zero | 2. alpha | 3. beta");
            assertThat(emulator.sessions().getLast().logicalSessionId()).isNotEqualTo(firstLogical);
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
        rec.assertTerminatedOnce();
        // On the wire: both fresh sessions (the first, the re-seeded one) announce their history in the setup and send
        // it first, ending the history phase; the re-seed is the transcript, which starts with the initial history.
        // In between, the refused attempt: a setup with the handle and no history.
        List<ClientMessage> wire = new java.util.ArrayList<>();
        for (ReceivedMessage m; (m = emulator.takeClientMessage(Duration.ofMillis(200))) != null; ) {
            wire.add(m.message());
        }
        List<ClientMessage.Setup> setups = new java.util.ArrayList<>();
        List<ClientMessage> firsts = new java.util.ArrayList<>();
        for (int i = 0; i < wire.size(); i++) {
            if (wire.get(i) instanceof ClientMessage.Setup setup) {
                setups.add(setup);
                firsts.add(i + 1 < wire.size() ? wire.get(i + 1) : null);
            }
        }
        assertThat(setups).extracting(ClientMessage.Setup::historyConfig)
                .containsExactly(new ClientMessage.HistoryConfig(true), null, new ClientMessage.HistoryConfig(true));
        assertThat(setups.get(1).sessionResumption().handle()).as("the refused resumption").isNotNull();
        assertThat(firsts.get(1)).as("nothing follows the refused setup").isInstanceOf(ClientMessage.Setup.class);
        assertThat(setups.getLast().sessionResumption().handle()).as("a new session, not a resumption").isNull();
        assertThat(firsts.getFirst()).isEqualTo(new ClientMessage.ClientContent(history, true));
        assertThat(firsts.getLast()).isInstanceOfSatisfying(ClientMessage.ClientContent.class, c -> {
            assertThat(c.turnComplete()).isTrue();
            assertThat(c.turns()).extracting(t -> t.role() + ":" + t.parts().getFirst().text())
                    .containsExactly("user:zero", "model:noted", "user:alpha", "model:You said: alpha", "user:beta",
                            "model:You said: beta");
        });
    }

    @Test
    void resilientSessionsCompressEveryConversationByDefault() throws Exception {
        realTime(b -> { });
        for (SessionConfig config : List.of(text(), spoken())) {
            RecordingListener rec = new RecordingListener();
            try (ResilientSession s = client.connectResilient(config, rec, policy(p -> { }))) {
                assertThat(take(ClientMessage.Setup.class).contextWindowCompression())
                        .as("compression in the setup of %s", config.model()).isNotNull();
                assertThat(s.config().contextWindowCompression()).isNotNull();
            }
        }
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> p.compression(false)))) {
            assertThat(take(ClientMessage.Setup.class).contextWindowCompression()).as("turned off").isNull();
        }
        SessionConfig own = text().with(b -> b.contextWindowCompression(20_000L, 10_000L));
        try (ResilientSession s = client.connectResilient(own, new RecordingListener(), policy(p -> { }))) {
            assertThat(take(ClientMessage.Setup.class).contextWindowCompression().triggerTokens())
                    .as("the config's own compression is kept").isEqualTo(20_000L);
        }
    }
}
