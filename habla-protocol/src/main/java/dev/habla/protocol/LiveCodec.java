package dev.habla.protocol;

import dev.habla.protocol.internal.Frames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

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
