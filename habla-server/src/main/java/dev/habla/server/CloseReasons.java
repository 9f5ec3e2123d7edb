package dev.habla.server;

import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ProtocolException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Close reasons a Live server sends beyond {@link CloseCodes}' constants: Google-style reasons for frames the strict
 * decoder rejected (what the service says, at most 123 bytes), and the reason for a client that does not read.
 */
public final class CloseReasons {
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (.+?) in message \\S+.*", Pattern.DOTALL);
    private static final Pattern BAD_ENUM = Pattern.compile("Invalid enum value: (.+?) for enum type: (\\S+).*", Pattern.DOTALL);

    private CloseReasons() {}

    /**
     * Reason of the close (code {@link CloseCodes#POLICY}) a connection gets when it does not read fast enough and its
     * outbound queue would pass {@code limitBytes}. Not a service message (the service does not document one).
     */
    public static String slowClient(long limitBytes) {
        return "Client is not reading fast enough: outbound buffer limit (" + limitBytes + " bytes) exceeded.";
    }

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

    /** A field path in proto (snake_case) form: {@code setup.generationConfig.responseModalities[0]} → {@code setup.generation_config.response_modalities[0]}. */
    public static String snakePath(String path) {
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
