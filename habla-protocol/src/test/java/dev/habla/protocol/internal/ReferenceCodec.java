package dev.habla.protocol.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.Strictness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The codec as it is without its fast paths: plain Jackson parsers and generators (same limits as {@link Frames})
 * driving the same {@link WireDecoder}/{@link WireEncoder}. Tests compare {@code LiveCodec} against it.
 */
public final class ReferenceCodec {
    private static final JsonFactory PLAIN = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 << 20).maxNestingDepth(200).build())
            .build()).getFactory();

    private ReferenceCodec() {}

    public static ClientFrame decodeClient(byte[] utf8, Strictness s) {
        return Frames.decodeClient(parser(utf8), s);
    }

    public static ClientFrame decodeClient(String json, Strictness s) {
        return Frames.decodeClient(parser(json), s);
    }

    public static ServerFrame decodeServer(byte[] utf8, Strictness s) {
        return Frames.decodeServer(parser(utf8), s);
    }

    public static ServerFrame decodeServer(String json, Strictness s) {
        return Frames.decodeServer(parser(json), s);
    }

    /** Client message through a plain Writer-based generator. */
    public static String encodeClient(ClientMessage m) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = PLAIN.createGenerator(w)) {
            g.writeStartObject();
            g.writeFieldName(m.wireKey());
            WireEncoder.writeRecord(g, m);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Server frame through a plain UTF-8 generator. */
    public static byte[] encodeServer(ServerFrame f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = PLAIN.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (f.message() != null) {
                g.writeFieldName(f.message().wireKey());
                WireEncoder.writeRecord(g, f.message());
            }
            if (f.usageMetadata() != null) {
                g.writeFieldName("usageMetadata");
                WireEncoder.writeRecord(g, f.usageMetadata());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static JsonParser parser(byte[] utf8) {
        try {
            return PLAIN.createParser(utf8);
        } catch (IOException e) {
            throw Frames.malformed(e); // as LiveCodec does
        }
    }

    private static JsonParser parser(String json) {
        try {
            return PLAIN.createParser(json);
        } catch (IOException e) {
            throw Frames.malformed(e);
        }
    }
}
