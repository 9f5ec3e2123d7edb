package dev.habla.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Strictness;
import java.util.List;

/**
 * Applies a token's constraints to the {@code setup} a client sends (the SDK's {@code lockAdditionalFields}
 * semantics, gateway.md §1.4): constraints without a field mask lock every field (the token's setup is used, the
 * client's ignored); with a mask, each listed path (one or two levels, e.g. {@code generationConfig.temperature}) takes
 * the token's value, or is removed when the token does not set it; the rest comes from the client. Locked fields a
 * client sends are ignored, not refused, as the service does. The client's resumption handle always passes (resuming
 * is not configuration). Works on the canonical JSON of the setup, so every field, known or newer, is covered.
 * Stateless.
 */
public final class SetupLocks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SetupLocks() {}

    /** The setup to run: {@code client} with {@code token}'s locks applied. */
    public static ClientMessage.Setup apply(ClientMessage.Setup client, ObjectNode constraints, List<String> mask) {
        if (constraints == null && mask == null) {
            return client;
        }
        ObjectNode c = setupJson(client);
        ObjectNode t = constraints == null ? JSON.createObjectNode() : constraints;
        ObjectNode out;
        if (mask == null) {
            out = t.deepCopy();
        } else {
            out = c.deepCopy();
            for (String path : mask) {
                String[] p = path.split("\\.", 2);
                if (p.length == 1) {
                    copy(t, out, p[0]);
                } else {
                    JsonNode tp = t.get(p[0]);
                    ObjectNode op = out.get(p[0]) instanceof ObjectNode o ? o : null;
                    if (tp instanceof ObjectNode tpo) {
                        if (op == null) {
                            op = out.putObject(p[0]);
                        }
                        copy(tpo, op, p[1]);
                    } else if (op != null) {
                        op.remove(p[1]);
                        if (op.isEmpty()) {
                            out.remove(p[0]);
                        }
                    }
                }
            }
        }
        JsonNode handle = c.path("sessionResumption").get("handle");
        if (handle != null) {
            ObjectNode sr = out.get("sessionResumption") instanceof ObjectNode o ? o : out.putObject("sessionResumption");
            sr.set("handle", handle);
        }
        ObjectNode wrapped = JSON.createObjectNode();
        wrapped.set("setup", out);
        return (ClientMessage.Setup) LiveCodec.decodeClient(wrapped.toString(), Strictness.STRICT).message();
    }

    private static void copy(ObjectNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v == null) {
            to.remove(field);
        } else {
            to.set(field, v.deepCopy());
        }
    }

    static ObjectNode setupJson(ClientMessage.Setup setup) {
        try {
            return (ObjectNode) JSON.readTree(LiveCodec.encode(setup)).get("setup");
        } catch (Exception e) {
            throw new IllegalStateException("cannot re-read an encoded setup", e);
        }
    }
}
