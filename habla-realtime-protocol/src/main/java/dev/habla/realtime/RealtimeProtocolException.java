package dev.habla.realtime;

/**
 * A frame that is not a valid Realtime event. {@link #code()} and {@link #param()} use the service's own error
 * vocabulary ({@code invalid_json}, {@code invalid_value}, {@code missing_required_parameter}, {@code invalid_type},
 * {@code unknown_parameter}), so a server can answer with an in-band {@code error} event as the real one does.
 */
public final class RealtimeProtocolException extends RuntimeException {
    private final String code;
    private final String param;

    public RealtimeProtocolException(String code, String param, String message) {
        super(message);
        this.code = code;
        this.param = param;
    }

    public RealtimeProtocolException(String code, String param, String message, Throwable cause) {
        this(code, param, message);
        initCause(cause);
    }

    /** The service's error code, e.g. {@code invalid_value}. */
    public String code() {
        return code;
    }

    /** Dotted wire path of the offending field ({@code type}, {@code session.audio}), or null for the frame. */
    public String param() {
        return param;
    }
}
