package dev.habla.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response: the object of {@code response.created}/{@code response.done}, or the optional parameters of a client's
 * {@code response.create} (then only {@code outputModalities}, {@code instructions}, {@code conversation}, {@code
 * metadata} and {@code extra} apply). Java null = absent.
 *
 * @param status          {@code in_progress}, {@code completed}, {@code cancelled}, {@code incomplete}, {@code failed}
 * @param statusDetails   why it ended that way, or null
 * @param conversationId  {@code conv_...}, or null for an out-of-band response
 * @param conversation    {@code response.create} only: {@code auto} or {@code none}
 * @param extra           every other field, kept as received ({@code audio}, {@code input}, {@code tools}...)
 */
public record Response(
        String id,
        String status,
        StatusDetails statusDetails,
        List<Item> output,
        String conversationId,
        List<String> outputModalities,
        JsonNode maxOutputTokens,
        Usage usage,
        JsonNode metadata,
        String instructions,
        String conversation,
        Map<String, JsonNode> extra) {

    public Response {
        output = output == null ? null : List.copyOf(output);
        outputModalities = outputModalities == null ? null : List.copyOf(outputModalities);
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * {@code status_details}: {@code type} ({@code completed}, {@code cancelled}, {@code incomplete}, {@code failed}),
     * {@code reason} ({@code turn_detected}, {@code client_cancelled}, {@code max_output_tokens}...), {@code error}.
     */
    public record StatusDetails(String type, String reason, ErrorDetail error) {}

    /** What a server fills in: everything but the {@code response.create}-only fields. */
    public static Response of(String id, String status, StatusDetails details, List<Item> output, String conversationId,
            List<String> outputModalities, Usage usage) {
        return new Response(id, status, details, output, conversationId, outputModalities, null, usage, null, null, null,
                null);
    }
}
