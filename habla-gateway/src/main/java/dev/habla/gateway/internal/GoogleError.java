package dev.habla.gateway.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A REST error in Google's JSON shape ({@code {"error":{"code","message","status","details"}}}, code = HTTP status,
 * status = the {@code google.rpc.Code} name), thrown by the token endpoint's checks and written by {@link HttpApi}.
 */
public final class GoogleError extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String BAD_KEY = "API key not valid. Please pass a valid API key.";
    public static final String NO_KEY = "Method doesn't allow unregistered callers (callers without established identity). "
            + "Please use API Key or other form of API consumer identity to call this API.";

    private final int httpStatus;
    private final String status;
    private final String reason;

    public GoogleError(int httpStatus, String status, String message, String reason) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.status = status;
        this.reason = reason;
    }

    public static GoogleError invalidArgument(String message) {
        return new GoogleError(400, "INVALID_ARGUMENT", message, null);
    }

    public static GoogleError badKey() {
        return new GoogleError(400, "INVALID_ARGUMENT", BAD_KEY, "API_KEY_INVALID");
    }

    public static GoogleError noKey() {
        return new GoogleError(403, "PERMISSION_DENIED", NO_KEY, null);
    }

    public static GoogleError permissionDenied(String message) {
        return new GoogleError(403, "PERMISSION_DENIED", message, null);
    }

    public static GoogleError notFound(String message) {
        return new GoogleError(404, "NOT_FOUND", message, null);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The JSON body. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("code", httpStatus);
        e.put("message", getMessage());
        e.put("status", status);
        if (reason != null) {
            ArrayNode details = e.putArray("details");
            ObjectNode info = details.addObject();
            info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
            info.put("reason", reason);
            info.put("domain", "googleapis.com");
            info.putObject("metadata").put("service", "generativelanguage.googleapis.com");
            ObjectNode loc = details.addObject();
            loc.put("@type", "type.googleapis.com/google.rpc.LocalizedMessage");
            loc.put("locale", "en-US");
            loc.put("message", getMessage());
        }
        return root.toString();
    }
}
