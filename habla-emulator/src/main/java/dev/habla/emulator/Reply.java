package dev.habla.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.FunctionCall;
import java.util.List;
import java.util.Objects;

/**
 * One model turn from a {@link ReplyPolicy}: text (sent as text chunks or as speech with transcription, by the
 * session's modality) and/or function calls.
 *
 * <p>With calls, the emulator sends one {@code toolCall} (it assigns the ids). If every called function is declared
 * {@code NON_BLOCKING}, {@code text} (when not null) is said right after the call in the same turn. Otherwise the turn
 * waits for the responses and the policy is asked again with {@link TurnInput.Kind#TOOL_RESULTS}; {@code text} must then
 * be null. Calls to functions the setup did not declare are the policy's business (the default one answers
 * {@code Function X is not declared.}).
 *
 * @param text  what the model says; null for none (then {@code calls} must not be empty)
 * @param calls function calls, ids left null
 */
public record Reply(String text, List<FunctionCall> calls) {
    public Reply {
        calls = List.copyOf(calls);
        if (text == null && calls.isEmpty()) {
            throw new IllegalArgumentException("A reply needs text or calls");
        }
    }

    public static Reply text(String text) {
        return new Reply(Objects.requireNonNull(text, "text"), List.of());
    }

    /** One call of {@code name} with {@code args} (a JSON object). */
    public static Reply call(String name, JsonNode args) {
        return new Reply(null, List.of(new FunctionCall(null, name, args)));
    }
}
