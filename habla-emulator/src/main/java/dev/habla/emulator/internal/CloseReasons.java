package dev.habla.emulator.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ProtocolException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Google-style close reasons for frames the strict decoder rejected, at most 123 bytes. */
public final class CloseReasons {
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (.+?) in message \\S+.*", Pattern.DOTALL);
    private static final Pattern BAD_ENUM = Pattern.compile("Invalid enum value: (.+?) for enum type: (\\S+).*", Pattern.DOTALL);

    private CloseReasons() {}

    /**
     * E.g. {@code Invalid JSON payload received. Unknown name "turnCompleet" at 'client_content': Cannot find field.}
     */
    public static String forDecodeError(ProtocolException e) {
        String msg = e.getMessage();
        int at = msg.lastIndexOf(" (at ");
        if (at >= 0 && msg.endsWith(")")) {
            msg = msg.substring(0, at);
        }
        String path = e.path();
        String reason;
        Matcher m;
        if ((m = UNKNOWN_FIELD.matcher(msg)).matches()) {
            String parent = parentPath(path);
            reason = parent.isEmpty()
                    ? "Invalid JSON payload received. Unknown name \"" + m.group(1) + "\": Cannot find field."
                    : "Invalid JSON payload received. Unknown name \"" + m.group(1) + "\" at '" + snakePath(parent) + "': Cannot find field.";
        } else if ((m = BAD_ENUM.matcher(msg)).matches()) {
            String v = m.group(1);
            if (!v.startsWith("\"")) {
                v = "\"" + v + "\"";
            }
            reason = "Invalid JSON payload received. Invalid value at '" + snakePath(path) + "' (" + m.group(2) + "), " + v;
        } else if (msg.startsWith("Malformed JSON")) {
            reason = "Invalid JSON payload received. Unexpected token.";
        } else if (path.isEmpty()) {
            reason = CloseCodes.REASON_INVALID_ARGUMENT;
        } else {
            reason = "Invalid JSON payload received. " + msg + " at '" + snakePath(path) + "'";
        }
        return CloseCodes.truncate(reason);
    }

    private static String parentPath(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** {@code setup.generationConfig.responseModalities[0]} → {@code setup.generation_config.response_modalities[0]}. */
    static String snakePath(String path) {
        StringBuilder b = new StringBuilder(path.length() + 8);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
