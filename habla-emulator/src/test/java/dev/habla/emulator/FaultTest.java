package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.FakeClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultTest {
    static final Duration QUIET = Duration.ofMillis(150);
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    @Test
    void injectWithoutSessionFails(LiveEmulator emu) {
        assertThatThrownBy(() -> emu.inject(new Fault.DropConnection())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> emu.inject("s42", new Fault.DropConnection())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void goAwayThenCloseAfterTimeLeft(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            emu.inject(new Fault.GoAway(Duration.ofSeconds(10)));
            ServerFrame f = c.next();
            assertThat(f.message()).isEqualTo(new ServerMessage.GoAway(Duration.ofSeconds(10)));
            clock.advance(Duration.ofSeconds(10));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1000, ""));
        }
    }

    @Test
    void closeWithCodeAndTruncatedReason(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            emu.inject(c.isOpen() ? emu.sessions().getFirst().id() : "", new Fault.Close(1011, "é".repeat(100)));
            RawClient.Closed closed = c.awaitClose();
            assertThat(closed.code()).isEqualTo(1011);
            assertThat(closed.reason()).isEqualTo("é".repeat(61));
        }
    }

    @Test
    void dropConnectionSendsNoCloseFrame(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            emu.inject(new Fault.DropConnection());
            RawClient.Event e = c.nextEvent(RawClient.WAIT);
            if (e instanceof RawClient.Closed closed) {
                assertThat(closed.code()).isEqualTo(1006);
            } else {
                assertThat(e).isInstanceOf(RawClient.Failed.class);
            }
        }
    }

    /**
     * The JDK client loses a plain end of stream (FIN) that arrives while its listener holds no read demand: its
     * transport stops reading and no onClose/onError ever comes (JDK 21-25, {@code TransportImpl} EOF path). A dropped
     * connection is therefore reset (RST), which the JDK reports as an error whatever the demand. This client reads the
     * setupComplete and asks for nothing more, as a busy listener that has not yet returned does.
     */
    @Test
    void dropConnectionReachesAClientThatIsNotReading(LiveEmulator emu) throws Exception {
        var events = new LinkedBlockingQueue<Object>();
        var http = HttpClient.newHttpClient();
        try {
            var ws = http.newWebSocketBuilder().buildAsync(URI.create(emu.wsUrl("v1beta") + "?key=test-key"),
                    new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket w) {
                            w.request(1); // the setupComplete, then no more demand
                        }

                        @Override
                        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                            events.add("frame");
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                            events.add(code);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket w, Throwable error) {
                            events.add(error);
                        }
                    }).get(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.sendText(Fixtures.text().json(), true).join();
            assertThat(events.poll(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("frame");
            emu.inject(new Fault.DropConnection());
            Object e = events.poll(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).as("the drop reported without read demand").isNotNull();
            if (e instanceof Integer code) {
                assertThat(code).isEqualTo(1006);
            } else {
                assertThat(e).isInstanceOf(IOException.class);
            }
            ws.abort();
        } finally {
            http.shutdownNow();
        }
    }

    @Test
    void deadlineExpired(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            emu.inject(new Fault.DeadlineExpired());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1011, "Deadline expired before operation could complete."));
        }
    }

    @Test
    void stallHoldsInputAndOutputUntilTheClockMoves(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            emu.inject(new Fault.Stall(Duration.ofSeconds(5)));
            c.send(ClientMessage.ClientContent.userText("are you there"));
            assertThat(c.pollEvent(QUIET)).isNull();
            clock.advance(Duration.ofSeconds(5));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: are you there");
        }
    }

    @Test
    void stallHoldsWhatTheServerProducesAfterItNotWhatItHadAlreadySent(LiveEmulator emu, FakeClock clock) throws Exception {
        // The script queues frames and injects the stall right after, before the writer can have sent them all.
        emu.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "before")))
                .fault(new Fault.Stall(Duration.ofSeconds(5)))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "after")))));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            assertThat(Fixtures.text(List.of(c.next()))).isEqualTo("before");
            assertThat(c.pollEvent(QUIET)).as("produced during the stall").isNull();
            clock.advance(Duration.ofSeconds(5));
            assertThat(Fixtures.text(List.of(c.next()))).isEqualTo("after");
        }
    }

    @Test
    void slowAudioPacesChunksBelowRealTime(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            emu.inject(new Fault.SlowAudio(0.5));
            c.send(ClientMessage.ClientContent.userText("hi")); // "You said: hi": 12 chars = 0.84 s = 11 chunks
            assertThat(AudioOutputTest.audioChunks(List.of(c.next()))).isEqualTo(1);
            assertThat(c.pollEvent(QUIET)).isNull();
            clock.advance(Duration.ofMillis(160)); // one 80 ms chunk per 160 ms
            assertThat(AudioOutputTest.audioChunks(List.of(c.next()))).isEqualTo(1);
            assertThat(c.pollEvent(QUIET)).isNull();
            clock.advance(Duration.ofMillis(160 * 9));
            List<ServerFrame> rest = c.until(f -> Fixtures.content(f).generationComplete());
            assertThat(AudioOutputTest.audioChunks(rest)).isEqualTo(9);
            clock.advance(Duration.ofMillis(1));
            assertThat(RawClient.isTurnComplete(c.next())).as("turn ends right after the last (late) chunk").isTrue();
        }
    }

    @Test
    void burstyAudio(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            emu.inject(new Fault.BurstyAudio(4, Duration.ofSeconds(1)));
            c.send(ClientMessage.ClientContent.userText("hi"));
            assertThat(AudioOutputTest.audioChunks(AudioOutputTest.readChunks(c, 4))).isEqualTo(4);
            assertThat(c.pollEvent(QUIET)).isNull();
            clock.advance(Duration.ofSeconds(1));
            assertThat(AudioOutputTest.audioChunks(AudioOutputTest.readChunks(c, 4))).isEqualTo(4);
            assertThat(c.pollEvent(QUIET)).isNull();
        }
    }

    @Test
    void phantomInterruptedWhenIdleAndWhileReplying(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            emu.inject(new Fault.PhantomInterrupted());
            ServerFrame f = c.next();
            assertThat(Fixtures.content(f).interrupted()).isTrue();
            assertThat(c.pollEvent(QUIET)).isNull();

            c.send(ClientMessage.ClientContent.userText(BargeInTest.LONG));
            AudioOutputTest.readChunks(c, 12);
            emu.inject(new Fault.PhantomInterrupted());
            List<ServerFrame> rest = c.untilTurnComplete();
            assertThat(Fixtures.content(rest.getFirst()).interrupted()).isTrue();
        }
    }

    @Test
    void prematureTurnCompleteThenKeepsStreaming(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            emu.inject(new Fault.PrematureTurnComplete());
            c.send(ClientMessage.ClientContent.userText("one two three four"));
            List<ServerFrame> first = c.untilTurnComplete();
            assertThat(first).hasSize(2);
            assertThat(first.getLast().usageMetadata()).isNull();
            List<ServerFrame> rest = c.untilTurnComplete();
            first.addAll(rest);
            assertThat(Fixtures.text(first)).isEqualTo("You said: one two three four");
            assertThat(rest).anyMatch(x -> Fixtures.content(x).generationComplete());
        }
    }

    @Test
    void refuseResumptionNeedsNoOpenSession(LiveEmulator emu) throws Exception {
        String handle;
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(null).json());
            c.next();
            handle = ((ServerMessage.SessionResumptionUpdate) c.next().message()).newHandle();
        }
        emu.inject(new Fault.RefuseResumption());
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(handle).json());
            assertThat(c.awaitClose().code()).isEqualTo(1007);
        }
    }
}
