package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a long-lived emulator retains stays within its caps: recorded audio per logical session (the newest bytes),
 * closed-session snapshots (count and audio). The outbound queue's bound is habla-server's (EchoServerTest).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryBoundsTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    /** {@code n} bytes of a pattern no shorter window repeats in, so the kept tail can be checked byte for byte. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((i * 31 + seed) ^ (i >>> 8) ^ (i >>> 16));
        }
        return b;
    }

    static void awaitRecorded(LiveEmulator emu, String id, byte[] expectedTail) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] got = emu.session(id).orElseThrow().receivedAudio();
            if (got.length >= expectedTail.length
                    && Arrays.equals(got, got.length - expectedTail.length, got.length, expectedTail, 0, expectedTail.length)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5); // polling a state, not waiting for an event: bounded by the deadline
        }
        throw new AssertionError("the emulator did not record the last chunk within " + WAIT);
    }

    @Test
    void recordedAudioKeepsTheNewestBytesWithinTheCap() throws Exception {
        int cap = 64_000;
        try (LiveEmulator emu = LiveEmulator.create(b -> b.maxRecordedAudio(cap));
                RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            byte[] sent = pattern(250_000, 7); // ~7.8 s at 16 kHz, in odd-sized chunks that wrap the ring unevenly
            int step = 3_202;
            byte[] last = null;
            for (int off = 0; off < sent.length; off += step) {
                last = Arrays.copyOfRange(sent, off, Math.min(sent.length, off + step));
                c.send(ClientMessage.RealtimeInput.ofAudio(last, 16_000));
            }
            String id = emu.sessions().getFirst().id();
            awaitRecorded(emu, id, last);
            byte[] got = emu.session(id).orElseThrow().receivedAudio();
            assertThat(got).hasSize(cap);
            assertThat(got).isEqualTo(Arrays.copyOfRange(sent, sent.length - cap, sent.length));
        }
    }

    @Test
    void zeroRecordsNoAudio() throws Exception {
        try (LiveEmulator emu = LiveEmulator.create(b -> b.maxRecordedAudio(0));
                RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.RealtimeInput.ofAudio(pattern(3200, 1), 16_000));
            c.send(ClientMessage.ClientContent.userText("after"));
            c.untilTurnComplete(); // the audio before it was processed
            assertThat(emu.sessions().getFirst().receivedAudio()).isEmpty();
        }
    }

    @Test
    void closedSnapshotsStayWithinTheirCountAndAudioBudget() throws Exception {
        int cap = 20_000;
        try (LiveEmulator emu = LiveEmulator.create(b -> b.maxRecordedAudio(cap).keepClosedSessions(3))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
                    byte[] audio = pattern(8_000, i);
                    c.send(ClientMessage.RealtimeInput.ofAudio(audio, 16_000));
                    String id = emu.sessions().getLast().id();
                    ids.add(id);
                    awaitRecorded(emu, id, audio);
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!emu.sessions().isEmpty() && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(5); // the close reaches the emulator asynchronously
                }
                assertThat(emu.sessions()).isEmpty();
                List<EmulatorSession> kept = ids.stream().map(emu::session).flatMap(java.util.Optional::stream).toList();
                long keptAudio = kept.stream().mapToLong(s -> s.receivedAudio().length).sum();
                assertThat(kept).as("closed snapshots after %d sessions", i + 1).hasSizeLessThanOrEqualTo(3);
                assertThat(keptAudio).isLessThanOrEqualTo(cap);
                assertThat(kept).as("the newest is always kept").extracting(EmulatorSession::id).contains(ids.getLast());
            }
            // 8,000 bytes each within 20,000: two snapshots' audio fits, a third does not.
            assertThat(ids.stream().map(emu::session).flatMap(java.util.Optional::stream).toList()).hasSize(2);
        }
    }
}
