package dev.habla.emulator.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.realtime.AudioConfig;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.Item;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Session;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The emulator's OpenAI Realtime endpoint: session, text turns, the GA event order (docs/openai-realtime.md §7.1). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealtimeTextTurnTest {
    @RegisterExtension
    final EmulatorExtension emulator = new EmulatorExtension();

    @Test
    void serverSpeaksFirstWithTheDefaultSession(LiveEmulator emu) throws Exception {
        try (RealtimeClient c = RealtimeClient.open(emu, "?model=gpt-realtime", java.util.Map.of("Authorization", "Bearer k"))) {
            var created = (ServerEvent.SessionCreated) c.next();
            Session s = created.session();
            assertThat(s.id()).startsWith("sess_");
            assertThat(s.model()).isEqualTo("gpt-realtime");
            assertThat(s.outputModalities()).containsExactly("audio");
            assertThat(s.audio().output().voice()).isEqualTo("alloy");
            assertThat(s.audio().input().turnDetection().type()).isEqualTo("server_vad");
            assertThat(s.audio().input().turnDetection().interruptResponse()).isTrue();
            assertThat(s.expiresAt()).isGreaterThan(emu.clock().now().getEpochSecond() + 3500);
        }
    }

    @Test
    void textTurnFollowsTheServiceOrder(LiveEmulator emu) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.SessionUpdate(Session.update().withOutputModalities(List.of("text")).withInstructions("Be brief.")));
            var updated = (ServerEvent.SessionUpdated) c.next();
            assertThat(updated.session().outputModalities()).containsExactly("text");
            assertThat(updated.session().instructions()).isEqualTo("Be brief.");
            assertThat(updated.session().audio().output().voice()).as("full config").isEqualTo("alloy");

            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("the quick brown fox")));
            c.send(new ClientEvent.ResponseCreate());
            List<ServerEvent> events = c.response();
            assertThat(events.stream().map(ServerEvent::type).distinct().toList()).containsExactly(
                    "conversation.item.added", "conversation.item.done", "response.created", "response.output_item.added",
                    "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                    "response.content_part.done", "response.output_item.done", "response.done", "rate_limits.updated");
            assertThat(RealtimeClient.text(events)).isEqualTo("You said: the quick brown fox");
            assertThat(RealtimeClient.of(events, ServerEvent.ResponseOutputTextDelta.class)).hasSizeGreaterThanOrEqualTo(3);
            var done = RealtimeClient.of(events, ServerEvent.ResponseDone.class).getFirst();
            assertThat(done.response().status()).isEqualTo("completed");
            assertThat(done.response().output()).singleElement().isInstanceOfSatisfying(Item.Message.class, m -> {
                assertThat(m.role()).isEqualTo("assistant");
                assertThat(m.content().getFirst().text()).isEqualTo("You said: the quick brown fox");
            });
            assertThat(done.response().usage().outputTokens()).isEqualTo(("You said: the quick brown fox".length() + 3) / 4);

            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("history")));
            c.send(new ClientEvent.ResponseCreate());
            assertThat(RealtimeClient.text(c.response())).isEqualTo("History: 1. the quick brown fox");
        }
        // The server sees the close asynchronously: wait (bounded) for the session to leave the open list.
        long deadline = System.nanoTime() + RealtimeClient.WAIT.toNanos();
        while (!emu.sessions().isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        assertThat(emu.sessions()).isEmpty();
        assertThat(emu.session("s1")).hasValueSatisfying(s -> {
            assertThat(s.open()).isFalse();
            assertThat(s.history()).containsExactly("the quick brown fox", "history");
        });
    }

    @Test
    void audioTextTurnStreamsAudioWithTranscript(LiveEmulator emu) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("hi")));
            c.send(new ClientEvent.ResponseCreate());
            List<ServerEvent> events = c.response();
            assertThat(RealtimeClient.transcript(events)).isEqualTo("You said: hi");
            assertThat(RealtimeClient.audioBytes(events)).isEqualTo("You said: hi".length() * 1680 * 2);
            var parts = RealtimeClient.of(events, ServerEvent.ResponseContentPartAdded.class);
            assertThat(parts.getFirst().part().type()).isEqualTo("audio");
            var done = RealtimeClient.of(events, ServerEvent.ResponseOutputAudioTranscriptDone.class).getFirst();
            assertThat(done.transcript()).isEqualTo("You said: hi");
        }
    }

    @Test
    void imagesInUserItemsAreSeen(LiveEmulator emu) throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(64, 48, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.RED);
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        var png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", png);
        String url = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png.toByteArray());
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.send(new ClientEvent.SessionUpdate(Session.update().withOutputModalities(List.of("text"))));
            c.next();
            c.send(new ClientEvent.ConversationItemCreate(new Item.Message(null, null, "user", List.of(
                    dev.habla.realtime.ContentPart.inputImage(url), dev.habla.realtime.ContentPart.inputText("what do you see?")))));
            c.send(new ClientEvent.ResponseCreate());
            assertThat(RealtimeClient.text(c.response())).isEqualTo("I see a 64x48 image, mostly red; 1 frame since your last turn.");
        }
    }

    @Test
    void sessionUpdateWithAudioConfigAnswersTheFullConfig(LiveEmulator emu) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu)) {
            c.sendRaw("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"Be helpful.\",\"model\":\"gpt-realtime\",\"output_modalities\":[\"text\"],\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"noise_reduction\":null,\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"},\"turn_detection\":{\"type\":\"semantic_vad\"}},\"output\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"speed\":1}},\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather for a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],\"additionalProperties\":false}}]}}");
            var updated = (ServerEvent.SessionUpdated) c.next();
            AudioConfig.Input in = updated.session().audio().input();
            assertThat(in.turnDetection().type()).isEqualTo("semantic_vad");
            assertThat(in.turnDetection().interruptResponse()).isTrue();
            assertThat(in.transcription().model()).isEqualTo("gpt-4o-mini-transcribe");
            assertThat(updated.session().tools()).extracting(t -> t.name()).containsExactly("get_weather");
            c.sendRaw("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"tracing\":\"auto\"}}");
            assertThat(((ServerEvent.SessionUpdated) c.next()).session().tracing().asText()).isEqualTo("auto");
        }
    }
}
