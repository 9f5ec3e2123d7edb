package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.GenerationConfig;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Validation and wire mapping of the two configuration records. */
class SessionConfigTest {

    @Test
    void minimalConfigSendsOnlyTheModel() {
        SessionConfig c = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001"));
        assertThat(LiveCodec.encode(c.toSetup("models/gemini-2.0-flash-live-001")))
                .isEqualTo("{\"setup\":{\"model\":\"models/gemini-2.0-flash-live-001\"}}");
        assertThat(c.tools()).isEmpty();
    }

    @Test
    void everyOptionReachesTheSetup() {
        SessionConfig c = SessionConfig.create(b -> b.model("gemini-2.5-flash-native-audio-latest")
                .responseModality(ResponseModality.AUDIO).voice("ZEPHYR").languageCode("en-US").systemInstruction("Be kind.")
                .temperature(0.7).topP(0.9).topK(40).maxOutputTokens(512).seed(7)
                .inputTranscription(true).outputTranscription(true)
                .tools(List.of(Tool.ofGoogleSearch())).resumptionHandle("h1")
                .contextWindowCompression(30_000L, 15_000L)
                .mediaResolution(GenerationConfig.MediaResolution.MEDIA_RESOLUTION_LOW)
                .thinkingBudget(0).includeThoughts(true).affectiveDialog(true).proactiveAudio(true));
        assertThat(c.voice()).isEqualTo("Zephyr");
        assertThat(c.resumption()).isTrue();
        ClientMessage.Setup s = c.toSetup("models/x");
        GenerationConfig g = s.generationConfig();
        assertThat(g.responseModalities()).containsExactly(ResponseModality.AUDIO);
        assertThat(g.speechConfig().voiceConfig().prebuiltVoiceConfig().voiceName()).isEqualTo("Zephyr");
        assertThat(g.speechConfig().languageCode()).isEqualTo("en-US");
        assertThat(g.temperature()).isEqualTo(0.7);
        assertThat(g.topP()).isEqualTo(0.9);
        assertThat(g.topK()).isEqualTo(40);
        assertThat(g.maxOutputTokens()).isEqualTo(512);
        assertThat(g.seed()).isEqualTo(7);
        assertThat(g.thinkingConfig()).isEqualTo(new GenerationConfig.ThinkingConfig(true, 0, null));
        assertThat(g.mediaResolution()).isEqualTo(GenerationConfig.MediaResolution.MEDIA_RESOLUTION_LOW);
        assertThat(g.enableAffectiveDialog()).isTrue();
        assertThat(s.systemInstruction().parts().getFirst().text()).isEqualTo("Be kind.");
        assertThat(s.systemInstruction().role()).isEqualTo("user");
        assertThat(s.tools()).containsExactly(Tool.ofGoogleSearch());
        assertThat(s.sessionResumption().handle()).isEqualTo("h1");
        assertThat(s.contextWindowCompression().triggerTokens()).isEqualTo(30_000L);
        assertThat(s.contextWindowCompression().slidingWindow().targetTokens()).isEqualTo(15_000L);
        assertThat(s.inputAudioTranscription()).isNotNull();
        assertThat(s.outputAudioTranscription()).isNotNull();
        assertThat(s.proactivity().proactiveAudio()).isTrue();
        // The codec accepts what we build.
        assertThat(LiveCodec.encode(s)).contains("\"enableAffectiveDialog\":true");
    }

    @Test
    void withResumptionHandleKeepsEverythingElse() {
        SessionConfig c = SessionConfig.create(b -> b.model("m").temperature(1.0));
        SessionConfig resumed = c.withResumptionHandle("abc");
        assertThat(resumed.resumptionHandle()).isEqualTo("abc");
        assertThat(resumed.resumption()).isTrue();
        assertThat(resumed.temperature()).isEqualTo(1.0);
        assertThat(resumed.with(b -> b.resumptionHandle(null)).resumptionHandle()).isNull();
    }

    @Test
    void badValuesAreRefusedWithClearMessages() {
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model(" "))).hasMessage("model must not be empty");
        assertThatThrownBy(() -> SessionConfig.create(b -> {})).hasMessage("model must not be empty");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").temperature(2.5)))
                .hasMessage("temperature must be in [0.0, 2.0], was 2.5");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").temperature(Double.NaN)))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").topP(1.5))).hasMessageContaining("topP");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").topK(0))).hasMessageContaining("topK must be >= 1");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").maxOutputTokens(0))).hasMessageContaining("maxOutputTokens");
        // issue 9: unknown voices are kept (warned about when connecting), not refused; blank is still an error
        assertThat(SessionConfig.create(b -> b.model("m").voice(" Bob ")).voice()).isEqualTo("Bob");
        assertThat(SessionConfig.create(b -> b.model("gpt-realtime").voice("marin")).voice()).isEqualTo("marin");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").voice("  ")))
                .hasMessageContaining("voice must not be blank");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").languageCode("english please")))
                .hasMessageContaining("languageCode");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").responseModality(ResponseModality.IMAGE)))
                .hasMessageContaining("TEXT or AUDIO");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").thinkingBudget(100)
                .thinkingLevel(GenerationConfig.ThinkingLevel.LOW))).hasMessageContaining("not both");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").contextWindowCompression(100L, 200L)))
                .hasMessageContaining("below triggerTokens");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").resumptionHandle("")))
                .hasMessageContaining("resumptionHandle");
    }

    @Test
    void textIsRefusedOnNativeAudioModelsNamingBoth() {
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("models/gemini-2.5-flash-native-audio-latest")
                .responseModality(ResponseModality.TEXT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TEXT")
                .hasMessageContaining("gemini-2.5-flash-native-audio-latest");
        assertThat(SessionConfig.isNativeAudioModel("gemini-3.1-flash-live-preview")).isTrue();
        assertThat(SessionConfig.isNativeAudioModel("projects/p/locations/l/publishers/google/models/gemini-live-2.5-flash-native-audio")).isTrue();
        assertThat(SessionConfig.isNativeAudioModel("gemini-2.0-flash-live-001")).isFalse();
        // AUDIO (or unset) is fine.
        SessionConfig.create(b -> b.model("gemini-2.5-flash-native-audio-latest").responseModality(ResponseModality.AUDIO));
    }

    @Test
    void modelFamiliesAreRecognisedFromTheIdAlone() {
        assertThat(ModelFamily.of("gemini-3.1-flash-live-preview")).isEqualTo(ModelFamily.GEMINI_3_LIVE);
        assertThat(ModelFamily.of("models/gemini-3.1-flash-live-preview")).isEqualTo(ModelFamily.GEMINI_3_LIVE);
        assertThat(ModelFamily.of("projects/p/locations/l/publishers/google/models/gemini-3.5-pro-live-001"))
                .isEqualTo(ModelFamily.GEMINI_3_LIVE);
        assertThat(ModelFamily.of("gemini-2.5-flash-native-audio-latest")).isEqualTo(ModelFamily.NATIVE_AUDIO);
        assertThat(ModelFamily.of("gemini-live-2.5-flash-preview")).isEqualTo(ModelFamily.HALF_CASCADE);
        assertThat(ModelFamily.of("gemini-2.0-flash-live-001")).isEqualTo(ModelFamily.HALF_CASCADE);
        assertThat(ModelFamily.of("gemini-3-pro-preview")).as("3.x but not Live").isEqualTo(ModelFamily.HALF_CASCADE);
        assertThat(ModelFamily.GEMINI_3_LIVE.typedTextAsRealtimeInput()).isTrue();
        assertThat(ModelFamily.GEMINI_3_LIVE.acceptsClientContentMidSession()).isFalse();
        assertThat(ModelFamily.NATIVE_AUDIO.acceptsClientContentMidSession()).isTrue();
        assertThat(ModelFamily.NATIVE_AUDIO.defaultResponseModality()).isEqualTo(ResponseModality.AUDIO);
    }

    @Test
    void initialHistoryIsValidatedAndAnnouncedOnlyWhereTheModelNeedsIt() {
        List<dev.habla.protocol.Content> history = List.of(dev.habla.protocol.Content.text("user", "hi"),
                dev.habla.protocol.Content.text("model", "hello"));
        SessionConfig g3 = SessionConfig.create(b -> b.model("gemini-3.1-flash-live-preview").initialHistory(history));
        assertThat(g3.toSetup("models/x").historyConfig()).isEqualTo(new ClientMessage.HistoryConfig(true));
        assertThat(g3.initialHistoryMessage()).isEqualTo(new ClientMessage.ClientContent(history, true));
        assertThat(g3.withResumptionHandle("h").initialHistory()).as("a resumed session has its history").isEmpty();
        SessionConfig g2 = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001").initialHistory(history));
        assertThat(g2.toSetup("models/x").historyConfig()).isNull();
        assertThat(g2.initialHistoryMessage()).isEqualTo(new ClientMessage.ClientContent(history, false));
        assertThat(SessionConfig.create(b -> b.model("gemini-3.1-flash-live-preview")).toSetup("models/x").historyConfig())
                .isNull();
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m")
                .initialHistory(List.of(dev.habla.protocol.Content.text("system", "x")))))
                .hasMessageContaining("initialHistory[0]").hasMessageContaining("\"user\" or \"model\"");
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("m").initialHistory(history).resumptionHandle("h")))
                .hasMessageContaining("exclude each other");
    }

    @Test
    void voicesAreCaseInsensitiveAndCanonical() {
        assertThat(Voices.ALL).hasSize(30).doesNotHaveDuplicates();
        assertThat(Voices.HALF_CASCADE).containsExactly("Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede");
        assertThat(Voices.canonical("zubenelgenubi")).isEqualTo("Zubenelgenubi");
        assertThat(Voices.canonical(" aOeDe ")).isEqualTo("Aoede");
        assertThat(Voices.isKnown("nobody")).isFalse();
        assertThatThrownBy(() -> Voices.canonical(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clientConfigDefaultsAndValidation() {
        ClientConfig c = ClientConfig.create(b -> b.apiKey("k"));
        assertThat(c.apiVersion()).isEqualTo("v1beta");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.sendQueueBudgetBytes()).isEqualTo(8 << 20);
        assertThat(c.toString()).doesNotContain("=k,").contains("<redacted>");
        assertThat(ClientConfig.create(b -> b.ephemeralToken("auth_tokens/t")).apiVersion()).isEqualTo("v1alpha");
        assertThat(ClientConfig.create(b -> b.vertex("p", "us-central1", () -> "tok")).apiVersion()).isEqualTo("v1beta1");
        assertThatThrownBy(() -> ClientConfig.create(b -> {})).hasMessageContaining("no credentials");
        assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k").ephemeralToken("auth_tokens/t")))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k").baseUrl(URI.create("ftp://x"))))
                .hasMessageContaining("http, https, ws or wss");
        assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k").apiVersion("beta"))).hasMessageContaining("apiVersion");
        assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k").connectTimeout(Duration.ZERO)))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k").sendQueueBudgetBytes(0)))
                .hasMessageContaining("sendQueueBudgetBytes");
        assertThat(ClientConfig.create(b -> b.apiKey("k").pingInterval(Duration.ZERO)).pingInterval()).isZero();
    }
}
