package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.SendResult;
import dev.habla.client.internal.OutboundQueue.Lane;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue alone: priority, order, budget, eviction, close. No writer thread, so everything is deterministic. */
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

    @Test
    void controlGoesAheadOfMediaAndEachLaneKeepsItsOrder() throws Exception {
        OutboundQueue q = new OutboundQueue(1_000);
        q.offer(List.of(msg("m1", 10)), Lane.MEDIA);
        q.offer(List.of(msg("c1", 10)), Lane.CONTROL);
        q.offer(List.of(msg("m2", 10)), Lane.MEDIA);
        q.offer(List.of(msg("c2", 10)), Lane.CONTROL);
        q.offerFirstUnbounded(msg("s0", 10));
        assertThat(q.queuedBytes()).isEqualTo(50);
        assertThat(drain(q, 5)).containsExactly("s0", "c1", "c2", "m1", "m2");
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
        assertThat(drain(q, 4)).containsExactly("c1", "a2", "e1", "a3");
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
