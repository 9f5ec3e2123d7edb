package dev.habla.protocol;

import dev.habla.protocol.internal.Frames;
import java.io.IOException;
import dev.habla.protocol.internal.AudioMatcher;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * JSON codec of the Live API. All methods are thread-safe and allocate only per call.
 *
 * <ul>
 *   <li>Encoding is canonical: one top-level key, camelCase, standard padded base64, int64 as strings, unset fields
 *       omitted. Client messages are text (clients send text frames); server frames are UTF-8 bytes (the service
 *       sends binary frames).</li>
 *   <li>Decoding reads camelCase or snake_case at any depth, int64 as string or number, standard or URL-safe
 *       base64. {@link Strictness#STRICT} rejects what the service's proto parser rejects, naming the field;
 *       {@link Strictness#LENIENT} keeps unknown fields and enum values as {@link UnknownField}s.</li>
 * </ul>
 *
 * @throws ProtocolException from every decode method when the frame is malformed (lenient mode still rejects
 *     broken JSON and wrong value types)
 */
public final class LiveCodec {
    private LiveCodec() {}

    /** Encodes a client message as the JSON text of one WebSocket text frame. */
    public static String encode(ClientMessage message) {
        return Frames.encodeClient(message);
    }

    /** Encodes a server frame as UTF-8 JSON for one WebSocket binary frame. */
    public static byte[] encode(ServerFrame frame) {
        return Frames.encodeServer(frame);
    }

    /** Encodes a server message without usage metadata. */
    public static byte[] encode(ServerMessage message) {
        return Frames.encodeServer(ServerFrame.of(message));
    }

    /**
     * The fast path of a relay: if {@code utf8[offset, offset+length)} is exactly a {@code realtimeInput} carrying only
     * one {@code audio/pcm…} blob (as {@code audio}, or as the one element of the deprecated {@code mediaChunks}), in
     * plain ASCII JSON with canonical standard base64, the message with its text kept ({@link ClientMessage.Raw});
     * otherwise null, and the caller decodes as usual (so bad input keeps its errors). A match's message equals what
     * {@link #decodeClient(byte[], int, int, Strictness)} gives for the same bytes in either strictness.
     */
    public static ClientMessage.Raw recogniseAudioInput(byte[] utf8, int offset, int length) {
        AudioMatcher.Match m = AudioMatcher.match(utf8, offset, length);
        if (m == null) {
            return null;
        }
        Blob blob = new Blob(m.mimeType(), m.data());
        ClientMessage.RealtimeInput input = m.mediaChunks()
                ? new ClientMessage.RealtimeInput(List.of(blob), null, null, null, null, null, null)
                : new ClientMessage.RealtimeInput(null, blob, null, null, null, null, null);
        // ASCII only (checked by the matcher), so Latin-1 is the same text, built with one copy.
        return new ClientMessage.Raw(input, new String(utf8, offset, length, StandardCharsets.ISO_8859_1));
    }

    /**
     * The relay's fast path downstream: if {@code utf8[offset, offset+length)} is exactly a {@code serverContent} whose
     * {@code modelTurn} has one {@code inlineData} part of {@code audio/pcm…} (an optional {@code role}, nothing else:
     * no other part, signal, transcription or usage), in plain ASCII JSON with canonical standard base64, that blob;
     * otherwise null (decode as usual). A match's blob equals the one {@link #decodeServer} gives for the same bytes.
     */
    public static Blob recogniseAudioOutput(byte[] utf8, int offset, int length) {
        AudioMatcher.Match m = AudioMatcher.matchServer(utf8, offset, length);
        return m == null ? null : new Blob(m.mimeType(), m.data());
    }

    public static ClientFrame decodeClient(String json, Strictness strictness) {
        try {
            return Frames.decodeClient(Frames.parser(json), strictness);
        } catch (IOException e) {
            throw Frames.malformed(e);
        }
    }

    public static ClientFrame decodeClient(byte[] utf8, Strictness strictness) {
        return decodeClient(utf8, 0, utf8.length, strictness);
    }

    public static ClientFrame decodeClient(byte[] utf8, int offset, int length, Strictness strictness) {
        try {
            return Frames.decodeClient(Frames.parser(utf8, offset, length), strictness);
        } catch (IOException e) {
            throw Frames.malformed(e);
        }
    }

    public static ServerFrame decodeServer(byte[] utf8, Strictness strictness) {
        return decodeServer(utf8, 0, utf8.length, strictness);
    }

    public static ServerFrame decodeServer(byte[] utf8, int offset, int length, Strictness strictness) {
        try {
            return Frames.decodeServer(Frames.parser(utf8, offset, length), strictness);
        } catch (IOException e) {
            throw Frames.malformed(e);
        }
    }

    public static ServerFrame decodeServer(String json, Strictness strictness) {
        try {
            return Frames.decodeServer(Frames.parser(json), strictness);
        } catch (IOException e) {
            throw Frames.malformed(e);
        }
    }

    /** Text of a server frame, for logs and tests. */
    public static String encodeToString(ServerFrame frame) {
        return new String(encode(frame), StandardCharsets.UTF_8);
    }
}
