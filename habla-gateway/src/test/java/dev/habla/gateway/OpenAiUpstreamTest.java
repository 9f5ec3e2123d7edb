package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.tools.ToolRegistry;
import dev.habla.tools.Tools;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Live-protocol client served by an OpenAI Realtime upstream: the gateway's upstream client set to
 * {@code Provider.OPENAI} (the emulator's {@code /v1/realtime}); the client speaks the Live wire with a token as
 * always, and gets Live frames back (text, history, server-side tools, spoken answers to 16 kHz audio).
 */
@Timeout(60)
class OpenAiUpstreamTest {
    static final Duration T = Duration.ofSeconds(15);
    static Fixture f;

    record Sum(int a, int b) {}

    @BeforeAll
    static void start() {
        ToolRegistry tools = ToolRegistry.create(b -> b.add(Tools.function("add", "Adds two numbers", Sum.class, s -> s.a() + s.b())));
        f = new Fixture(e -> { }, g -> g.tools(tools), Provider.OPENAI);
    }

    @AfterAll
    static void stop() {
        if (f != null) {
            f.close();
        }
    }

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model("gpt-realtime").responseModality(ResponseModality.TEXT));
    }

    @Test
    void textTurnsHistoryAndServerToolsOverTheLiveWire() throws Exception {
        Events ev = new Events();
        try (LiveClient client = f.tokenClient(f.mint("{}")); LiveSession s = client.connect(text(), ev)) {
            s.sendText("hello");
            assertThat(ev.reply(T)).isEqualTo("You said: hello");
            s.sendText("history");
            assertThat(ev.reply(T)).isEqualTo("History: 1. hello");
            s.sendText("call add {\"a\":2,\"b\":3}");
            assertThat(ev.reply(T)).startsWith("Tool add returned").contains("5");
            assertThat(ev.all).noneMatch(e -> e instanceof LiveEvent.ToolCallRequested);
        }
    }

    @Test
    void spokenInputAt16kHzIsAnsweredInSpeech() throws Exception {
        Events ev = new Events();
        SessionConfig audio = SessionConfig.create(b -> b.model("gpt-realtime").responseModality(ResponseModality.AUDIO)
                .outputTranscription(true));
        try (LiveClient client = f.tokenClient(f.mint("{}")); LiveSession s = client.connect(audio, ev)) {
            int rate = 16_000; // the Live wire's input rate; the gateway's OpenAI upstream resamples to 24 kHz
            byte[] tone = new byte[rate * 2];
            for (int i = 0; i < rate; i++) {
                short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
                tone[2 * i] = (byte) v;
                tone[2 * i + 1] = (byte) (v >> 8);
            }
            for (int off = 0; off < tone.length; off += 3200) {
                s.sendAudio(java.util.Arrays.copyOfRange(tone, off, off + 3200), rate);
            }
            for (int i = 0; i < 10; i++) {
                s.sendAudio(new byte[3200], rate);
            }
            StringBuilder transcript = new StringBuilder();
            long audioBytes = 0;
            for (LiveEvent e : ev.until(e -> e instanceof LiveEvent.TurnComplete, T)) {
                if (e instanceof LiveEvent.OutputTranscription t) {
                    transcript.append(t.text());
                } else if (e instanceof LiveEvent.AudioChunk a) {
                    assertThat(a.sampleRate()).isEqualTo(24_000);
                    audioBytes += a.pcm().length;
                }
            }
            assertThat(transcript.toString()).isEqualTo("I heard 1.00 seconds of audio.");
            assertThat(audioBytes).isPositive();
        }
    }

    @Test
    void aSettingTheUpstreamCannotHonourClosesTheClientWith1007SayingWhich() throws Exception {
        SessionConfig hot = text().with(b -> b.temperature(0.9));
        try (LiveClient client = f.tokenClient(f.mint("{}"))) {
            assertThatThrownBy(() -> client.connect(hot, new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                assertThat(e.closeCode()).isEqualTo(1007);
                assertThat(e.closeReason()).contains("temperature");
            });
        }
    }
}
