package dev.habla.client.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Makes frame text and URLs safe and short enough for logs: secrets masked, base64 payloads abbreviated. */
final class Redactor {
    private Redactor() {}

    /** A JSON string of 64+ base64 characters: inline audio, images, thought signatures. */
    private static final Pattern BASE64_STRING = Pattern.compile("\"([A-Za-z0-9+/_-]{64,}={0,2})\"");
    /** {@code key=…} or {@code access_token=…} in a query string. */
    private static final Pattern QUERY_SECRET = Pattern.compile("((?:^|[?&])(?:key|access_token)=)[^&\\s\"]*");
    /** Ephemeral tokens wherever they appear. */
    private static final Pattern TOKEN = Pattern.compile("auth_tokens/[A-Za-z0-9._~+/=-]+");
    /** Credential headers as printed in a description. */
    private static final Pattern HEADER_SECRET = Pattern.compile(
            "(?i)((?:x-goog-api-key|authorization)\\s*[:=]\\s*)(?:(Bearer|Token)\\s+)?[^,\\s\\]}]+");

    static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = QUERY_SECRET.matcher(text).replaceAll("$1<redacted>");
        s = TOKEN.matcher(s).replaceAll("auth_tokens/<redacted>");
        s = HEADER_SECRET.matcher(s).replaceAll(mr -> Matcher.quoteReplacement(
                mr.group(1) + (mr.group(2) == null ? "" : mr.group(2) + " ") + "<redacted>"));
        Matcher m = BASE64_STRING.matcher(s);
        StringBuilder out = new StringBuilder(Math.min(s.length(), 4096));
        while (m.find()) {
            int n = m.group(1).length();
            m.appendReplacement(out, Matcher.quoteReplacement(
                    "\"" + m.group(1).substring(0, 16) + "…(" + n + " base64 chars)\""));
        }
        m.appendTail(out);
        return out.toString();
    }
}
