package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.client.ModelFamily;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.client.Voices;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Gemini side of the provider seam: capabilities, warnings, the per-connection codec, continuity, config checks. */
@Timeout(10)
class GeminiSeamTest {
    private final GeminiProvider p = GeminiProvider.INSTANCE;
    private final ClientConfig api = ClientConfig.create(c -> c.apiKey("k"));
    private final ClientConfig vertex = ClientConfig.create(c -> c.vertex("p", "us-central1", () -> "t"));

    @Test
    void geminiIsTheDefaultProvider() {
        assertThat(api.provider()).isEqualTo(Provider.GEMINI);
        assertThat(api.provider().name()).isEqualTo("gemini");
        assertThat(api.provider().spi()).isSameAs(p);
        assertThat(api.toString()).contains("provider=gemini");
    }

    @Test
    void vertexIsAGeminiSetting() {
        Provider other = Provider.custom(new dev.habla.client.internal.GeminiSeamTest.Renamed());
        assertThatThrownBy(() -> ClientConfig.create(c -> c.vertex("p", "l", () -> "t").provider(other)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vertex(..) is a Gemini setting");
    }

    @Test
    void capabilitiesComeFromTheModelFamily() {
        for (String model : List.of("gemini-2.0-flash-live-001", "gemini-2.5-flash-native-audio-preview-09-2025",
                "gemini-3.1-flash-live-preview")) {
            SessionConfig s = SessionConfig.create(b -> b.model(model));
            ModelFamily f = ModelFamily.of(model);
            Capabilities c = p.capabilities(api, s);
            assertThat(c.provider()).isEqualTo("gemini");
            assertThat(c.modelKnown()).isTrue();
            assertThat(c.supportsTextOutput()).isEqualTo(f.supportsTextOutput());
            assertThat(c.defaultResponseModality()).isEqualTo(f.defaultResponseModality());
            assertThat(c.typedTextAsRealtimeInput()).isEqualTo(f.typedTextAsRealtimeInput());
            assertThat(c.clientContentMidSession()).isEqualTo(f.acceptsClientContentMidSession());
            assertThat(c.initialHistoryViaHistoryConfig()).isEqualTo(f.initialHistoryNeedsHistoryConfig());
            assertThat(c.inputSampleRate()).isEqualTo(16_000);
            assertThat(c.outputSampleRate()).isEqualTo(24_000);
            assertThat(c.voices()).isEqualTo(f == ModelFamily.HALF_CASCADE ? Voices.HALF_CASCADE : Voices.ALL);
        }
        assertThat(p.capabilities(api, SessionConfig.create(b -> b.model("gpt-realtime"))).modelKnown()).isFalse();
    }

    @Test
    void theVertexToolIdRuleIsTheProvidersCapability() {
        SessionConfig s = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001"));
        assertThat(p.capabilities(api, s).toolResponseNeedsIds()).isTrue();
        assertThat(p.capabilities(vertex, s).toolResponseNeedsIds()).isFalse();
    }

    @Test
    void unknownModelsAndVoicesAreWarnedAboutOnceAndNotRefused() {
        SessionConfig s = SessionConfig.create(b -> b.model("gemini-9-ultra-live-x").voice("Nova2026"));
        assertThat(s.voice()).isEqualTo("Nova2026");
        p.check(api, s);
        p.check(api, s); // second time: already warned (the logger sees one line)
        assertThat(p.warnedAbout("voice:Nova2026")).isTrue();
        assertThat(p.warnedAbout("model:gemini-9-ultra-live-x")).isFalse(); // a Live-looking id is known
        SessionConfig odd = SessionConfig.create(b -> b.model("my-tuned-model"));
        p.check(api, odd);
        assertThat(p.warnedAbout("model:my-tuned-model")).isTrue();
        assertThat(p.warnedAbout("voice:Kore")).isFalse();
    }

    @Test
    void warnOnceIsBounded() {
        WarnOnce w = new WarnOnce(org.slf4j.LoggerFactory.getLogger(GeminiSeamTest.class));
        int logged = 0;
        for (int i = 0; i < WarnOnce.MAX_KEYS + 50; i++) {
            logged += w.warn("k" + i, "unknown {}", i) ? 1 : 0;
            logged += w.warn("k" + i, "unknown {}", i) ? 1 : 0;
        }
        assertThat(logged).isEqualTo(WarnOnce.MAX_KEYS);
    }

    @Test
    void theConnectionCodecSendsSetupThenHistoryAndEncodesOneFramePerCommand() throws Exception {
        List<Content> history = List.of(Content.text("user", "hi"), Content.text("model", "hello"));
        SessionConfig s = SessionConfig.create(b -> b.model("gemini-3.1-flash-live-preview").initialHistory(history));
        ProviderConnection c = p.open(api, s);
        assertThat(c.openingFrames()).singleElement().asString().startsWith("{\"setup\":");
        assertThat(c.afterSetupFrames()).containsExactlyElementsOf(p.encode(new ClientMessage.ClientContent(history, true)));
        assertThat(c.connectRequest().uri().toString()).endsWith("GenerativeService.BidiGenerateContent");
        assertThat(c.playback(Duration.ofSeconds(3))).isEmpty(); // Gemini ignores playback
        ClientMessage text = ClientMessage.RealtimeInput.ofText("typed");
        assertThat(c.encode(text)).containsExactlyElementsOf(p.encode(text)); // one frame per command
        assertThat(p.open(api, s)).isNotSameAs(c); // one per connection
        assertThat(SessionConfig.create(b -> b.model("m")).toSetup("models/m"))
                .isEqualTo(GeminiSetup.setup(SessionConfig.create(b -> b.model("m")), "models/m"));
    }

    @Test
    void continuityResumesWithTheHandleAndReseedsWhenItIsRefused() {
        ContinuityStrategy k = p.continuity();
        SessionConfig user = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001").resumptionHandle("old"));
        SessionConfig base = k.baseConfig(user, true);
        assertThat(base.resumption()).isTrue();
        assertThat(base.resumptionHandle()).isNull();
        assertThat(base.contextWindowCompression()).isEqualTo(new SessionConfig.ContextWindowCompression(null, null));
        assertThat(k.baseConfig(user, false).contextWindowCompression()).isNull();

        List<Content> transcript = List.of(Content.text("user", "my name is Ada"), Content.text("model", "Hi Ada"));
        assertThat(k.next(base, "h1", false, transcript)).isEqualTo(
                new ContinuityStrategy.Resume(base.withResumptionHandle("h1"), "h1"));
        assertThat(k.next(base, "h1", true, transcript)).isInstanceOfSatisfying(ContinuityStrategy.Reseed.class, r -> {
            assertThat(r.history()).isEqualTo(transcript);
            assertThat(r.config().initialHistory()).isEqualTo(transcript);
            assertThat(r.config().resumptionHandle()).isNull();
        });
        assertThat(k.next(base, null, false, List.of())).isEqualTo(new ContinuityStrategy.Fresh(base));
        assertThat(k.isHandleRefused(new LiveException(LiveException.Kind.INVALID_ARGUMENT, "1007"))).isTrue();
        assertThat(k.isHandleRefused(new LiveException(LiveException.Kind.UNAVAILABLE, "1006"))).isFalse();
        assertThat(k.supportsHandover()).isTrue();
        assertThat(k.maxConnectionLifetime()).isNull();
    }

    @Test
    void geminiOptionsAreGroupedAndReadThroughTheConfig() {
        SessionConfig s = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001").temperature(0.5).topK(3)
                .responseModality(ResponseModality.TEXT).affectiveDialog(true).contextWindowCompression(1000L, 500L));
        assertThat(s.gemini().topK()).isEqualTo(3).isEqualTo(s.topK());
        assertThat(s.gemini().affectiveDialog()).isTrue();
        assertThat(s.contextWindowCompression()).isEqualTo(new SessionConfig.ContextWindowCompression(1000L, 500L));
        assertThat(s.temperature()).isEqualTo(0.5);
        assertThat(SessionConfig.create(b -> b.model("m")).gemini()).isSameAs(SessionConfig.GeminiOptions.NONE);
        SessionConfig copy = SessionConfig.create(b -> b.model("x").gemini(s.gemini()));
        assertThat(copy.gemini()).isEqualTo(s.gemini());
        assertThat(s.with(b -> b.model("y")).gemini()).isEqualTo(s.gemini());
    }

    /** Gemini's wire under another name: a provider that is not {@link Provider#GEMINI}. */
    static final class Renamed implements LiveProvider {
        @Override public String name() { return "renamed"; }
        @Override public Capabilities capabilities(ClientConfig c, SessionConfig s) { return GeminiProvider.INSTANCE.capabilities(c, s); }
        @Override public void check(ClientConfig c, SessionConfig s) { }
        @Override public ProviderConnection open(ClientConfig c, SessionConfig s) { return GeminiProvider.INSTANCE.open(c, s); }
        @Override public ContinuityStrategy continuity() { return GeminiProvider.INSTANCE.continuity(); }
        @Override public String redact(String t) { return t; }
    }
}
