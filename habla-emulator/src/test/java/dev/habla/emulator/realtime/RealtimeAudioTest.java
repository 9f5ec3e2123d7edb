package dev.habla.emulator.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.realtime.AudioConfig;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.Item;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Session;
import dev.habla.realtime.Transcription;
import dev.habla.realtime.TurnDetection;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Audio in and out on the emulator clock: server VAD turns, manual turns, barge-in and truncation. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealtimeAudioTest {
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    private static Session transcribed(TurnDetection td) {
        return Session.update().withAudio(new AudioConfig(new AudioConfig.Input(null, null,
                Transcription.model("gpt-4o-mini-transcribe"), td), null));
    }

    @Test
    void serverVadTurnIsTranscribedAndAnsweredWithSpeech(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.SessionUpdate(transcribed(null)));
            c.until(ServerEvent.SessionUpdated.class);
            c.append(RealtimeClient.tone(1000));
            c.append(RealtimeClient.silence(600));
            List<ServerEvent> turn = c.until(ServerEvent.ResponseCreated.class);
            var started = RealtimeClient.of(turn, ServerEvent.SpeechStarted.class).getFirst();
            var stopped = RealtimeClient.of(turn, ServerEvent.SpeechStopped.class).getFirst();
            var committed = RealtimeClient.of(turn, ServerEvent.InputAudioBufferCommitted.class).getFirst();
            assertThat(started.audioStartMs()).isZero();
            assertThat(stopped.audioEndMs()).isEqualTo(1000);
            assertThat(committed.itemId()).isEqualTo(started.itemId()).isEqualTo(stopped.itemId());
            var added = RealtimeClient.of(turn, ServerEvent.ConversationItemAdded.class).getFirst();
            assertThat(added.item()).isInstanceOfSatisfying(Item.Message.class, m -> {
                assertThat(m.role()).isEqualTo("user");
                assertThat(m.content().getFirst().type()).isEqualTo("input_audio");
            });
            var transcript = RealtimeClient.of(turn, ServerEvent.InputAudioTranscriptionCompleted.class).getFirst();
            assertThat(transcript.transcript()).isEqualTo("[speech 1.00s]");
            assertThat(transcript.itemId()).isEqualTo(committed.itemId());

            clock.advance(Duration.ofSeconds(5)); // all bursts, and the time the reply takes to play
            List<ServerEvent> reply = c.response();
            assertThat(RealtimeClient.transcript(reply)).isEqualTo("I heard 1.00 seconds of audio.");
            assertThat(RealtimeClient.audioBytes(reply)).isEqualTo("I heard 1.00 seconds of audio.".length() * 1680 * 2);
            assertThat(RealtimeClient.of(reply, ServerEvent.ResponseDone.class).getFirst().response().status()).isEqualTo("completed");
            assertThat(emu.sessions().getFirst().history()).containsExactly("[speech 1.00s]");
        }
    }

    @Test
    void responseStaysInProgressUntilItsAudioHasPlayed(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("hello there")));
            c.send(new ClientEvent.ResponseCreate());
            // "You said: hello there" = 21 chars = 1.47 s = 19 chunks: 12 now, 7 after 250 ms, done at 1.47 s.
            c.untilAudioDeltas(12);
            clock.advance(Duration.ofMillis(250));
            c.untilAudioDeltas(7);
            clock.advance(Duration.ofMillis(1000));
            clock.advance(Duration.ofMillis(219));
            assertThat(c.ws.poll(Duration.ofMillis(150))).as("still playing at 1.469 s").isNull();
            clock.advance(Duration.ofMillis(1));
            assertThat(c.until(ServerEvent.ResponseDone.class)).isNotEmpty();
        }
    }


    @Test
    void speechCancelsTheResponseAndTruncateKeepsWhatWasHeard(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("tell me a long story about the sea and the ships")));
            c.send(new ClientEvent.ResponseCreate());
            List<ServerEvent> first = c.untilAudioDeltas(12);
            String assistantItem = RealtimeClient.of(first, ServerEvent.ResponseOutputItemAdded.class).getFirst().item().id();
            String sent = RealtimeClient.transcript(first);
            // The user talks over the reply: server VAD cancels it (interrupt_response defaults to true).
            c.append(RealtimeClient.tone(300));
            List<ServerEvent> cut = c.until(ServerEvent.ResponseDone.class);
            assertThat(cut.getFirst()).isInstanceOf(ServerEvent.SpeechStarted.class);
            var done = RealtimeClient.of(cut, ServerEvent.ResponseDone.class).getFirst();
            assertThat(done.response().status()).isEqualTo("cancelled");
            assertThat(done.response().statusDetails().reason()).isEqualTo("turn_detected");
            var transcriptDone = RealtimeClient.of(cut, ServerEvent.ResponseOutputAudioTranscriptDone.class).getFirst();
            assertThat(transcriptDone.transcript()).isEqualTo(sent);
            assertThat(RealtimeClient.of(cut, ServerEvent.ResponseOutputItemDone.class).getFirst().item().status()).isEqualTo("incomplete");
            c.until(ServerEvent.RateLimitsUpdated.class);

            // The client played 400 ms of it: "You said: te" started by then (70 ms per character, words as pieces).
            c.send(new ClientEvent.ConversationItemTruncate(null, assistantItem, 0, 400));
            var truncated = (ServerEvent.ConversationItemTruncated) c.next();
            assertThat(truncated.audioEndMs()).isEqualTo(400);
            c.send(new ClientEvent.ConversationItemRetrieve(null, assistantItem));
            var retrieved = (ServerEvent.ConversationItemRetrieved) c.next();
            assertThat(retrieved.item()).isInstanceOfSatisfying(Item.Message.class, m ->
                    assertThat(m.content().getFirst().transcript()).isEqualTo("You said:"));
            // Past what was sent: an in-band error, the session stays.
            c.send(new ClientEvent.ConversationItemTruncate("t2", assistantItem, 0, 60_000));
            var err = (ServerEvent.ErrorEvent) c.next();
            assertThat(err.error().param()).isEqualTo("audio_end_ms");
            assertThat(err.error().eventId()).isEqualTo("t2");

            // The user's utterance ends and gets its own answer.
            c.append(RealtimeClient.silence(600));
            List<ServerEvent> next = c.until(ServerEvent.ResponseCreated.class);
            assertThat(RealtimeClient.of(next, ServerEvent.InputAudioBufferCommitted.class)).hasSize(1);
            clock.advance(Duration.ofSeconds(5));
            assertThat(RealtimeClient.transcript(c.response())).isEqualTo("I heard 0.30 seconds of audio.");
        }
    }

    @Test
    void g711MuLawInAndOut(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.SessionUpdate(Session.update().withAudio(new AudioConfig(
                    new AudioConfig.Input(dev.habla.realtime.AudioFormat.PCMU, null, null, null),
                    new AudioConfig.Output(dev.habla.realtime.AudioFormat.PCMU, null, null)))));
            var updated = (ServerEvent.SessionUpdated) c.next();
            assertThat(updated.session().audio().output().format()).isEqualTo(dev.habla.realtime.AudioFormat.PCMU);
            // 8 kHz mu-law, one byte per sample: 0x80/0x00 are full scale +/-, 0xFF is zero. 1 s loud, 0.6 s silent.
            byte[] ulaw = new byte[8000 + 4800];
            for (int i = 0; i < ulaw.length; i++) {
                ulaw[i] = i < 8000 ? ((i / 10) % 2 == 0 ? (byte) 0x80 : (byte) 0x00) : (byte) 0xFF;
            }
            for (int off = 0; off < ulaw.length; off += 800) {
                c.send(new ClientEvent.InputAudioBufferAppend(java.util.Arrays.copyOfRange(ulaw, off, off + 800)));
            }
            List<ServerEvent> turn = c.until(ServerEvent.ResponseCreated.class);
            assertThat(RealtimeClient.of(turn, ServerEvent.SpeechStopped.class).getFirst().audioEndMs()).isEqualTo(1000);
            clock.advance(Duration.ofSeconds(5));
            List<ServerEvent> reply = c.response();
            assertThat(RealtimeClient.transcript(reply)).isEqualTo("I heard 1.00 seconds of audio.");
            // 70 ms per character at 8 kHz, one byte per sample.
            assertThat(RealtimeClient.audioBytes(reply)).isEqualTo("I heard 1.00 seconds of audio.".length() * 560);
        }
    }

    @Test
    void manualTurnsCommitWithoutAResponse(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.SessionUpdate(Session.update().withOutputModalities(List.of("text"))
                    .withAudio(new AudioConfig(new AudioConfig.Input(null, null, null, TurnDetection.NONE), null))));
            var updated = (ServerEvent.SessionUpdated) c.next();
            assertThat(updated.session().audio().input().turnDetection().isNone()).isTrue();
            c.send(new ClientEvent.InputAudioBufferCommit("c0"));
            var empty = (ServerEvent.ErrorEvent) c.next();
            assertThat(empty.error().code()).isEqualTo("input_audio_buffer_commit_empty");
            assertThat(empty.error().eventId()).isEqualTo("c0");
            c.append(RealtimeClient.tone(500));
            c.send(new ClientEvent.InputAudioBufferCommit(null));
            List<ServerEvent> commit = c.until(ServerEvent.ConversationItemDone.class);
            assertThat(commit).extracting(ServerEvent::type).containsExactly("input_audio_buffer.committed",
                    "conversation.item.added", "conversation.item.done");
            c.send(new ClientEvent.ResponseCreate());
            assertThat(RealtimeClient.text(c.response())).isEqualTo("I heard 0.50 seconds of audio.");
            c.append(RealtimeClient.tone(200));
            c.send(new ClientEvent.InputAudioBufferClear(null));
            assertThat(c.next()).isInstanceOf(ServerEvent.InputAudioBufferCleared.class);
        }
    }
}
