package dev.habla.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A conversation item: a message, a function call, a function call's output, or a kind this codec does not model
 * (MCP items...), kept whole. {@code id} and {@code status} are null when absent (a client creating an item may
 * leave both out; the server always sets them). On the wire servers add {@code "object":"realtime.item"}.
 */
public sealed interface Item {
    String id();

    String status();

    /** The wire {@code type}. */
    String type();

    /** {@code type: "message"}: {@code role} is {@code user}, {@code assistant} or {@code system}. */
    record Message(String id, String status, String role, List<ContentPart> content) implements Item {
        public Message {
            content = content == null ? List.of() : List.copyOf(content);
        }

        public static Message userText(String text) {
            return new Message(null, null, "user", List.of(ContentPart.inputText(text)));
        }

        @Override
        public String type() {
            return "message";
        }

        public Message withStatus(String newStatus) {
            return new Message(id, newStatus, role, content);
        }
    }

    /** {@code type: "function_call"}: {@code arguments} is a JSON <em>string</em>, as on the wire. */
    record FunctionCall(String id, String status, String callId, String name, String arguments) implements Item {
        @Override
        public String type() {
            return "function_call";
        }
    }

    /** {@code type: "function_call_output"}: the tool's result as a string, answering {@code callId}. */
    record FunctionCallOutput(String id, String status, String callId, String output) implements Item {
        public static FunctionCallOutput of(String callId, String output) {
            return new FunctionCallOutput(null, null, callId, output);
        }

        @Override
        public String type() {
            return "function_call_output";
        }
    }

    /** An item of another type, kept as received (id, status and type are read from it). */
    record Other(String id, String status, String type, ObjectNode json) implements Item {}
}
