package dev.habla.emulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.FunctionCall;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The emulator's bounded structures: the audio ring and the remembered cancelled call ids. */
class BoundsTest {

    @Test
    void audioRecordKeepsTheNewestBytesLikeAnUnboundedRecordsTail() {
        Random rnd = new Random(42);
        for (int cap : new int[] {1, 7, 4096, 10_000, 100_000}) {
            AudioRecord ring = new AudioRecord(cap);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < 400; i++) {
                byte[] chunk = new byte[rnd.nextInt(i % 50 == 0 ? 3 * cap + 2 : 5000)];
                rnd.nextBytes(chunk);
                ring.append(chunk);
                all.writeBytes(chunk);
                byte[] a = all.toByteArray();
                byte[] tail = Arrays.copyOfRange(a, Math.max(0, a.length - cap), a.length);
                assertThat(ring.toArray()).as("cap %d after %d chunks", cap, i + 1).isEqualTo(tail);
                assertThat(ring.size()).isLessThanOrEqualTo(cap);
                assertThat(ring.total()).isEqualTo(a.length);
            }
        }
        AudioRecord none = new AudioRecord(0);
        none.append(new byte[100]);
        assertThat(none.toArray()).isEmpty();
        assertThat(none.total()).isEqualTo(100);
    }

    @Test
    void cancelledCallIdsAreCapped() {
        ToolCalls calls = new ToolCalls();
        AtomicLong ids = new AtomicLong();
        String firstId = null;
        for (int i = 0; i < ToolCalls.MAX_CANCELLED + 500; i++) {
            Turn t = new Turn();
            String id = calls.issue(t, List.of(new FunctionCall(null, "f", null)), () -> "call-" + ids.incrementAndGet())
                    .getFirst().id();
            firstId = firstId == null ? id : firstId;
            assertThat(calls.cancelFor(t)).containsExactly(id);
            assertThat(calls.isCancelled(id)).isTrue();
        }
        assertThat(calls.cancelledCount()).isEqualTo(ToolCalls.MAX_CANCELLED);
        assertThat(calls.isCancelled(firstId)).as("the oldest forgotten").isFalse();
        assertThat(calls.blockingPending()).isFalse();
    }
}
