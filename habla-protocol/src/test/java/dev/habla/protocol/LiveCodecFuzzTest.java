package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.habla.protocol.internal.ReferenceCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Fuzz targets for the decoders. Invariant: a decoder returns a frame or throws {@link ProtocolException}; any other
 * exception or error (OutOfMemoryError included), or one input taking longer than {@link #SLOW_MS}, is a finding.
 * Each target also checks that the codec's fast paths agree with plain Jackson ({@link ReferenceCodec}): same frame
 * or same error, from bytes and from a String.
 *
 * <p>No {@code @Timeout} here: Jazzer would pass it to libFuzzer as the per-input timeout, but JUnit applies it to
 * the whole fuzzing run as well. Slow inputs are caught by the time check instead, real hangs by libFuzzer's
 * default {@code -timeout} (1200 s).
 *
 * <p>{@code mvn test} runs only the inputs under {@code src/test/resources/dev/habla/protocol/LiveCodecFuzzTestInputs/
 * <method>/} (regression mode, about a second). Fuzzing, one target at a time (see FUZZING.md):
 * {@code JAZZER_FUZZ=1 mvn -pl habla-protocol test -Dtest=LiveCodecFuzzTest#strictClientDecoding}.
 */
class LiveCodecFuzzTest {

    static {
        // The first decode loads the codec, Jackson and databind classes, and when fuzzing Jazzer instruments each of
        // them as it loads: several seconds. Do that here so that the time check below sees only decoding.
        List<String> warmUp = List.of(LiveCodecTest.RICH_SETUP,
                "{\"realtimeInput\":{\"audio\":{\"data\":\"" + "AAAA".repeat(40) + "\",\"mimeType\":\"audio/pcm\"}}}",
                "{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"hi\"}],\"role\":\"user\"}],\"turnComplete\":true}}",
                "{\"toolResponse\":{\"functionResponses\":[{\"id\":\"1\",\"name\":\"f\",\"response\":{\"a\":[1,2.5,true,null]}}]}}",
                "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"data\":\"" + "AAAA".repeat(40) + "\"}}]},"
                        + "\"turnComplete\":true,\"x\":1},\"usageMetadata\":{\"totalTokenCount\":\"3\"}}",
                "{\"toolCall\":{\"functionCalls\":[{\"id\":\"1\",\"name\":\"f\",\"args\":{}}]}}",
                "{\"goAway\":{\"timeLeft\":\"1.5s\"}}", "{\"voiceActivity\":{\"type\":\"ACTIVITY_START\"}}", "{\"x\":", "[]");
        for (String json : warmUp) {
            byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
            for (Strictness s : Strictness.values()) {
                outcome(() -> LiveCodec.decodeClient(utf8, s));
                outcome(() -> ReferenceCodec.decodeClient(json, s));
                outcome(() -> LiveCodec.decodeServer(utf8, s));
                outcome(() -> ReferenceCodec.decodeServer(json, s));
            }
            roundTrip(utf8);
        }
        timed = true;
    }

    @FuzzTest(maxDuration = "5m")
    @DictionaryFile(resourcePath = "live-api.dict")
    void strictClientDecoding(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        agree(() -> LiveCodec.decodeClient(frame, Strictness.STRICT), () -> ReferenceCodec.decodeClient(frame, Strictness.STRICT));
        agree(() -> LiveCodec.decodeClient(text, Strictness.STRICT), () -> ReferenceCodec.decodeClient(text, Strictness.STRICT));
    }

    @FuzzTest(maxDuration = "5m")
    @DictionaryFile(resourcePath = "live-api.dict")
    void lenientServerDecoding(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        agree(() -> LiveCodec.decodeServer(frame, Strictness.LENIENT), () -> ReferenceCodec.decodeServer(frame, Strictness.LENIENT));
        agree(() -> LiveCodec.decodeServer(text, Strictness.LENIENT), () -> ReferenceCodec.decodeServer(text, Strictness.LENIENT));
    }

    @FuzzTest(maxDuration = "5m")
    @DictionaryFile(resourcePath = "live-api.dict")
    void strictServerDecoding(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        agree(() -> LiveCodec.decodeServer(frame, Strictness.STRICT), () -> ReferenceCodec.decodeServer(frame, Strictness.STRICT));
        agree(() -> LiveCodec.decodeServer(text, Strictness.STRICT), () -> ReferenceCodec.decodeServer(text, Strictness.STRICT));
    }

    /**
     * Whatever the strict decoders accept re-encodes, decodes strictly to an equal value, and re-encodes to the same
     * text (the encoding is canonical). Each input is tried as a client and as a server frame.
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryFile(resourcePath = "live-api.dict")
    void strictRoundTrip(byte[] frame) {
        long start = System.nanoTime();
        roundTrip(frame);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (timed && ms > SLOW_MS) {
            throw new AssertionError("one round trip took " + ms + " ms");
        }
    }

    private static void roundTrip(byte[] frame) {
        ClientFrame client = orNull(() -> LiveCodec.decodeClient(frame, Strictness.STRICT));
        if (client != null && client.message() != null) {
            String json = LiveCodec.encode(client.message());
            ClientFrame again = LiveCodec.decodeClient(json, Strictness.STRICT);
            assertThat(again.message()).as("client round trip of %s", json).isEqualTo(client.message());
            assertThat(LiveCodec.encode(again.message())).isEqualTo(json);
        }
        ServerFrame server = orNull(() -> LiveCodec.decodeServer(frame, Strictness.STRICT));
        if (server != null) {
            byte[] utf8 = LiveCodec.encode(server);
            String json = new String(utf8, StandardCharsets.UTF_8);
            ServerFrame again = LiveCodec.decodeServer(utf8, Strictness.STRICT);
            assertThat(again).as("server round trip of %s", json).isEqualTo(server);
            assertThat(LiveCodec.encode(again)).isEqualTo(utf8);
        }
    }

    /** One input, all its decodes, must be far below this; codec work is linear and these frames are a few KB. */
    static final long SLOW_MS = 5_000;

    /** False during the class's warm-up. */
    private static boolean timed;

    private static <T> T orNull(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** Both sides give an equal frame or a ProtocolException with the same path and message; nothing else. */
    private static void agree(Supplier<Object> fast, Supplier<Object> reference) {
        Object got = outcome(fast);
        Object want = outcome(reference);
        assertThat(got).isEqualTo(want);
    }

    private static Object outcome(Supplier<Object> decode) {
        long start = System.nanoTime();
        try {
            Object frame = decode.get();
            assertThat(frame).isNotNull();
            return frame;
        } catch (ProtocolException e) {
            return "ProtocolException at '" + e.path() + "': " + e.getMessage();
        } finally {
            // Anything but ProtocolException propagates: Jazzer reports it as a finding. So does a slow decode.
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (timed && ms > SLOW_MS) {
                throw new AssertionError("one decode took " + ms + " ms");
            }
        }
    }
}
