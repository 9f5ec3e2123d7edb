package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveException.Kind;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Inbound flow: large frames in parts, text and binary opcodes, a listener that blocks, cancelled connects. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowTest extends EmulatorTest {

    @Test
    void realtimeSignalsNeverOvertakeTheAudioSentBeforeThem() throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        extension.closeAfterwards(s);
        takeMatching(m -> m instanceof ClientMessage.Setup);
        // 200 chunks of 20 ms queued faster than the writer sends them, then the end of the stream and a typed
        // line: both must reach the server after the last chunk, or it would end the stream early.
        for (int i = 0; i < 200; i++) {
            byte[] pcm = new byte[640];
            pcm[0] = (byte) i;
            pcm[1] = (byte) (i >> 8);
            assertThat(s.sendAudio(pcm, 16_000)).isEqualTo(SendResult.QUEUED);
        }
        s.audioStreamEnd();
        s.send(ClientMessage.RealtimeInput.ofText("after the audio"));
        for (int i = 0; i < 200; i++) {
            ClientMessage m = emulator.takeClientMessage(WAIT).message();
            assertThat(m).as("message %d", i).isInstanceOfSatisfying(ClientMessage.RealtimeInput.class,
                    r -> assertThat(r.audio()).isNotNull());
            byte[] data = ((ClientMessage.RealtimeInput) m).audio().data();
            assertThat((data[0] & 0xff) | (data[1] & 0xff) << 8).isEqualTo(i);
        }
        ClientMessage end = emulator.takeClientMessage(WAIT).message();
        assertThat(end).isInstanceOfSatisfying(ClientMessage.RealtimeInput.class,
                r -> assertThat(r.audioStreamEnd()).isTrue());
        ClientMessage text = emulator.takeClientMessage(WAIT).message();
        assertThat(text).isInstanceOfSatisfying(ClientMessage.RealtimeInput.class,
                r -> assertThat(r.text()).isEqualTo("after the audio"));
    }

    @Test
    void largeFramesArriveWholeInTextAndBinaryOpcodes() throws Exception {
        String big = "a".repeat(700_000) + "z";
        emulator.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete("sid-1"))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", big)))
                .sendRaw("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"text\":\"" + big + "\"}]}}}", false)
                .sendRaw("{\"serverContent\":{\"turnComplete\":true}}", false)));
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        extension.closeAfterwards(s);
        assertThat(s.sessionId()).isEqualTo("sid-1");
        assertThat(rec.await(LiveEvent.TextDelta.class, WAIT).text()).isEqualTo(big);
        assertThat(rec.await(LiveEvent.TextDelta.class, WAIT).text()).isEqualTo(big);
        rec.await(LiveEvent.TurnComplete.class, WAIT);
    }

    @Test
    void aBlockedListenerDoesNotBlockTheSocketAndCloseStillCompletes() throws Exception {
        LiveClient quick = newClient(b -> b.closeTimeout(Duration.ofMillis(300)));
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        RecordingListener rec = new RecordingListener();
        SessionListener slow = e -> {
            rec.onEvent(e);
            // Stuck at the end of the first answer, not inside it: the rest of an answer the listener has not yet
            // seen may still be in the emulator's queue when close() runs, and a close overtakes it (CI, under load:
            // only "You" delivered). Blocked here, the first answer is whole and 99 more are streaming in.
            if (e instanceof LiveEvent.TurnComplete && first.getAndSet(false)) {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        LiveSession s = quick.connect(text(), slow);
        for (int i = 0; i < 100; i++) {
            s.sendText("turn " + i);
        }
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        // Sends still work while the listener is stuck: the writer is independent of the reader.
        assertThat(s.sendText("one more")).isEqualTo(SendResult.QUEUED);
        long t0 = System.nanoTime();
        s.close();
        long closeMillis = (System.nanoTime() - t0) / 1_000_000;
        // The peer's answer cannot be read while the buffer is full, so close falls back to abort after 300 ms.
        assertThat(closeMillis).isLessThan(3_000);
        assertThat(s.state()).isEqualTo(SessionState.CLOSED);
        assertThat(rec.all(LiveEvent.Closed.class)).isEmpty(); // delivered only after the listener returns
        release.countDown();
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNull();
        rec.assertTerminatedOnce();
        // What was delivered is a prefix of the wire stream: "You said: turn 0", "You said: turn 1"… in order.
        assertThat(rec.text()).startsWith("You said: turn 0");
    }

    @Test
    void cancellingAPendingConnectAbortsIt() throws Exception {
        emulator.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class))); // never completes the setup
        RecordingListener rec = new RecordingListener();
        CompletableFuture<LiveSession> f = client.connectAsync(text(), rec);
        takeMatching(m -> m instanceof ClientMessage.Setup);
        f.cancel(false);
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error().kind()).isEqualTo(Kind.CLOSED);
        rec.assertTerminatedOnce();
    }
}
