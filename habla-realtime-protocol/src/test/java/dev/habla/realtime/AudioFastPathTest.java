package dev.habla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.realtime.ClientEvent.InputAudioBufferAppend;
import dev.habla.realtime.ServerEvent.ResponseOutputAudioDelta;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The audio fast paths never change a result: thousands of mutants of append and delta frames decode to the same
 * event, or fail with the same error code and param, as through the general path. (A leading space keeps a frame off
 * the fast path: those only take frames that start with {@code {"type":"...audio..."}.)
 */
class AudioFastPathTest {
    private static final String[] PIECES = {"\"", "\\", "\\\"", "-", "0", "1", "07", ".", "e", "null", "true", "}", "{", "[", ",",
        ":", " ", "\n", "\t", "é", "Ā", "=", "A", "/", "_", "\u0001", ",\"type\":\"x\"", ",\"delta\":\"AAAA\"", ",\"audio\":null",
        ",\"output_index\":\"1\"", ",\"item_id\":5", ",\"x\":{\"y\":1}", "2147483648", "-2147483648"};

    @Test
    void mutantsOfAudioDeltasDecodeAsTheGeneralPathDoes() {
        byte[] pcm = new byte[480];
        new Random(1).nextBytes(pcm);
        String frame = RealtimeCodec.encode(new ResponseOutputAudioDelta("event_1", "resp_1", "item_1", 0, 2, pcm));
        differential(frame, RealtimeCodec::decodeServer);
    }

    @Test
    void mutantsOfAppendsDecodeAsTheGeneralPathDoes() {
        byte[] pcm = new byte[480];
        new Random(2).nextBytes(pcm);
        String frame = RealtimeCodec.encode(new InputAudioBufferAppend("ev_1", pcm, false));
        differential(frame, RealtimeCodec::decodeClient);
    }

    private static void differential(String frame, Function<String, Object> decode) {
        Random r = new Random(42);
        int fast = 0;
        for (int k = 0; k < 6000; k++) {
            String m = mutate(frame, r);
            Object viaFast = outcome(decode, m);
            Object viaGeneral = outcome(decode, " " + m);
            assertThat(viaFast).as("mutant %s", m).isEqualTo(viaGeneral);
            if (!(viaFast instanceof String)) {
                fast++;
            }
        }
        assertThat(fast).as("some mutants are still valid frames").isGreaterThan(100);
    }

    private static Object outcome(Function<String, Object> decode, String text) {
        try {
            return decode.apply(text);
        } catch (RealtimeProtocolException e) {
            return e.code() + " " + e.param();
        }
    }

    private static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(2);
        for (int e = 0; e < edits; e++) {
            // Mostly around the small fields (the start) and the end, where the structure is.
            int pos = r.nextBoolean() ? r.nextInt(Math.min(b.length(), 140)) : b.length() - 1 - r.nextInt(Math.min(b.length(), 8));
            switch (r.nextInt(4)) {
                case 0 -> b.insert(pos, PIECES[r.nextInt(PIECES.length)]);
                case 1 -> b.deleteCharAt(pos);
                case 2 -> b.replace(pos, pos + 1, PIECES[r.nextInt(PIECES.length)]);
                default -> b.insert(b.length() - 1, PIECES[r.nextInt(PIECES.length)]);
            }
        }
        return b.toString();
    }
}
