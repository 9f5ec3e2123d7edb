package dev.habla.realtime;

/**
 * The {@code error} object of an {@code error} event, and of a failed response's status details.
 *
 * @param type    {@code invalid_request_error} or {@code server_error}
 * @param code    e.g. {@code invalid_value}, {@code invalid_api_key}; may be null
 * @param message human-readable text
 * @param param   the offending parameter path, or null
 * @param eventId the client event's {@code event_id} this answers, or null
 */
public record ErrorDetail(String type, String code, String message, String param, String eventId) {
    /** An {@code invalid_request_error}. */
    public static ErrorDetail invalidRequest(String code, String message, String param, String eventId) {
        return new ErrorDetail("invalid_request_error", code, message, param, eventId);
    }
}
