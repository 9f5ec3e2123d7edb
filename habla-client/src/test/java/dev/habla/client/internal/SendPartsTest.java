package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ResiliencePolicy;
import dev.habla.client.SendResult;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pieces behind the resilient session's send lock, alone: the buffer between connections, the tool-call routing,
 * and the user's turn (what is re-sent after a loss, and when). Plain objects, times in nanos.
 */
class SendPartsTest {

    private static SendBuffer.Unit unit(ClientMessage m, int size) {
        return new SendBuffer.Unit(m, size, OutboundQueue.laneOf(m));
    }

    private static final ClientMessage AUDIO = ClientMessage.RealtimeInput.ofAudio(new byte[2], 16_000);
    private static final ClientMessage VIDEO = ClientMessage.RealtimeInput.ofVideo("image/jpeg", new byte[2]);

    @Test
    void theBufferEvictsOldAudioReplacesOldVideoAndKeepsEverythingElse() {
        int[] drops = {0};
        SendBuffer b = new SendBuffer(100, () -> drops[0]++);
        ClientMessage text = ClientMessage.ClientContent.userText("hi");
        assertThat(b.offer(unit(AUDIO, 40))).isEqualTo(SendResult.QUEUED);
        assertThat(b.offer(unit(VIDEO, 90))).as("video: its own budget").isEqualTo(SendResult.QUEUED);
        assertThat(b.offer(unit(text, 50))).isEqualTo(SendResult.QUEUED);
        assertThat(b.offer(unit(AUDIO, 40))).as("evicts the older audio").isEqualTo(SendResult.QUEUED);
        assertThat(drops[0]).isEqualTo(1);
        assertThat(b.offer(unit(VIDEO, 80))).as("replaces the older frame").isEqualTo(SendResult.QUEUED);
        assertThat(drops[0]).isEqualTo(2);
        assertThat(b.offer(unit(VIDEO, 101))).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(b.offer(unit(AUDIO, 60))).as("cannot fit beside the text").isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(b.droppedMessages()).isEqualTo(5);
        assertThat(b.contains(text)).isTrue();
        assertThat(b.bytes()).isEqualTo(50 + 80);
        List<Integer> sizes = new ArrayList<>();
        while (!b.isEmpty()) {
            sizes.add((int) b.peek().size());
            b.removeFirst();
        }
        assertThat(sizes).as("text, then the newest frame, in sending order").containsExactly(50, 80);
        assertThat(b.bytes()).isZero();
    }

    @Test
    void unsentFramesComeBackAsTheirMessagesOnceEach() {
        ClientMessage text = ClientMessage.ClientContent.userText("hi");
        ClientMessage partly = ClientMessage.ClientContent.userText("half written");
        OutboundQueue q = new OutboundQueue(10_000);
        q.offer(List.of("p1", "p2"), OutboundQueue.Lane.CONTROL, partly);
        q.offer(List.of("a"), OutboundQueue.Lane.MEDIA, AUDIO);
        q.offer(List.of("t1", "t2"), OutboundQueue.Lane.CONTROL, text);
        q.offer(List.of("a"), OutboundQueue.Lane.MEDIA, AUDIO); // the same message sent twice comes back twice
        q.offer(List.of("raw"), OutboundQueue.Lane.CONTROL); // no source: nothing to re-send
        try {
            assertThat(q.take()).isInstanceOfSatisfying(OutboundQueue.Message.class, m -> assertThat(m.text()).isEqualTo("p1"));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        List<OutboundQueue.Message> unsent = q.shutdownAndDrain();
        assertThat(unsent).extracting(OutboundQueue.Message::text).containsExactly("p2", "a", "t1", "t2", "a", "raw");
        assertThat(OutboundQueue.commands(unsent)).as("a message whose first frame was written is not re-sent")
                .containsExactly(AUDIO, text, AUDIO);
    }

    @Test
    void aBufferedMessageIsBudgetedAtItsPayloadAsBase64PlusItsText() {
        ClientMessage audio = ClientMessage.RealtimeInput.ofAudio(new byte[3000], 16_000);
        assertThat(SendBuffer.estimatedSize(audio)).isBetween(4000L, 4000L + audio.toString().length());
        assertThat(SendBuffer.Unit.of(audio).lane()).isEqualTo(OutboundQueue.Lane.MEDIA);
        String long_ = "y".repeat(5000);
        assertThat(SendBuffer.estimatedSize(ClientMessage.ClientContent.userText(long_))).isGreaterThan(5000L);
    }

    @Test
    void aToolResponseGoesAsIsToTheConnectionThatAskedAndAsContentElsewhere() {
        ToolCalls calls = new ToolCalls();
        calls.requested(List.of(new FunctionCall("c1", "lookup", null)), 1, 0);
        calls.requested(List.of(new FunctionCall("c2", "lookup", null)), 2, 0);
        assertThat(calls.unansweredOn(1)).isTrue();
        List<FunctionResponse> both = List.of(FunctionResponse.of("c1", "lookup", null), FunctionResponse.of("c2", "lookup", null));
        ToolCalls.Routing onTwo = calls.route(both, 2);
        assertThat(onTwo.direct()).extracting(FunctionResponse::id).containsExactly("c2");
        assertThat(onTwo.callParts()).extracting(p -> p.functionCall().id()).containsExactly("c1");
        assertThat(onTwo.allDirect()).isFalse();
        List<String> timed = new ArrayList<>();
        calls.roundTrips(both, 250, (tool, nanos) -> timed.add(tool + "@" + nanos));
        assertThat(timed).containsExactly("lookup@250", "lookup@250");
        calls.answered(both);
        assertThat(calls.unansweredOn(1)).isFalse();
        calls.roundTrips(both, 300, (tool, nanos) -> timed.add(tool));
        assertThat(timed).as("answered calls are not timed twice").hasSize(2);
    }

    @Test
    void aTextTurnLostWithItsConnectionIsReSentOnceAndAwaitedAgain() {
        UserInput u = new UserInput(ResiliencePolicy.defaults(), new TurnBoundary(false, 0, 1), List.of());
        ClientMessage turn = ClientMessage.ClientContent.userText("are you there");
        assertThat(u.track(turn, 5).turnEnded()).isTrue();
        assertThat(u.boundaryInput(false).awaitingReply()).isTrue();
        assertThat(u.lostWithConnection(true)).as("still buffered: it will be sent anyway").isFalse();
        assertThat(u.lostWithConnection(false)).isTrue();
        assertThat(u.lostWithConnection(false)).as("once").isFalse();
        assertThat(u.replayAfterLoss()).isTrue();
        assertThat(u.seedTurns()).as("a re-seeded session does not get it twice").isEmpty();
        assertThat(u.takeReplay()).isSameAs(turn);
        assertThat(u.takeReplay()).isNull();
        assertThat(u.unansweredTurn()).as("unanswered again until a reply starts").isSameAs(turn);
        u.replyStarted();
        assertThat(u.unansweredTurn()).isNull();
        assertThat(u.lostWithConnection(false)).as("answered: nothing to re-send").isFalse();
        assertThat(u.transcript()).extracting(c -> c.parts().getFirst().text()).containsExactly("are you there");
    }

    @Test
    void aTurnReSentAfterItsReplyTimedOutIsNotTrackedAgain() {
        UserInput u = new UserInput(ResiliencePolicy.defaults(), new TurnBoundary(false, 0, 1), List.of());
        ClientMessage turn = ClientMessage.RealtimeInput.ofText("hello?");
        u.track(turn, 0);
        u.replyTimedOut();
        u.replayUnanswered();
        assertThat(u.replayAfterLoss()).isFalse();
        assertThat(u.takeReplay()).isSameAs(turn);
        assertThat(u.unansweredTurn()).as("no endless re-sending").isNull();
    }

    @Test
    void spokenTurnsAndActivitiesShapeTheUserSide() {
        UserInput u = new UserInput(ResiliencePolicy.defaults(), new TurnBoundary(true, 0, 1), List.of());
        u.track(ClientMessage.RealtimeInput.ofActivityStart(), 0);
        assertThat(u.boundaryInput(false).activityOpen()).isTrue();
        assertThat(u.track(ClientMessage.RealtimeInput.ofActivityEnd(), 1).turnEnded()).isTrue();
        assertThat(u.boundaryInput(false).activityOpen()).isFalse();
        assertThat(u.unansweredTurn()).as("a spoken turn is not re-sent").isNull();
        assertThat(u.track(ClientMessage.RealtimeInput.ofAudioStreamEnd(), 2).turnEnded())
                .as("a mic pause after silence asks for nothing").isFalse();
    }
}
