package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.FunctionResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deterministic brain's use of retrieved knowledge (module README, <em>Knowledge</em>): a user text carrying a
 * {@code [knowledge]…[/knowledge]} block, or a tool result shaped like a knowledge search (also inside {@code output}), is answered by quoting the
 * best passage and naming its source; a block with a {@code [decline] sentence} line by that sentence; a tool result that says the question is out of the domain is answered with its
 * decline sentence. The block is the text convention habla-knowledge-live writes (one passage per {@code [n] source:}
 * line, its text on the lines below); the emulator knows only the convention, not that module. Stateless.
 */
final class KnowledgeReplies {
    private static final Pattern BLOCK = Pattern.compile("(?s)\\[knowledge]\\R?(.*?)\\[/knowledge]");
    private static final Pattern ENTRY = Pattern.compile("(?m)^\\[(\\d+)] source: (.*)$");
    private static final Pattern DECLINE = Pattern.compile("(?m)^\\[decline] (.*)$");
    /** The first sentence: up to a sentence end followed by white space or the end of the text. */
    private static final Pattern SENTENCE = Pattern.compile("(?s)^(.*?[.!?])(?=\\s|$)");
    /** Quotes are cut to this many characters (at a word boundary): a spoken quote stays a few seconds long. */
    static final int MAX_QUOTE = 160;

    private KnowledgeReplies() {}

    /** The reply to a user text carrying a knowledge block; null if it carries none. */
    static String forText(String text) {
        Matcher block = BLOCK.matcher(text);
        if (!block.find()) {
            return null;
        }
        String body = block.group(1);
        Matcher decline = DECLINE.matcher(body);
        if (decline.find()) {
            return decline.group(1).strip();
        }
        Matcher e = ENTRY.matcher(body);
        if (!e.find()) {
            return "I found nothing about that in the documents.";
        }
        String source = e.group(2).strip();
        int textStart = e.end();
        int textEnd = e.find() ? e.start() : body.length();
        return quote(source, body.substring(textStart, textEnd));
    }

    /**
     * The reply to tool results of which one is a knowledge search ({@code {"passages":[{"source","text"},…]}}, or
     * {@code {"inDomain":false,"decline":"…"}}); null if none is.
     */
    static String forToolResults(List<FunctionResponse> results) {
        List<String> said = new ArrayList<>();
        for (FunctionResponse r : results) {
            JsonNode resp = r.response();
            if (resp == null) {
                continue;
            }
            if (resp.path("output").isObject()) {
                resp = resp.path("output");   // habla-tools' ToolRunner wraps a result as {"output": …}
            }
            if (resp.path("inDomain").isBoolean() && !resp.path("inDomain").asBoolean() && resp.path("decline").isTextual()) {
                said.add(resp.path("decline").asText());
            } else if (resp.path("passages").isArray()) {
                JsonNode best = resp.path("passages").path(0);
                String heading = best.path("heading").asText("");
                said.add(best.isObject()
                        ? quote(best.path("source").asText("?") + (heading.isEmpty() ? "" : " (" + heading + ")"), best.path("text").asText(""))
                        : "I found nothing about that in the documents.");
            }
        }
        return said.isEmpty() ? null : String.join(" ", said);
    }

    /** {@code From SOURCE: first sentence of the passage}. */
    static String quote(String source, String passage) {
        String t = passage.strip().replaceAll("\\s+", " ");
        Matcher s = SENTENCE.matcher(t);
        String sentence = s.find() ? s.group(1) : t;
        if (sentence.length() > MAX_QUOTE) {
            int cut = sentence.lastIndexOf(' ', MAX_QUOTE);
            sentence = sentence.substring(0, cut > 0 ? cut : MAX_QUOTE) + "…";
        }
        return "From " + source + ": " + sentence;
    }
}
