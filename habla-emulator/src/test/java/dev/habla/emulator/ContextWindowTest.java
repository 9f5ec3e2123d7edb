package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.UsageMetadata;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Context window compression (sliding window, live-protocol.md §3.1 / §5.9) and the session time limits without it
 * (audio-only 15 min, audio+video 2 min), on a fake clock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContextWindowTest {
    // Connections outlive the limits under test, so only the session limit can end them.
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock()
            .emulator(b -> b.connectionLifetime(Duration.ofHours(2)).goAwayLead(Duration.ofSeconds(5))));

    static UsageMetadata usage(List<ServerFrame> turn) {
        return turn.getLast().usageMetadata();
    }

    static String turnText(int i) {
        return "turn " + i + " is here"; // 14 chars
    }

    @Test
    void slidingWindowDropsTheOldestTurnsAtAUserTurnKeepingTheSystemInstruction(LiveEmulator emu) throws Exception {
        String system = "Be brief. Be kind. Be exact. Be quick!"; // 38 chars
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().systemInstruction(system).compression(40L, 20L))) {
            int[] prompt = new int[5];
            for (int i = 1; i <= 4; i++) {
                c.send(ClientMessage.ClientContent.userText(turnText(i)));
                List<ServerFrame> t = c.untilTurnComplete();
                assertThat(Fixtures.text(t)).isEqualTo("You said: " + turnText(i));
                prompt[i] = usage(t).promptTokenCount();
            }
            // Each turn: 14 chars of user text, 24 of reply. The system instruction counts from the start.
            assertThat(prompt[1]).isEqualTo((int) Math.ceil((38 + 14) / 4.0));
            assertThat(prompt[2]).isEqualTo((int) Math.ceil((38 + 38 + 14) / 4.0));
            // 38 + 3 * 38 = 152 chars = 38 tokens after turn 3's reply; turn 4's user text makes 166 = 42 > 40: the
            // window is cut at the first user turn that brings it to <= 20 tokens (80 chars incl. the system's 38):
            // turn 4 alone (38 + 14 = 52 chars, 13 tokens).
            assertThat(prompt[4]).isEqualTo((int) Math.ceil((38 + 14) / 4.0));
            c.send(ClientMessage.ClientContent.userText("history"));
            List<ServerFrame> h = c.untilTurnComplete();
            assertThat(Fixtures.text(h)).isEqualTo("History: 1. " + turnText(4));
            assertThat(usage(h).promptTokenCount()).isEqualTo((int) Math.ceil((38 + 14 + 24 + 7) / 4.0));
        }
        EmulatorSession s = emu.session("s1").orElseThrow();
        assertThat(s.history()).containsExactly(turnText(4), "history");
        assertThat(s.conversation().getFirst().role()).isEqualTo("user");
    }

    /**
     * Three user turns of 40 000 chars (10 000 tokens each) as prefilled history (no reply: an audio reply of that
     * text would be hours long); returns the first 4 chars of each user turn left in the session's context.
     */
    List<String> threeBigTurns(LiveEmulator emu, Fixtures.SetupJson setup) throws Exception {
        String id;
        try (RawClient c = RawClient.setUp(emu, setup)) {
            id = emu.sessions().getLast().id();
            for (int i = 1; i <= 3; i++) {
                String big = "big" + i + " " + "x".repeat(40_000 - 5);
                c.send(new ClientMessage.ClientContent(List.of(dev.habla.protocol.Content.text("user", big)), false));
            }
        }
        // The close is handled after the frames before it; the closed session's snapshot has the final context.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (emu.session(id).orElseThrow().open() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        return emu.session(id).orElseThrow().history().stream().map(t -> t.substring(0, 4)).toList();
    }

    @Test
    void defaultsAreEightyPercentOfTheModelsWindowAndHalfOfThat(LiveEmulator emu) throws Exception {
        // Half-cascade: 32 768-token window, trigger 26 214, target 13 107. 30 000 tokens > trigger: keep the last
        // user turn that fits the target (big3, 10 000).
        assertThat(threeBigTurns(emu, Fixtures.text().compression(null, null))).containsExactly("big3");
        // Native audio: 131 072-token window, trigger 104 857: nothing is dropped.
        assertThat(threeBigTurns(emu, Fixtures.audio().compression(null, null))).containsExactly("big1", "big2", "big3");
        // A target only: the trigger is still 80 %, the cut is the first user turn that fits 25 000.
        assertThat(threeBigTurns(emu, Fixtures.text().compression(null, 25_000L))).containsExactly("big2", "big3");
    }

    // ---- session time limits without compression ----

    /** Waits (bounded) until the emulator has consumed {@code bytes} of audio in session {@code id}. */
    void awaitAudio(LiveEmulator emu, String id, int bytes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (emu.session(id).orElseThrow().receivedAudio().length < bytes && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        assertThat(emu.session(id).orElseThrow().receivedAudio().length).isGreaterThanOrEqualTo(bytes);
    }

    /** Skips frames until a resumable handle. */
    static String handle(RawClient c) throws InterruptedException {
        while (true) {
            if (c.next().message() instanceof ServerMessage.SessionResumptionUpdate u && u.resumable()) {
                return u.newHandle();
            }
        }
    }

    @Test
    void audioOnlySessionEndsAfterFifteenMinutesAndCannotBeResumed(LiveEmulator emu, FakeClock clock) throws Exception {
        String handle;
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().resumable(null))) {
            handle = handle(c);
            c.send(ClientMessage.RealtimeInput.ofAudio(Fixtures.silence(100, 16000), 16000));
            awaitAudio(emu, "s1", 3200);
            clock.advance(Duration.ofMinutes(15).minusMillis(1));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            clock.advance(Duration.ofMillis(1));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1000, ""));
        }
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.audio().resumable(handle).json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
    }

    @Test
    void sessionTimeAddsUpAcrossResumedConnections(LiveEmulator emu, FakeClock clock) throws Exception {
        String handle;
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().resumable(null))) {
            c.send(ClientMessage.RealtimeInput.ofAudio(Fixtures.silence(100, 16000), 16000));
            handle = handle(c);
            awaitAudio(emu, "s1", 3200);
            clock.advance(Duration.ofMinutes(10));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!emu.sessions().isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000); // the server notices the close asynchronously; then it is unregistered
        }
        assertThat(emu.sessions()).isEmpty();
        clock.advance(Duration.ofHours(1)); // time without a connection is not session time
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().resumable(handle))) {
            handle(c);
            clock.advance(Duration.ofMinutes(5).minusMillis(1));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            clock.advance(Duration.ofMillis(1));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1000, ""));
        }
    }

    @Test
    void videoMakesItTwoMinutes(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            c.send(ClientMessage.RealtimeInput.ofAudio(Fixtures.silence(100, 16000), 16000));
            awaitAudio(emu, "s1", 3200);
            clock.advance(Duration.ofMinutes(1));
            c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", Fixtures.jpeg()));
            c.send(ClientMessage.RealtimeInput.ofAudio(Fixtures.silence(100, 16000), 16000)); // processed after the frame
            awaitAudio(emu, "s1", 6400);
            clock.advance(Duration.ofMinutes(1).minusMillis(1));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            clock.advance(Duration.ofMillis(1));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1000, ""));
        }
    }

    @Test
    void compressionOrTextOnlyMeansNoLimit(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient audio = RawClient.setUp(emu, Fixtures.audio().compression(null, null));
                RawClient text = RawClient.setUp(emu, Fixtures.text())) {
            audio.send(ClientMessage.RealtimeInput.ofAudio(Fixtures.silence(100, 16000), 16000));
            awaitAudio(emu, "s1", 3200);
            text.send(ClientMessage.ClientContent.userText("still here?"));
            text.untilTurnComplete();
            clock.advance(Duration.ofMinutes(30));
            assertThat(audio.pollEvent(Duration.ofMillis(100))).isNull();
            text.send(ClientMessage.ClientContent.userText("yes"));
            assertThat(Fixtures.text(text.untilTurnComplete())).isEqualTo("You said: yes");
            audio.send(ClientMessage.RealtimeInput.ofText("and you"));
            assertThat(Fixtures.audio(audio.until(f -> Fixtures.content(f) != null && Fixtures.content(f).modelTurn() != null)))
                    .isNotEmpty();
        }
    }

    @Test
    void limitsAreConfigurable(FakeClock clock) throws Exception {
        try (LiveEmulator emu = LiveEmulator.create(b -> b.clock(clock).connectionLifetime(Duration.ofHours(2))
                .sessionLimits(null, null));
                RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            c.send(ClientMessage.RealtimeInput.ofAudio(Fixtures.silence(100, 16000), 16000));
            awaitAudio(emu, "s1", 3200);
            clock.advance(Duration.ofMinutes(30));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
        }
    }
}
