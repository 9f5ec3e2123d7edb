package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.SendResult;
import dev.habla.client.internal.OutboundQueue.Lane;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue alone: order, budgets, eviction, video replacement, close. No writer thread, so everything is deterministic. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OutboundQueueTest {

    private static String msg(String tag, int size) {
        return tag + "x".repeat(size - tag.length());
    }

    private static List<String> drain(OutboundQueue q, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(((OutboundQueue.Message) q.take()).text().substring(0, 2));
        }
        return out;
    }

    /**
     * The ordering contract: the opening first, then everything in sending order ("speak, then type" arrives spoken
     * first). This test asserted the old priority lane (control ahead of queued audio), the overtaking fixed here.
     */
    @Test
    void theOpeningGoesFirstThenEverythingInSendingOrder() throws Exception {
        OutboundQueue q = new OutboundQueue(1_000);
        q.offer(List.of(msg("m1", 10)), Lane.MEDIA);
        q.offer(List.of(msg("c1", 10)), Lane.CONTROL);
        q.offer(List.of(msg("m2", 10)), Lane.MEDIA);
        q.offer(List.of(msg("c2", 10)), Lane.CONTROL);
        q.offerFirstUnbounded(List.of(msg("s0", 10)));
        assertThat(q.queuedBytes()).isEqualTo(50);
        assertThat(drain(q, 5)).containsExactly("s0", "m1", "c1", "m2", "c2");
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void overBudgetEvictsOldestMediaFirstAndCountsIt() throws Exception {
        OutboundQueue q = new OutboundQueue(100);
        assertThat(q.offer(List.of(msg("m1", 40)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        assertThat(q.offer(List.of(msg("m2", 40)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        // 40 more media: m1 is evicted.
        assertThat(q.offer(List.of(msg("m3", 40)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        assertThat(q.droppedMessages()).isEqualTo(1);
        assertThat(q.droppedBytes()).isEqualTo(40);
        // Control also evicts media (m2), never the other way round.
        assertThat(q.offer(List.of(msg("c1", 50)), Lane.CONTROL)).isEqualTo(SendResult.QUEUED);
        assertThat(q.droppedMessages()).isEqualTo(2);
        assertThat(q.queuedBytes()).isEqualTo(90);
        // Media that cannot fit even with all media gone is refused; queued control stays.
        assertThat(q.offer(List.of(msg("m4", 60)), Lane.MEDIA)).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(q.droppedMessages()).isEqualTo(4); // m3 evicted trying, m4 refused
        assertThat(q.droppedBytes()).isEqualTo(40 + 40 + 40 + 60);
        // Control that cannot fit alongside queued control is refused, not queued.
        assertThat(q.offer(List.of(msg("c2", 60)), Lane.CONTROL)).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(q.droppedMessages()).isEqualTo(5);
        assertThat(drain(q, 1)).containsExactly("c1");
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void streamSignalsKeepTheirPlaceAfterTheAudioAndAreNeverEvicted() throws Exception {
        OutboundQueue q = new OutboundQueue(100);
        q.offer(List.of(msg("a1", 30)), Lane.MEDIA);
        q.offer(List.of(msg("a2", 30)), Lane.MEDIA);
        q.offer(List.of(msg("e1", 10)), Lane.ORDERED);   // audioStreamEnd after a1, a2
        q.offer(List.of(msg("c1", 10)), Lane.CONTROL);
        // Over budget: the oldest audio goes, the end of stream stays in place.
        assertThat(q.offer(List.of(msg("a3", 30)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        assertThat(q.droppedMessages()).isEqualTo(1);
        assertThat(drain(q, 4)).containsExactly("a2", "e1", "c1", "a3");
    }

    @Test
    void speakThenTypeArrivesInThatOrderWithAudioStillQueued() throws Exception {
        OutboundQueue q = new OutboundQueue(1_000_000);
        for (int i = 0; i < 200; i++) {
            q.offer(List.of(msg("a" + (char) ('0' + i % 10), 100)), Lane.MEDIA);
        }
        q.offer(List.of(msg("t1", 20)), Lane.CONTROL);   // clientContent: typed after speaking
        q.offer(List.of(msg("r1", 20)), Lane.CONTROL);   // toolResponse
        List<String> out = drain(q, 202);
        assertThat(out.subList(0, 200)).allMatch(s -> s.startsWith("a"));
        assertThat(out.subList(200, 202)).containsExactly("t1", "r1");
    }

    @Test
    void aNewVideoFrameReplacesTheQueuedOnesAndNeverPushesOutAudio() throws Exception {
        OutboundQueue q = new OutboundQueue(100, 100);
        assertThat(q.offer(List.of(msg("a1", 40)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        assertThat(q.offer(List.of(msg("v1", 80)), Lane.VIDEO)).isEqualTo(SendResult.QUEUED);
        assertThat(q.offer(List.of(msg("a2", 40)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        assertThat(q.droppedMessages()).as("video has its own budget: no audio evicted").isZero();
        // The newest frame wins: v1 is stale once v2 exists (replaced, counted), and v2 takes v2's place in the order.
        assertThat(q.offer(List.of(msg("v2", 90)), Lane.VIDEO)).isEqualTo(SendResult.QUEUED);
        assertThat(q.droppedMessages()).isEqualTo(1);
        assertThat(q.droppedBytes()).isEqualTo(80);
        assertThat(q.queuedBytes()).isEqualTo(40 + 40 + 90);
        // A frame larger than the video budget is refused; the queued one stays.
        assertThat(q.offer(List.of(msg("v3", 101)), Lane.VIDEO)).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(q.droppedMessages()).isEqualTo(2);
        assertThat(drain(q, 3)).containsExactly("a1", "a2", "v2");
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void audioOverBudgetEvictsOlderAudioButNeverAVideoFrame() throws Exception {
        OutboundQueue q = new OutboundQueue(100, 1_000);
        q.offer(List.of(msg("v1", 500)), Lane.VIDEO);
        q.offer(List.of(msg("a1", 60)), Lane.MEDIA);
        assertThat(q.offer(List.of(msg("a2", 60)), Lane.MEDIA)).isEqualTo(SendResult.QUEUED);
        assertThat(q.droppedMessages()).isEqualTo(1);
        assertThat(drain(q, 2)).containsExactly("v1", "a2");
    }

    @Test
    void unsentMessagesComeBackInOrderWithTheirSourcesWithoutTheOpening() throws Exception {
        OutboundQueue q = new OutboundQueue(1_000);
        dev.habla.protocol.ClientMessage text = dev.habla.protocol.ClientMessage.ClientContent.userText("hi");
        q.offerFirstUnbounded(List.of(msg("s0", 10)));
        q.offer(List.of(msg("a1", 10)), Lane.MEDIA);
        q.offer(List.of(msg("t1", 10), msg("t2", 10)), Lane.CONTROL, text);
        List<OutboundQueue.Message> left = q.shutdownAndDrain();
        assertThat(left).extracting(m -> m.text().substring(0, 2)).containsExactly("a1", "t1", "t2");
        assertThat(left).extracting(OutboundQueue.Message::source).containsExactly(null, text, text);
        assertThat(q.take()).isNull();
    }

    @Test
    void laneOfSortsAudioVideoAndSignals() {
        assertThat(OutboundQueue.laneOf(dev.habla.protocol.ClientMessage.RealtimeInput.ofVideo("image/png", new byte[2])))
                .isEqualTo(Lane.VIDEO);
        assertThat(OutboundQueue.laneOf(dev.habla.protocol.ClientMessage.RealtimeInput.ofAudio(new byte[2], 16_000)))
                .isEqualTo(Lane.MEDIA);
        assertThat(OutboundQueue.laneOf(dev.habla.protocol.ClientMessage.RealtimeInput.ofAudioStreamEnd()))
                .isEqualTo(Lane.ORDERED);
    }

    @Test
    void framesOfOneMessageAreAllOrNothing() throws Exception {
        OutboundQueue q = new OutboundQueue(100);
        assertThat(q.offer(List.of(msg("a1", 30), msg("a2", 30)), Lane.CONTROL)).isEqualTo(SendResult.QUEUED);
        assertThat(q.offer(List.of(msg("b1", 30), msg("b2", 30)), Lane.CONTROL)).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(drain(q, 2)).containsExactly("a1", "a2");
    }

    @Test
    void closeAfterDrainRefusesNewSendsThenYieldsOneCloseMarker() throws Exception {
        OutboundQueue q = new OutboundQueue(100);
        q.offer(List.of(msg("m1", 10)), Lane.MEDIA);
        q.closeAfterDrain();
        assertThat(q.offer(List.of(msg("c1", 10)), Lane.CONTROL)).isEqualTo(SendResult.CLOSED);
        assertThat(drain(q, 1)).containsExactly("m1");
        assertThat(q.take()).isInstanceOf(OutboundQueue.CloseMarker.class);
        assertThat(q.take()).isNull();
    }

    @Test
    void shutdownDiscardsAndWakesTheWriter() throws Exception {
        OutboundQueue q = new OutboundQueue(100);
        Object[] taken = new Object[1];
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                taken[0] = q.take();
            } catch (InterruptedException e) {
                taken[0] = e;
            }
        });
        q.shutdown();
        writer.join();
        assertThat(taken[0]).isNull();
        assertThat(q.offer(List.of("x"), Lane.CONTROL)).isEqualTo(SendResult.CLOSED);
    }
}
