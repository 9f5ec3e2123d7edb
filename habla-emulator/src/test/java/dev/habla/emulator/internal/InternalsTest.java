package dev.habla.emulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import dev.habla.server.CloseReasons;
import dev.habla.server.LiveEndpoint;
import dev.habla.server.UpgradeRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;

class InternalsTest {

    @Test
    void synthLengthIsProportionalAndSegmentsRebuildTheText() {
        for (String text : new String[] {"You said: hello", " lead and trail ", "x", "", "   "}) {
            SpeechSynth.Rendered r = SpeechSynth.render(text);
            assertThat(r.samples()).isEqualTo(text.length() * 1680);
            assertThat(r.pcm()).hasSize(r.samples() * 2);
            assertThat(String.join("", r.segments().stream().map(SpeechSynth.Segment::text).toList())).isEqualTo(text);
        }
        assertThat(SpeechSynth.render("ab cd").segments()).extracting(SpeechSynth.Segment::startSample).containsExactly(0, 3 * 1680);
    }

    @Test
    void textChunksKeepTheTextExactly() {
        assertThat(ReplyStreamer.textChunks("You said: hi")).containsExactly("You", " said:", " hi");
        String longer = "one two three four five six seven eight nine ten eleven twelve thirteen";
        List<String> chunks = ReplyStreamer.textChunks(longer);
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(3);
        assertThat(String.join("", chunks)).isEqualTo(longer);
        assertThat(ReplyStreamer.textChunks("single")).containsExactly("single");
    }

    @Test
    void vadCountsAudioTimeAcrossOddChunkBoundaries() {
        Vad vad = new Vad(null);
        byte[] tone = new byte[16000 * 2]; // 1 s at 16 kHz
        for (int i = 0; i < 16000; i++) {
            int s = (int) (6000 * Math.sin(2 * Math.PI * 300 * i / 16000.0));
            tone[2 * i] = (byte) s;
            tone[2 * i + 1] = (byte) (s >> 8);
        }
        byte[] all = new byte[tone.length + 16000 * 2];
        System.arraycopy(tone, 0, all, 0, tone.length);
        List<Vad.Event> events = new java.util.ArrayList<>();
        for (int off = 0; off < all.length; off += 333) { // odd sizes split samples between chunks
            events.addAll(vad.feed(java.util.Arrays.copyOfRange(all, off, Math.min(all.length, off + 333)), 16000));
        }
        assertThat(events).containsExactly(new Vad.SpeechStart(0), new Vad.SpeechEnd(1.0, 1_000_000));
    }

    @Test
    void decodeErrorReasons() {
        assertThat(reason("{\"clientContent\":{\"turnCompleet\":true}}"))
                .isEqualTo("Invalid JSON payload received. Unknown name \"turnCompleet\" at 'client_content': Cannot find field.");
        assertThat(reason("{\"bogus\":{}}")).isEqualTo("Invalid JSON payload received. Unknown name \"bogus\": Cannot find field.");
        assertThat(reason("{\"setup\":{\"generationConfig\":{\"speechConfig\":{\"voiceConfig\":{\"prebuiltVoiceConfig\":{\"voice\":\"x\"}}}}}}"))
                .isEqualTo(dev.habla.protocol.CloseCodes.truncate("Invalid JSON payload received. Unknown name \"voice\" at "
                        + "'setup.generation_config.speech_config.voice_config.prebuilt_voice_config': Cannot find field."));
        assertThat(reason("{\"realtimeInput\":{\"audio\":{\"data\":\"@@@\"}}}")).contains("'realtime_input.audio.data'");
        assertThat(reason("{}")).isEqualTo("Request contains an invalid argument.");
        assertThat(reason("[1]").getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
    }

    private static String reason(String json) {
        try {
            LiveCodec.decodeClient(json, Strictness.STRICT);
            throw new AssertionError("decoded: " + json);
        } catch (ProtocolException e) {
            return CloseReasons.forDecodeError(e);
        }
    }

    @Test
    void credentials() {
        LiveEndpoint plain = LiveEndpoint.parse("//ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent");
        LiveEndpoint constrained = LiveEndpoint.parse("/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");
        assertThat(plain).isEqualTo(new LiveEndpoint("v1", LiveEndpoint.Kind.API_KEY));
        assertThat(constrained).isEqualTo(new LiveEndpoint("v1alpha", LiveEndpoint.Kind.EPHEMERAL_TOKEN));
        assertThat(LiveEndpoint.parse("/ws/google.ai.generativelanguage.v2.GenerativeService.BidiGenerateContent")).isNull();
        assertThat(LiveEndpoint.parse("/x/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent")).isNull();
        assertThat(authorized(plain, "key=a%20b", null, null, "a b")).isTrue();
        assertThat(authorized(plain, "key=", "hdr", null, null)).isTrue();
        assertThat(authorized(plain, null, null, null, null)).isFalse();
        assertThat(authorized(plain, "other=1", " ", null, null)).isFalse();
        assertThat(authorized(constrained, null, null, "token auth_tokens/t", null)).isTrue();
        assertThat(authorized(constrained, "access_token=auth_tokens/", null, null, null)).isFalse();
        assertThat(authorized(plain, "key=wrong", null, null, "right")).isFalse();
        assertThat(authorized(constrained, "key=a", null, null, null)).as("a key is no token").isFalse();
    }

    private static boolean authorized(LiveEndpoint ep, String rawQuery, String apiKeyHeader, String authorizationHeader, String requiredKey) {
        Map<String, String> headers = new HashMap<>();
        if (apiKeyHeader != null) {
            headers.put("x-goog-api-key", apiKeyHeader);
        }
        if (authorizationHeader != null) {
            headers.put("Authorization", authorizationHeader);
        }
        return new EmulatorAuthenticator(requiredKey).authorized(new UpgradeRequest(ep, rawQuery, headers, null));
    }
}
