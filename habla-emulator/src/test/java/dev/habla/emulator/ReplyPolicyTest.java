package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A user's own reply policy plugged into the emulator: the protocol stays the emulator's, the words are the policy's. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplyPolicyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    LiveEmulator emu;

    @AfterEach
    void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    /** A "vision and knowledge" model: describes the frames it was shown, looks things up with a tool, else defers. */
    static final class SeeingPolicy implements ReplyPolicy {
        final List<TurnInput> seen = new CopyOnWriteArrayList<>();

        @Override
        public Reply reply(TurnInput turn) {
            seen.add(turn);
            if (turn.kind() == TurnInput.Kind.TOOL_RESULTS) {
                return Reply.text("The capital is " + turn.toolResults().getFirst().response().path("capital").asText() + ".");
            }
            if (!turn.images().isEmpty()) {
                return Reply.text("I see " + turn.images().size() + " frame(s), the last a " + turn.images().getLast().mimeType() + ".");
            }
            if (turn.kind() == TurnInput.Kind.TEXT && turn.text().startsWith("capital of ") && turn.functions().containsKey("lookup")) {
                return Reply.call("lookup", JSON.createObjectNode().put("country", turn.text().substring(11)));
            }
            return ReplyPolicy.deterministic().reply(turn);
        }
    }

    @Test
    void aCustomPolicySeesFramesCallsToolsAndFallsBackToTheDefault() throws Exception {
        SeeingPolicy policy = new SeeingPolicy();
        emu = LiveEmulator.create(b -> b.replies(policy));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("lookup"))) {
            byte[] jpeg = Fixtures.jpeg();
            c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", jpeg));
            c.send(ClientMessage.RealtimeInput.ofVideo("image/png", Fixtures.png()));
            c.send(ClientMessage.ClientContent.userText("what do you see?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see 2 frame(s), the last a image/png.");
            assertThat(policy.seen.getLast().images().getFirst().data()).containsExactly(jpeg);

            // Frames are shown once: the next turn has none and the default policy answers.
            c.send(ClientMessage.ClientContent.userText("hello"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: hello");
            assertThat(policy.seen.getLast().history()).containsExactly("what do you see?");

            // A tool call from the policy: the emulator assigns the id, waits for the response, asks the policy again.
            c.send(ClientMessage.ClientContent.userText("capital of France"));
            ServerFrame call = c.next();
            FunctionCall fc = ((ServerMessage.ToolCall) call.message()).functionCalls().getFirst();
            assertThat(fc.name()).isEqualTo("lookup");
            assertThat(fc.id()).startsWith("call-");
            assertThat(fc.args().toString()).isEqualTo("{\"country\":\"France\"}");
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + fc.id() + "\",\"response\":{\"capital\":\"Paris\"}}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("The capital is Paris.");
            TurnInput results = policy.seen.getLast();
            assertThat(results.kind()).isEqualTo(TurnInput.Kind.TOOL_RESULTS);
            assertThat(results.toolResults().getFirst().name()).as("named after the call").isEqualTo("lookup");
            assertThat(results.model()).isEqualTo(emu.sessions().getFirst().model());
        }
    }

    @Test
    void speechTurnsReachThePolicyWithTheirDuration() throws Exception {
        List<TurnInput> seen = new CopyOnWriteArrayList<>();
        emu = LiveEmulator.create(b -> b.replies(turn -> {
            seen.add(turn);
            return Reply.text(turn.kind() + " " + Math.round(turn.audioSeconds() * 10) / 10.0);
        }));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            VadTest.stream(c, VadTest.concat(Fixtures.tone(1000, 16000), Fixtures.silence(700, 16000)), 16000);
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("SPEECH 1.0");
            assertThat(seen.getFirst().text()).isNull();
        }
    }

    @Test
    void aPolicyThatThrowsClosesOnlyItsConnection() throws Exception {
        emu = LiveEmulator.create(b -> b.replies(turn -> {
            if ("boom".equals(turn.text())) {
                throw new IllegalStateException("policy bug");
            }
            return ReplyPolicy.deterministic().reply(turn);
        }));
        try (RawClient bad = RawClient.setUp(emu, Fixtures.text()); RawClient good = RawClient.setUp(emu, Fixtures.text())) {
            bad.send(ClientMessage.ClientContent.userText("boom"));
            assertThat(bad.awaitClose()).isEqualTo(new RawClient.Closed(1011, "Internal error encountered."));
            good.send(ClientMessage.ClientContent.userText("still here"));
            assertThat(Fixtures.text(good.untilTurnComplete())).isEqualTo("You said: still here");
        }
    }

    @Test
    void readmeSnippetRuns() throws Exception {
        // --- habla-emulator/README.md, "Replies" ---
        LiveEmulator emu = LiveEmulator.create(b -> b.replies(turn -> turn.images().isEmpty()
                ? ReplyPolicy.deterministic().reply(turn)                        // the default below
                : Reply.text("I see " + turn.images().size() + " frame(s).")));
        // ---
        this.emu = emu;
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("hi"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: hi");
            c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", Fixtures.jpeg()));
            c.send(ClientMessage.ClientContent.userText("look"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see 1 frame(s).");
        }
    }
}
