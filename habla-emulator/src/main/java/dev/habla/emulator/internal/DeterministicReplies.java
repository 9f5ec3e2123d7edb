package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.emulator.Reply;
import dev.habla.emulator.ReplyPolicy;
import dev.habla.emulator.TurnInput;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's default {@link ReplyPolicy}: replies built from the input so tests can assert exact text (module
 * README, <em>The default brain</em>). Stateless and thread-safe.
 */
public final class DeterministicReplies implements ReplyPolicy {
    public static final DeterministicReplies INSTANCE = new DeterministicReplies();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A question about what the model is shown: "what do you see", "¿qué ves?". */
    private static final Pattern SEE = Pattern.compile("(?iu)\\b(see|ves)\\b");
    private static final Pattern CALL = Pattern.compile("(?is)call\\s+([A-Za-z_][A-Za-z0-9_.:-]*)\\s*(\\{.*)?");

    private DeterministicReplies() {}

    @Override
    public Reply reply(TurnInput turn) {
        return switch (turn.kind()) {
            case TEXT -> text(turn);
            case SPEECH -> Reply.text(String.format(Locale.ROOT, "I heard %.2f seconds of audio.", turn.audioSeconds()));
            case TOOL_RESULTS -> {
                String fromKnowledge = KnowledgeReplies.forToolResults(turn.toolResults());
                yield Reply.text(fromKnowledge != null ? fromKnowledge
                        : String.join("; ", turn.toolResults().stream().map(DeterministicReplies::quote).toList()));
            }
            case NOTHING -> Reply.text("You said nothing.");
        };
    }

    /** {@code Tool NAME returned <response JSON>}. */
    static String quote(FunctionResponse r) {
        return "Tool " + (r.name() == null ? "function" : r.name()) + " returned " + (r.response() == null ? "{}" : r.response().toString());
    }

    private static Reply text(TurnInput turn) {
        String userText = turn.text();
        String fromKnowledge = KnowledgeReplies.forText(userText);
        if (fromKnowledge != null) {
            return Reply.text(fromKnowledge);
        }
        String t = userText.trim();
        if (t.equalsIgnoreCase("history")) {
            List<String> earlier = turn.history();
            StringBuilder b = new StringBuilder("History:");
            if (earlier.isEmpty()) {
                b.append(" (empty)");
            }
            for (int i = 0; i < earlier.size(); i++) {
                b.append(i == 0 ? " " : " | ").append(i + 1).append(". ").append(earlier.get(i).trim());
            }
            return Reply.text(b.toString());
        }
        if (SEE.matcher(t).find() && !t.regionMatches(true, 0, "call", 0, 4)) {
            return Reply.text(Sight.describe(turn.lastFrame(), turn.framesSinceLastTurn()));
        }
        if (t.regionMatches(true, 0, "call ", 0, 5) || t.regionMatches(true, 0, "call\t", 0, 5)) {
            Reply calls = toolCalls(t, turn);
            if (calls != null) {
                return calls;
            }
        }
        return Reply.text("You said: " + userText);
    }

    /**
     * {@code call NAME {json} ; call NAME2 {json}}: the calls, with {@code Calling A, B in the background.} when all are
     * non-blocking; null if the text is not a call after all.
     */
    private static Reply toolCalls(String text, TurnInput turn) {
        List<FunctionCall> calls = new ArrayList<>();
        boolean allNonBlocking = true;
        for (String clause : text.split(";")) {
            Matcher m = CALL.matcher(clause.trim());
            if (!m.matches()) {
                return null;
            }
            String name = m.group(1);
            FunctionDeclaration d = turn.functions().get(name);
            if (d == null) {
                return Reply.text("Function " + name + " is not declared.");
            }
            JsonNode args;
            try {
                args = m.group(2) == null ? JSON.createObjectNode() : JSON.readTree(m.group(2));
            } catch (Exception e) {
                args = null;
            }
            if (!(args instanceof ObjectNode)) {
                return Reply.text("Cannot parse the arguments of " + name + ".");
            }
            calls.add(new FunctionCall(null, name, args));
            allNonBlocking &= d.behavior() == FunctionDeclaration.Behavior.NON_BLOCKING;
        }
        String said = allNonBlocking
                ? "Calling " + String.join(", ", calls.stream().map(FunctionCall::name).toList()) + " in the background." : null;
        return new Reply(said, calls);
    }
}
