package dev.habla.bench;

import com.google.genai.SdkWirePath;
import com.google.genai.types.LiveClientMessage;
import com.google.genai.types.LiveSendRealtimeInputParameters;
import com.google.genai.types.LiveServerMessage;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Strictness;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

/**
 * The messages every benchmark works on, built once, plus the check that Habla and the SDK produce and consume the
 * same data. {@link CodecBenchmark} calls {@link #verify()} in its {@code @Setup}; {@code FixturesTest} runs it in
 * {@code mvn test}.
 */
public final class Fixtures {
    public static final String MIME_16K = "audio/pcm;rate=16000";
    public static final String MIME_24K = "audio/pcm;rate=24000";

    /** 100 ms of 16 kHz mono PCM16 little-endian: 1,600 samples, 3,200 bytes. */
    public final byte[] pcm16k = speechLikePcm(16_000, 1_600, 1);
    /** 100 ms of 24 kHz mono PCM16 little-endian: 2,400 samples, 4,800 bytes. */
    public final byte[] pcm24k = speechLikePcm(24_000, 2_400, 2);

    /** The client audio message as a text frame, in Habla's canonical encoding (camelCase, padded base64). */
    public final String clientJson;
    /** The server audio message as the service sends it: UTF-8 bytes of a binary frame. */
    public final byte[] serverBytes;
    /** The same server message as the String the SDK gets ({@code okio.ByteString.utf8()}). */
    public final String serverJson;
    /** The server message as each side holds it before encoding. */
    public final ServerFrame hablaServerFrame;
    public final LiveServerMessage sdkServerMessage;

    public Fixtures() {
        clientJson = LiveCodec.encode(RealtimeInput.ofAudio(pcm16k, 16_000));
        serverJson = "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"" + MIME_24K
                + "\",\"data\":\"" + Base64.getEncoder().encodeToString(pcm24k) + "\"}}]}}}";
        serverBytes = serverJson.getBytes(StandardCharsets.UTF_8);
        hablaServerFrame = ServerFrame.of(ServerContent.modelTurn(
                new dev.habla.protocol.Content(java.util.List.of(dev.habla.protocol.Part.ofInlineData(MIME_24K, pcm24k)), null)));
        sdkServerMessage = LiveServerMessage.fromJson(serverJson);
    }

    /** What {@code session.sendRealtimeInput(...)} is given for one audio chunk. */
    public static LiveSendRealtimeInputParameters sdkAudioParams(byte[] pcm) {
        return LiveSendRealtimeInputParameters.builder()
                .audio(com.google.genai.types.Blob.builder().data(pcm).mimeType(MIME_16K).build())
                .build();
    }

    /**
     * Deterministic speech-like signal: a 140 Hz voice with harmonics, a syllable-rate envelope and a little noise,
     * so the base64 text has realistic entropy (zeros would encode to "AAAA…", which is not what a microphone sends).
     */
    static byte[] speechLikePcm(int rate, int samples, long seed) {
        Random noise = new Random(seed);
        byte[] out = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            double t = (double) i / rate;
            double voice = 0;
            for (int h = 1; h <= 6; h++) {
                voice += Math.sin(2 * Math.PI * 140 * h * t + h) / h;
            }
            double envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
            double v = 6_000 * envelope * voice + noise.nextGaussian() * 300;
            int s = (int) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        return out;
    }

    /** Asserts that both sides produce and consume equivalent data; throws {@link IllegalStateException} if not. */
    public void verify() {
        // Client encode: the SDK's wire JSON (top-level "realtime_input") and Habla's say the same thing.
        String sdkWire = SdkWirePath.encodeRealtimeInput(sdkAudioParams(pcm16k));
        check(sdkWire.startsWith("{\"realtime_input\":"), "SDK wire path not taken: " + head(sdkWire));
        ClientFrame fromSdk = LiveCodec.decodeClient(sdkWire, Strictness.STRICT);
        ClientFrame fromHabla = LiveCodec.decodeClient(LiveCodec.encode(RealtimeInput.ofAudio(pcm16k, 16_000)), Strictness.STRICT);
        check(fromSdk.message().equals(fromHabla.message()), "client encodings differ: " + head(sdkWire) + " vs " + head(clientJson));
        check(sdkWire.length() == clientJson.length() + 1, "client JSON sizes: " + sdkWire.length() + " vs " + clientJson.length());

        // Client decode: both get the same PCM and MIME type out of the same text.
        Blob hablaAudio = ((RealtimeInput) LiveCodec.decodeClient(clientJson, Strictness.STRICT).message()).audio();
        check(Arrays.equals(hablaAudio.data(), pcm16k) && MIME_16K.equals(hablaAudio.mimeType()), "Habla client decode");
        com.google.genai.types.Blob sdkAudio = LiveClientMessage.fromJson(clientJson).realtimeInput().orElseThrow().audio().orElseThrow();
        check(Arrays.equals(sdkAudio.data().orElseThrow(), pcm16k) && MIME_16K.equals(sdkAudio.mimeType().orElseThrow()), "SDK client decode");

        // Server decode: same PCM out of the same frame, on both SDK routes.
        ServerFrame decoded = LiveCodec.decodeServer(serverBytes, Strictness.LENIENT);
        check(decoded.unknownFields().isEmpty(), "Habla lenient decode left unknown fields: " + decoded.unknownFields());
        check(decoded.equals(hablaServerFrame), "Habla server decode");
        check(Arrays.equals(sdkServerPcm(LiveServerMessage.fromJson(serverJson)), pcm24k), "SDK fromJson server decode");
        check(Arrays.equals(sdkServerPcm(SdkWirePath.decodeServerInSession(serverJson)), pcm24k), "SDK session server decode");

        // Server encode: each side's output decodes, on the other side, to the same message.
        byte[] hablaOut = LiveCodec.encode(hablaServerFrame);
        check(Arrays.equals(hablaOut, serverBytes), "Habla server encoding is not the canonical frame");
        check(Arrays.equals(sdkServerPcm(LiveServerMessage.fromJson(new String(hablaOut, StandardCharsets.UTF_8))), pcm24k), "SDK reads Habla");
        String sdkOut = sdkServerMessage.toJson();
        check(LiveCodec.decodeServer(sdkOut, Strictness.STRICT).equals(hablaServerFrame), "Habla reads SDK: " + head(sdkOut));
    }

    static byte[] sdkServerPcm(LiveServerMessage m) {
        var part = m.serverContent().orElseThrow().modelTurn().orElseThrow().parts().orElseThrow().get(0);
        var blob = part.inlineData().orElseThrow();
        check(MIME_24K.equals(blob.mimeType().orElseThrow()), "SDK mime type " + blob.mimeType());
        return blob.data().orElseThrow();
    }

    private static String head(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("Benchmark fixtures are not equivalent: " + what);
        }
    }
}
