package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ordering contract of a session's sends: the server receives the caller's messages in the order they were sent,
 * whatever their kind ("speak, then type" arrives spoken first). Shown with audio still queued when the text is sent,
 * on a plain and on a resilient session, as the emulator received it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendOrderTest extends ResilienceTestBase {
    static final int CHUNKS = 200;

    @BeforeEach
    void start() {
        realTime(b -> { });
    }

    /** 100 ms of quiet audio at 16 kHz: enough that the writer is still busy with it when the text is sent. */
    private static byte[] chunk(int i) {
        byte[] pcm = new byte[3200];
        pcm[0] = (byte) i;
        return pcm;
    }

    /** Audio messages the emulator received before the first typed turn, at most {@link #WAIT} apart. */
    private int audioBeforeText() throws InterruptedException {
        int audio = 0;
        while (true) {
            ReceivedMessage m = emulator.takeClientMessage(WAIT);
            assertThat(m).as("the typed turn reached the emulator").isNotNull();
            switch (m.message()) {
                case ClientMessage.RealtimeInput r when r.audio() != null -> audio++;
                case ClientMessage.ClientContent c -> {
                    return audio;
                }
                case ClientMessage.RealtimeInput r when r.text() != null -> {
                    return audio;
                }
                case null, default -> { }
            }
        }
    }

    @Test
    void aPlainSessionDeliversSpeakThenTypeInThatOrder() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(text(), rec)) {
            for (int i = 0; i < CHUNKS; i++) {
                assertThat(s.sendAudio(chunk(i), 16000)).isEqualTo(SendResult.QUEUED);
            }
            assertThat(s.sendText("after the audio")).isEqualTo(SendResult.QUEUED);
            assertThat(audioBeforeText()).as("audio chunks that reached the server before the text").isEqualTo(CHUNKS);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
    }

    @Test
    void aResilientSessionDeliversSpeakThenTypeInThatOrder() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            for (int i = 0; i < CHUNKS; i++) {
                assertThat(s.sendAudio(chunk(i), 16000)).isEqualTo(SendResult.QUEUED);
            }
            assertThat(s.sendText("after the audio")).isEqualTo(SendResult.QUEUED);
            assertThat(audioBeforeText()).as("audio chunks that reached the server before the text").isEqualTo(CHUNKS);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
    }

    /**
     * Text sent the moment the connection drops (the frame may go into a socket the server already closed) is
     * answered exactly once after the reconnect, in every one of many trials.
     */
    @Test
    void textSentAtTheMomentOfADropIsAnsweredExactlyOnce() throws Exception {
        int trials = 40;
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            s.sendText("warm-up");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            for (int i = 0; i < trials; i++) {
                awaitHandle(s);
                String line = String.format("trial-%02d", i);
                emulator.inject(new dev.habla.emulator.Fault.DropConnection());
                assertThat(s.sendText(line)).isEqualTo(SendResult.QUEUED);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!rec.text().contains("You said: " + line)) {
                    assertThat(System.nanoTime()).as("trial %d (%s) answered within %s; events: %s", i, line, WAIT,
                            RecordingListener.summary(rec.events())).isLessThan(deadline);
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            }
            s.sendText("done");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!rec.text().contains("You said: done")) {
                assertThat(System.nanoTime()).as("the last turn answered").isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            String all = rec.text();
            for (int i = 0; i < trials; i++) {
                String answer = "You said: " + String.format("trial-%02d", i);
                assertThat(all.split(java.util.regex.Pattern.quote(answer), -1).length - 1)
                        .as("answers to trial %d", i).isEqualTo(1);
            }
            assertThat(s.reconnects()).isEqualTo(trials);
        }
        rec.assertTerminatedOnce();
    }
}
