package dev.habla.protocol.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import dev.habla.protocol.UsageMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** Top-level frame handling: the oneof of message kinds, {@code usageMetadata} beside it, trailing data. */
public final class Frames {
    /** Shared, thread-safe Jackson objects. Large inline media is expected, so strings may be up to 64 M chars. */
    public static final ObjectMapper MAPPER;
    private static final JsonFactory FACTORY;

    static {
        JsonFactory f = new FastParsers.Factory(new JsonFactoryBuilder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 << 20).maxNestingDepth(200).build()));
        MAPPER = new ObjectMapper(f);
        FACTORY = MAPPER.getFactory();
    }

    private static final Map<Class<?>, String> CANONICAL = new HashMap<>();
    private static final Map<String, Class<?>> CLIENT_KINDS = new HashMap<>();
    private static final Map<String, Class<?>> SERVER_KINDS = new HashMap<>();

    static {
        kind(CLIENT_KINDS, "setup", ClientMessage.Setup.class);
        kind(CLIENT_KINDS, "clientContent", ClientMessage.ClientContent.class);
        kind(CLIENT_KINDS, "realtimeInput", ClientMessage.RealtimeInput.class);
        kind(CLIENT_KINDS, "toolResponse", ClientMessage.ToolResponse.class);
        kind(CLIENT_KINDS, "contextUpdate", ClientMessage.ContextUpdate.class);
        kind(SERVER_KINDS, "setupComplete", ServerMessage.SetupComplete.class);
        kind(SERVER_KINDS, "serverContent", ServerMessage.ServerContent.class);
        kind(SERVER_KINDS, "toolCall", ServerMessage.ToolCall.class);
        kind(SERVER_KINDS, "toolCallCancellation", ServerMessage.ToolCallCancellation.class);
        kind(SERVER_KINDS, "goAway", ServerMessage.GoAway.class);
        kind(SERVER_KINDS, "sessionResumptionUpdate", ServerMessage.SessionResumptionUpdate.class);
        kind(SERVER_KINDS, "voiceActivity", ServerMessage.VoiceActivity.class);
        kind(SERVER_KINDS, "voiceActivityDetectionSignal", ServerMessage.VoiceActivityDetectionSignal.class);
    }

    private static void kind(Map<String, Class<?>> m, String camel, Class<?> type) {
        CANONICAL.put(type, camel);
        m.put(camel, type);
        m.put(WireSchema.camelToSnake(camel), type);
    }

    private Frames() {}

    // ---- encoding ----

    public static String encodeClient(ClientMessage m) {
        if (m instanceof ClientMessage.Raw r) {
            return r.json(); // the sender's own text, checked when it was recognised
        }
        Sinks.Chars w = new Sinks.Chars(256);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeFieldName(m.wireKey());
            WireEncoder.writeRecord(g, m);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    public static byte[] encodeServer(ServerFrame f) {
        Sinks.Bytes out = new Sinks.Bytes(256);
        try {
            try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
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
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- decoding ----

    public static ClientFrame decodeClient(JsonParser p, Strictness s) {
        try (p) {
            WireDecoder d = new WireDecoder(p, s);
            ClientMessage msg = null;
            String key = null;
            expectObject(p, d);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                Class<?> type = CLIENT_KINDS.get(name);
                if (type == null) {
                    if (s == Strictness.STRICT) {
                        d.push(name); // the path names the unknown key, as for nested fields
                        throw d.error("Cannot find field: " + name + " in message BidiGenerateContentClientMessage");
                    }
                    d.unknownField(name);
                    continue;
                }
                if (msg != null && s == Strictness.STRICT) {
                    d.push(canonical(CLIENT_KINDS, type)); // the path names the second oneof member
                    throw d.error("Cannot set field BidiGenerateContentClientMessage." + WireSchema.camelToSnake(canonical(CLIENT_KINDS, type))
                            + " because another field BidiGenerateContentClientMessage." + WireSchema.camelToSnake(key)
                            + " belonging to the same oneof has already been set");
                }
                d.push(canonical(CLIENT_KINDS, type));
                if (p.currentToken() == JsonToken.VALUE_NULL) {
                    d.pop();
                    continue;
                }
                ClientMessage decoded = (ClientMessage) d.readRecord(WireSchema.of(type));
                d.pop();
                if (msg == null) {
                    msg = decoded;
                    key = canonical(CLIENT_KINDS, type);
                }
            }
            expectEnd(p, d);
            if (msg == null && s == Strictness.STRICT) {
                throw d.error("Message must have exactly one of setup, clientContent, realtimeInput, toolResponse, contextUpdate");
            }
            return new ClientFrame(msg, d.unknown);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    public static ServerFrame decodeServer(JsonParser p, Strictness s) {
        try (p) {
            WireDecoder d = new WireDecoder(p, s);
            ServerMessage msg = null;
            String key = null;
            UsageMetadata usage = null;
            expectObject(p, d);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("usageMetadata") || name.equals("usage_metadata")) {
                    d.push("usageMetadata");
                    if (usage != null && s == Strictness.STRICT) throw d.error("Field usage_metadata has already been set");
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        usage = (UsageMetadata) d.readRecord(WireSchema.of(UsageMetadata.class));
                    }
                    d.pop();
                    continue;
                }
                Class<?> type = SERVER_KINDS.get(name);
                if (type == null) {
                    if (s == Strictness.STRICT) {
                        d.push(name); // the path names the unknown key, as for nested fields
                        throw d.error("Cannot find field: " + name + " in message BidiGenerateContentServerMessage");
                    }
                    d.unknownField(name);
                    continue;
                }
                if (msg != null && s == Strictness.STRICT) {
                    d.push(canonical(SERVER_KINDS, type)); // the path names the second oneof member
                    throw d.error("Cannot set field BidiGenerateContentServerMessage." + WireSchema.camelToSnake(canonical(SERVER_KINDS, type))
                            + " because another field BidiGenerateContentServerMessage." + WireSchema.camelToSnake(key)
                            + " belonging to the same oneof has already been set");
                }
                d.push(canonical(SERVER_KINDS, type));
                if (p.currentToken() == JsonToken.VALUE_NULL) {
                    d.pop();
                    continue;
                }
                ServerMessage decoded = (ServerMessage) d.readRecord(WireSchema.of(type));
                d.pop();
                if (msg == null) {
                    msg = decoded;
                    key = canonical(SERVER_KINDS, type);
                }
            }
            expectEnd(p, d);
            if (msg == null && usage == null && s == Strictness.STRICT) {
                throw d.error("Server message has no content");
            }
            return new ServerFrame(msg, usage, d.unknown);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /**
     * The ProtocolException for input Jackson cannot read at all. Also for failures while creating the parser (for
     * example "Unsupported UCS-4 endianness" from the encoding detection of a byte frame), which happen before
     * decoding starts and so outside the catch blocks above.
     */
    public static ProtocolException malformed(IOException e) {
        return new ProtocolException("", "Malformed JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jp
                ? jp.getOriginalMessage() : e.getMessage()), e);
    }

    public static JsonParser parser(byte[] utf8, int off, int len) throws IOException {
        return FACTORY.createParser(utf8, off, len);
    }

    public static JsonParser parser(String json) throws IOException {
        return FACTORY.createParser(json);
    }

    public static JsonParser parser(char[] json, int off, int len) throws IOException {
        return FACTORY.createParser(json, off, len);
    }

    private static String canonical(Map<String, Class<?>> kinds, Class<?> type) {
        return CANONICAL.get(type);
    }

    private static void expectObject(JsonParser p, WireDecoder d) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw d.error("Expected a JSON object");
        }
    }

    private static void expectEnd(JsonParser p, WireDecoder d) throws IOException {
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw d.error("Expected end of object");
        }
        if (p.nextToken() != null) {
            throw d.error("Unexpected data after the JSON object");
        }
    }
}
