package dev.habla.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.client.LiveEvent;
import dev.habla.protocol.CodeExecutionResult;
import dev.habla.protocol.ExecutableCode;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.GroundingMetadata;
import dev.habla.tools.internal.ToolTimers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plain-text rendering of tool activity for terminals and logs: server-side code execution and Google Search
 * grounding from {@link LiveEvent}s, and {@link ToolActivity} of local function calls. Pure functions, no I/O.
 *
 * <pre>
 * [code python]
 *   print(6 * 7)
 * [result ok]
 *   42
 * Searched: weather in Paris
 * Sources: 1. Météo-France — https://meteofrance.com/...
 *          2. BBC Weather — https://www.bbc.com/weather/...
 * [tool calculator {"expression":"6*7"} → {"value":42} in 3 ms]
 * </pre>
 */
public final class ToolEvents {
    /** Longest JSON shown for arguments and results before it is abbreviated. */
    public static final int MAX_JSON = 160;

    private ToolEvents() {}

    /**
     * The lines for an {@link LiveEvent.ExecutableCode}, {@link LiveEvent.CodeExecutionResult} or
     * {@link LiveEvent.Grounding} event; an empty list for every other event (and for grounding without queries or
     * sources).
     */
    public static List<String> render(LiveEvent event) {
        return switch (event) {
            case LiveEvent.ExecutableCode c -> code(c.language(), c.code());
            case LiveEvent.CodeExecutionResult r -> result(r.outcome(), r.output());
            case LiveEvent.Grounding g -> grounding(g.metadata());
            default -> List.of();
        };
    }

    /** {@code [code python]} and the code indented by two spaces. */
    public static List<String> code(ExecutableCode.Language language, String code) {
        List<String> lines = new ArrayList<>();
        String lang = language == null || language == ExecutableCode.Language.LANGUAGE_UNSPECIFIED
                || language == ExecutableCode.Language.UNRECOGNIZED ? "" : " " + language.name().toLowerCase(Locale.ROOT);
        lines.add("[code" + lang + "]");
        indent(code, lines);
        return lines;
    }

    /** {@code [result ok]} (or failed, deadline exceeded) and the output indented by two spaces. */
    public static List<String> result(CodeExecutionResult.Outcome outcome, String output) {
        List<String> lines = new ArrayList<>();
        String o = outcome == null ? "unknown" : switch (outcome) {
            case OUTCOME_OK -> "ok";
            case OUTCOME_FAILED -> "failed";
            case OUTCOME_DEADLINE_EXCEEDED -> "deadline exceeded";
            case OUTCOME_UNSPECIFIED, UNRECOGNIZED -> "unknown";
        };
        lines.add("[result " + o + "]");
        if (output == null || output.isBlank()) {
            lines.add("  (no output)");
        } else {
            indent(output, lines);
        }
        return lines;
    }

    /** {@code Searched: q1; q2} and {@code Sources: 1. title — uri}, one source per line. */
    public static List<String> grounding(GroundingMetadata m) {
        List<String> lines = new ArrayList<>();
        if (m == null) {
            return lines;
        }
        if (m.webSearchQueries() != null && !m.webSearchQueries().isEmpty()) {
            lines.add("Searched: " + String.join("; ", m.webSearchQueries()));
        }
        List<String> sources = new ArrayList<>();
        if (m.groundingChunks() != null) {
            for (GroundingMetadata.GroundingChunk chunk : m.groundingChunks()) {
                String s = source(chunk);
                if (s != null) {
                    sources.add(s);
                }
            }
        }
        for (int i = 0; i < sources.size(); i++) {
            lines.add((i == 0 ? "Sources: " : "         ") + (i + 1) + ". " + sources.get(i));
        }
        return lines;
    }

    private static String source(GroundingMetadata.GroundingChunk c) {
        if (c == null) {
            return null;
        }
        if (c.web() != null) {
            return titled(c.web().title(), c.web().uri());
        }
        if (c.retrievedContext() != null) {
            return titled(c.retrievedContext().title(), c.retrievedContext().uri());
        }
        if (c.maps() != null) {
            return titled(c.maps().title(), c.maps().uri());
        }
        return null;
    }

    private static String titled(String title, String uri) {
        boolean hasTitle = title != null && !title.isBlank();
        boolean hasUri = uri != null && !uri.isBlank();
        if (hasTitle && hasUri) {
            return title.strip() + " — " + uri.strip();
        }
        return hasTitle ? title.strip() : hasUri ? uri.strip() : null;
    }

    /**
     * One line per activity, e.g. {@code [tool calculator {"expression":"6*7"} → {"value":42} in 3 ms]}; JSON longer
     * than {@link #MAX_JSON} characters is abbreviated with "…".
     */
    public static String describe(ToolActivity activity) {
        FunctionCall call = activity.call();
        String head = "[tool " + call.name() + " " + json(call.args());
        return switch (activity) {
            case ToolActivity.Started s -> head + " …]";
            case ToolActivity.Completed c -> head + " → " + json(c.output()) + " in " + ms(c.elapsed()) + "]";
            case ToolActivity.Failed f -> head + " → error: " + abbreviate(f.error()) + " in " + ms(f.elapsed()) + "]";
            case ToolActivity.TimedOut t -> head + " → timed out after " + ToolTimers.human(t.timeout()) + "]";
            case ToolActivity.Cancelled c -> head + " → cancelled (" + c.reason() + ") after " + ms(c.elapsed()) + "]";
            case ToolActivity.NotDelivered n -> "[tool " + call.name() + " → response not delivered: " + n.reason() + "]";
        };
    }

    private static String json(JsonNode node) {
        return abbreviate(node == null || node.isMissingNode() ? "{}" : node.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_JSON ? s : s.substring(0, MAX_JSON - 1) + "…";
    }

    private static String ms(Duration d) {
        return ToolTimers.human(d);
    }

    private static void indent(String text, List<String> lines) {
        if (text == null || text.isEmpty()) {
            return;
        }
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        for (String line : t.split("\r?\n", -1)) {
            lines.add("  " + line);
        }
    }
}
